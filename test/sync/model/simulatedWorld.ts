import type { FieldKey, FieldReading, ItemState } from "../../../shared/sync";
import type { EntityRef, PersonEditTarget } from "./personEdits";
import { SimulatedClock } from "./simulatedClock";
import { SimulatedConfluenceTable } from "./simulatedConfluenceTable";
import { SimulatedSharePointList } from "./simulatedSharePointList";
import type { WorldSnapshot } from "./syncRunRecord";

/**
 * A SharePoint list, a Confluence table and the sync's state store, all in memory: the world the model-based test
 * lets people and sync runs loose on.
 */
export class SimulatedWorld implements PersonEditTarget {
  readonly clock = new SimulatedClock();
  readonly list: SimulatedSharePointList;
  readonly table: SimulatedConfluenceTable;
  /** The state store: committed item states and the committed delta cursor (`null` = never synced: full read). */
  readonly state = new Map<string, ItemState>();
  cursor: number | null = null;

  constructor(readonly fieldKeys: readonly FieldKey[]) {
    this.list = new SimulatedSharePointList(this.clock, fieldKeys);
    this.table = new SimulatedConfluenceTable(this.clock);
  }

  entities(side: EntityRef["side"]): readonly EntityRef[] {
    return side === "sharePoint"
      ? this.list.ids().map((id) => ({ side, id }))
      : this.table.rows().map((row) => ({ side, uid: row.uid }));
  }

  valueOf(entity: EntityRef, field: FieldKey): FieldReading | undefined {
    return entity.side === "sharePoint"
      ? this.list.fieldsOf(entity.id)?.[field]
      : this.table.rows().find((row) => row.uid === entity.uid)?.cells[field];
  }

  setValue(entity: EntityRef, field: FieldKey, value: FieldReading): void {
    if (entity.side === "sharePoint") {
      this.list.update(entity.id, { [field]: value });
      return;
    }
    this.table.personSave(
      this.table
        .rows()
        .map((row) => (row.uid === entity.uid ? { ...row, cells: { ...row.cells, [field]: value } } : row)),
    );
  }

  remove(entity: EntityRef): void {
    if (entity.side === "sharePoint") this.list.delete(entity.id);
    else this.table.personSave(this.table.rows().filter((row) => row.uid !== entity.uid));
  }

  createItem(values: Readonly<Record<FieldKey, FieldReading>>): string {
    return this.list.create(values).id;
  }

  addRow(position: number, values: Readonly<Record<FieldKey, FieldReading>>): string {
    const rows = [...this.table.rows()];
    const uid = this.table.newUid();
    rows.splice(Math.min(position, rows.length), 0, { uid, key: null, cells: { ...values } });
    this.table.personSave(rows);
    return uid;
  }

  snapshot(): WorldSnapshot {
    const items = new Map<string, Readonly<Record<FieldKey, FieldReading>>>();
    for (const id of this.list.ids()) {
      const fields = this.list.fieldsOf(id);
      if (fields !== undefined) items.set(id, fields);
    }
    return { items, rows: [...this.table.rows()] };
  }
}

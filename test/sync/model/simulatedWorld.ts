import type { FieldKey, FieldReading, ItemState } from "../../../shared/sync";
import type { PersonEditTarget } from "./personEdits";
import { SimulatedClock } from "./simulatedClock";
import { SimulatedConfluenceTable, type SimulatedRow } from "./simulatedConfluenceTable";
import { SimulatedSharePointList } from "./simulatedSharePointList";

/** Both replicas as plain data: what the invariant checks look at. */
export interface WorldSnapshot {
  readonly items: ReadonlyMap<string, Readonly<Record<FieldKey, FieldReading>>>;
  readonly rows: readonly SimulatedRow[];
}

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

  itemIds(): readonly string[] {
    return this.list.ids();
  }

  rowUids(): readonly string[] {
    return this.table.rows().map((row) => row.uid);
  }

  itemValue(id: string, field: FieldKey): FieldReading | undefined {
    return this.list.fieldsOf(id)?.[field];
  }

  cellValue(uid: string, field: FieldKey): FieldReading | undefined {
    return this.table.rows().find((row) => row.uid === uid)?.cells[field];
  }

  createItem(values: Readonly<Record<FieldKey, FieldReading>>): string {
    return this.list.create(values).id;
  }

  editItem(id: string, field: FieldKey, value: FieldReading): void {
    this.list.update(id, { [field]: value });
  }

  deleteItem(id: string): void {
    this.list.delete(id);
  }

  addRow(position: number, values: Readonly<Record<FieldKey, FieldReading>>): string {
    const rows = [...this.table.rows()];
    const uid = this.table.newUid();
    rows.splice(Math.min(position, rows.length), 0, { uid, key: null, cells: { ...values } });
    this.table.personSave(rows);
    return uid;
  }

  editCell(uid: string, field: FieldKey, value: FieldReading): void {
    this.table.personSave(this.table.rows().map((row) => (row.uid === uid ? { ...row, cells: { ...row.cells, [field]: value } } : row)));
  }

  removeRow(uid: string): void {
    this.table.personSave(this.table.rows().filter((row) => row.uid !== uid));
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

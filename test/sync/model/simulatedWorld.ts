import {
  type DeletionSettlement,
  type FieldHash,
  type FieldKey,
  type FieldReading,
  type FieldSettlement,
  type ItemState,
  type ReadyPlan,
  type SettlementChoice,
  type Side,
  survivorDigest,
} from "../../../shared/sync";
import type { EntityRef, PersonEditTarget } from "./personEdits";
import { SimulatedClock } from "./simulatedClock";
import { SimulatedConfluenceTable } from "./simulatedConfluenceTable";
import { SimulatedSharePointList } from "./simulatedSharePointList";
import type { WorldSnapshot } from "./syncRunRecord";

/** How many deletion settlements runs applied (and found stale): a property that never saw one proves nothing of them. */
export const deletionSettlementsSeen = { applied: 0, stale: 0 };

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
  /**
   * The conflict log as the engine keeps it (shared/engine/conflictLog.ts): field conflicts a run flagged, with the
   * hash each side held then, and the settlement a person recorded since, if any.
   */
  readonly conflicts = new Map<string, ModelConflict>();
  /** The open delete-vs-edit conflicts, by item id: the survivor's digest the last run saw, and a deletion taken since. */
  readonly deletionConflicts = new Map<string, ModelDeletionConflict>();

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

  /** The open flagged conflicts nobody settled yet, oldest first: what a person may settle. */
  settleable(): readonly ModelConflict[] {
    return [...this.conflicts.values()].filter((conflict) => conflict.settlement === undefined);
  }

  /** A person settles an open conflict: recorded against the values the last run saw, applied by the next run. */
  settle(conflict: ModelConflict, choice: SettlementChoice): FieldSettlement {
    const settlement: FieldSettlement = {
      id: conflict.id,
      sharePointId: conflict.sharePointId,
      field: conflict.field,
      choice,
      seen: conflict.seen,
    };
    this.conflicts.set(conflict.id, { ...conflict, settlement });
    return settlement;
  }

  /** The open delete-vs-edit conflicts nobody settled whose deleted side is `side`: what taking `side` may settle. */
  deletionSettleable(side: Side): readonly ModelDeletionConflict[] {
    return [...this.deletionConflicts.values()].filter((c) => c.settlement === undefined && c.deletedIn === side);
  }

  /** A person takes the deletion: the next run deletes the survivor, unless it was edited since. */
  settleDeletion(conflict: ModelDeletionConflict): void {
    const settlement = { id: `del|${conflict.sharePointId}`, sharePointId: conflict.sharePointId, seen: conflict.seen };
    this.deletionConflicts.set(conflict.sharePointId, { ...conflict, settlement });
  }

  /** The deletion settlements the next run is given. */
  pendingDeletionSettlements(): DeletionSettlement[] {
    return [...this.deletionConflicts.values()].flatMap((conflict) =>
      conflict.settlement ? [conflict.settlement] : [],
    );
  }

  /** The settlements the next run is given. */
  pendingSettlements(): FieldSettlement[] {
    return [...this.conflicts.values()].flatMap((conflict) => (conflict.settlement ? [conflict.settlement] : []));
  }

  /**
   * What a run records before its writes (conflictLog.recordConflicts): its flagged conflicts with the values it saw;
   * a settlement the plan found stale is dropped (the conflict is re-opened with the new values).
   */
  recordConflicts(plan: ReadyPlan): void {
    const stale = new Set((plan.settlements ?? []).filter((d) => d.kind === "stale").map((d) => d.id));
    for (const id of stale) {
      const entry = this.conflicts.get(id);
      if (entry !== undefined) this.conflicts.set(id, { ...entry, settlement: undefined });
    }
    const staleDeletions = new Set(
      (plan.deletionSettlements ?? []).filter((d) => d.kind === "stale").map((d) => d.item.sharePointId),
    );
    deletionSettlementsSeen.stale += staleDeletions.size;
    for (const conflict of plan.conflicts) {
      if (conflict.kind === "deleteVsEdit" && conflict.item.sharePointId !== null) {
        const id = conflict.item.sharePointId;
        const existing = this.deletionConflicts.get(id);
        this.deletionConflicts.set(id, {
          sharePointId: id,
          deletedIn: conflict.deletedIn,
          seen: survivorDigest(conflict.edits),
          settlement: staleDeletions.has(id) ? undefined : existing?.settlement,
        });
      }
      if (conflict.kind !== "field" || conflict.resolution.kind !== "flagged") continue;
      const id = conflict.item.sharePointId;
      if (id === null) continue;
      const key = `${id}|${conflict.field}`;
      const existing = this.conflicts.get(key);
      this.conflicts.set(key, {
        id: key,
        sharePointId: id,
        field: conflict.field,
        seen: { sharePoint: conflict.sharePoint.hash, confluence: conflict.confluence.hash },
        settlement: stale.has(key) ? undefined : existing?.settlement,
      });
    }
  }

  /**
   * What a run's commit does to the log (conflictLog.resolveSettledConflicts): settlements whose writes all landed end
   * their conflict; conflicts the run no longer flagged are over; the rest stay, with their pending settlements.
   */
  resolveConflicts(plan: ReadyPlan, done: readonly string[]): void {
    const flagged = new Set(
      plan.conflicts.flatMap((c) =>
        c.kind === "field" && c.resolution.kind === "flagged" && c.item.sharePointId !== null
          ? [`${c.item.sharePointId}|${c.field}`]
          : [],
      ),
    );
    const pending = new Set((plan.settlements ?? []).filter((d) => d.kind === "applied").map((d) => d.id));
    for (const error of plan.fieldErrors)
      if (error.item.sharePointId !== null) flagged.add(`${error.item.sharePointId}|${error.field}`);
    for (const id of [...this.conflicts.keys()]) {
      if (done.includes(id) || (!flagged.has(id) && !pending.has(id))) this.conflicts.delete(id);
    }
    const deleteVsEdit = new Set(
      plan.conflicts.flatMap((c) =>
        c.kind === "deleteVsEdit" && c.item.sharePointId !== null ? [c.item.sharePointId] : [],
      ),
    );
    const taking = new Set(
      (plan.deletionSettlements ?? []).filter((d) => d.kind === "applied").map((d) => d.item.sharePointId),
    );
    for (const [id, conflict] of [...this.deletionConflicts]) {
      const over = conflict.settlement !== undefined && done.includes(conflict.settlement.id);
      if (over) deletionSettlementsSeen.applied += 1;
      if (over || (!deleteVsEdit.has(id) && !taking.has(id))) this.deletionConflicts.delete(id);
    }
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

/** An open flagged conflict in the model's conflict log. */
export interface ModelConflict {
  readonly id: string;
  readonly sharePointId: string;
  readonly field: FieldKey;
  readonly seen: { readonly sharePoint: FieldHash; readonly confluence: FieldHash };
  readonly settlement: FieldSettlement | undefined;
}

/** An open delete-vs-edit conflict in the model's conflict log. */
export interface ModelDeletionConflict {
  readonly sharePointId: string;
  readonly deletedIn: Side;
  readonly seen: string;
  readonly settlement: DeletionSettlement | undefined;
}

import type { FieldKey, FieldReading, Plan, SharePointOpOutcome } from "../../../shared/sync";
import type { PersonEvent } from "./personEdits";

/** A data row of the managed table; `uid` is the world's own identity for a row (Confluence rows have none), never shown to the sync. */
export interface SnapshotRow {
  readonly uid: string;
  readonly key: string | null;
  readonly cells: Readonly<Record<FieldKey, FieldReading>>;
}

/** Both replicas as plain data: what the invariant checks look at. */
export interface WorldSnapshot {
  readonly items: ReadonlyMap<string, Readonly<Record<FieldKey, FieldReading>>>;
  readonly rows: readonly SnapshotRow[];
}

/**
 * What one sync run (one read-plan-apply-commit cycle) did, in the terms the invariant checks need: written by the
 * simulated engine in the pure model, observed from the emulators and the engine's staging in the end-to-end one.
 */
export interface SyncRunRecord {
  readonly plan: Plan;
  /** Both replicas as the run read them. */
  readonly readSnapshot: WorldSnapshot;
  /** The plan of a dry run over the very same reads. */
  readonly dryRunPlan: Plan;
  /** The rows as read: `rowUids[rowRef]`. */
  readonly rowUids: readonly string[];
  /** How many items and rows each side had when read. */
  readonly totalsAtRead: { readonly sharePoint: number; readonly confluence: number };
  /** Items created in SharePoint, whether or not the run learnt of it, with the row each came from. */
  readonly created: readonly { readonly sharePointId: string; readonly fromRow: string }[];
  /** Links the page write made: rows appended for items, ids written into rows. */
  readonly linked: readonly { readonly sharePointId: string; readonly row: string }[];
  readonly concurrentEvents: readonly PersonEvent[];
  /** What the run's SharePoint writes did, and whether its page write landed (whatever the run then committed). */
  readonly applied: {
    readonly sharePointItems: ReadonlyMap<string, SharePointOpOutcome>;
    readonly pageWritten: boolean;
  };
  readonly crashed: boolean;
  /**
   * A create's answer was lost (a timeout): the item may exist without the run knowing. The engine must treat that
   * like a crash and run again straight away, so the next read finds the item before anyone edits its row.
   */
  readonly createOutcomeUnknown: boolean;
}

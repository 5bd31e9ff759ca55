import type { CanonicalValue, Side } from "../../sync";

/** What started a run. */
export type SyncTrigger = "schedule" | "webhook" | "manual" | "cli";

/** A problem a person must fix, in words and a stable code. */
export interface RunProblem {
  code: string;
  message: string;
}

export type RunOutcome = "completed" | "completedWithErrors" | "stopped" | "invalid" | "failed" | "dryRun";

/** What a run did, as `confluence-sync sync --json`, the run record and the orchestration output show it. */
export interface RunReport {
  profile: string;
  runId: string;
  dryRun: boolean;
  trigger: SyncTrigger;
  outcome: RunOutcome;
  /** Why the run stopped, failed or was invalid. */
  problem?: RunProblem;
  startedAt: string;
  finishedAt: string;
  cycles: number;
  counts: {
    sharePoint: { created: number; updated: number; deleted: number };
    confluence: { created: number; updated: number; deleted: number };
    conflicts: number;
    errors: number;
  };
  /** Per-item decisions (what was done to which item and field, conflicts with both values, field errors). */
  items: RunItemReport[];
  /** How many item entries were left out of `items` to keep the report bounded. */
  itemsOmitted?: number;
  /** HTTP calls made to each service during the run. */
  apiCalls: { graph: number; confluence: number };
}

export type ApiCalls = RunReport["apiCalls"];
export type RunCounts = RunReport["counts"];

export const NO_CALLS: ApiCalls = { graph: 0, confluence: 0 };
export const NO_COUNTS: RunCounts = {
  sharePoint: { created: 0, updated: 0, deleted: 0 },
  confluence: { created: 0, updated: 0, deleted: 0 },
  conflicts: 0,
  errors: 0,
};

/** One value change in an item's report entry. */
export interface FieldChangeReport {
  readonly field: string;
  /** Where the value was written; `both` = the sides already agreed on a new value (the base advanced). */
  readonly to: "confluence" | "sharePoint" | "both";
  readonly value?: CanonicalValue;
}

/** A conflict in an item's report entry, with both values (and the base, when known). */
export interface ConflictReport {
  /** Null for a delete-vs-edit conflict about the whole item. */
  readonly field: string | null;
  /** `bothChanged`, `editAgainstDirection`, `noBase`, or `deleteVsEdit`. */
  readonly cause: string;
  /** `flagged` (nothing written), `sharePoint-won` / `confluence-won` (the loser's value is kept here). */
  readonly resolution: string;
  readonly sharePoint?: CanonicalValue;
  readonly confluence?: CanonicalValue;
  readonly base?: CanonicalValue;
  /** For delete-vs-edit: the side that deleted the item. */
  readonly deletedIn?: Side;
}

/** What a run did with a conflict a person settled (docs/operations.md#settling-conflicts). */
export interface SettlementReport {
  readonly field: string;
  readonly conflictId: string;
  /**
   * `applied`: the chosen value is written where it was missing; `held`: a closed gate holds its write back, it stays
   * pending until the gate opens; `stale`: someone edited a side since, not applied.
   */
  readonly outcome: "applied" | "held" | "stale";
  /** For `applied`: the sides written (none when both already held the value). */
  readonly writtenTo?: readonly ("sharePoint" | "confluence")[];
  /** For `stale`: why, in words. */
  readonly reason?: string;
}

export interface ItemProblemReport {
  readonly field: string | null;
  readonly side?: Side;
  readonly code: string;
  readonly message: string;
}

/** One item of the run report (`items` of `sync --json`). */
export interface RunItemReport {
  readonly sharePointId: string | null;
  /** The row, as the n-th data row of the table when it was read (header excluded); null for items without one. */
  readonly row: number | null;
  /** `update`, `pair`, `createInSharePoint`, `appendToConfluence`, `deleteInSharePoint`, `removeFromConfluence`, `keepDeleted`, `deleteConflict`, `forget`, `skip`, or `error`. */
  readonly action: string;
  /** How a pair was found, which side deleted the item, or why it was skipped. */
  readonly note?: string;
  readonly changes: readonly FieldChangeReport[];
  readonly conflicts: readonly ConflictReport[];
  readonly errors: readonly ItemProblemReport[];
  /** Conflicts people settled that the run applied, or found stale (only when there were any). */
  readonly settlements?: readonly SettlementReport[];
  /** `planned` (dry run or stopped), `applied`, `failed` (some write did not happen), or `unchanged` (nothing to write). */
  readonly result: "planned" | "applied" | "failed" | "unchanged";
  /** The cycle of the run that made this entry (a page changed under the run makes another cycle). */
  readonly cycle?: number;
}

export function addCalls(...calls: readonly ApiCalls[]): ApiCalls {
  return calls.reduce(
    (sum, next) => ({ graph: sum.graph + next.graph, confluence: sum.confluence + next.confluence }),
    NO_CALLS,
  );
}

export function addCounts(a: RunCounts, b: RunCounts): RunCounts {
  const side = (x: RunCounts["sharePoint"], y: RunCounts["sharePoint"]) => ({
    created: x.created + y.created,
    updated: x.updated + y.updated,
    deleted: x.deleted + y.deleted,
  });
  return {
    sharePoint: side(a.sharePoint, b.sharePoint),
    confluence: side(a.confluence, b.confluence),
    conflicts: a.conflicts + b.conflicts,
    errors: a.errors + b.errors,
  };
}

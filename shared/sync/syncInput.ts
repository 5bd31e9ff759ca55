import type { CanonicalValue } from "./canonicalValue";
import type { FieldHash } from "./fieldHash";
import type { FieldKey } from "./fieldKey";
import type { FieldReading } from "./fieldValue";
import type { ItemState } from "./itemState";
import type { SyncRules } from "./syncRules";

/** A SharePoint list item as read this run (delta or full enumeration), its fields read by the codecs. */
export interface SharePointItemReading {
  readonly id: string;
  readonly eTag: string;
  /** `lastModifiedDateTime`, ISO 8601. */
  readonly modifiedAt: string;
  /** One reading per mapped field; a missing reading is reported as a field error. */
  readonly fields: Readonly<Record<FieldKey, FieldReading>>;
}

/**
 * The SharePoint side of a run.
 * - `full`: every item of the list the app can see; an item in the state but not here is gone, unless it is in
 *   `unseen`: ids the enumeration did not show but that may still exist (a list with content approval hides items
 *   pending approval from an app without `Sites.Manage.All`, docs/references.md#graph-content-approval). An unseen item
 *   is taken as unchanged since it was last read, and a row keyed with one the state does not know is left alone.
 * - `delta`: the items changed since the stored delta link (each once, latest state; the reader collapses repeats)
 *   and the ids deleted since. Items in neither list are unchanged since they were last read.
 */
export type SharePointSide =
  | {
      readonly kind: "full";
      readonly items: readonly SharePointItemReading[];
      readonly unseen?: readonly string[];
    }
  | {
      readonly kind: "delta";
      readonly changed: readonly SharePointItemReading[];
      readonly deletedIds: readonly string[];
    };

/** The 0-based position of a data row in the managed table as read this run (header row excluded). */
export type RowRef = number;

/** A data row of the managed table. */
export interface ConfluenceRowReading {
  readonly rowRef: RowRef;
  /** The key column's text, trimmed: a SharePoint item id, or `null` for an empty cell (a row people added). */
  readonly rowKey: string | null;
  /** One reading per mapped field; a missing reading is reported as a field error. */
  readonly cells: Readonly<Record<FieldKey, FieldReading>>;
  /**
   * When a person last edited this row, for newest-wins, when rows are edited on their own (pages mode: each row is a
   * page, docs/pages-mode.md §2); absent = the page's `editedAt`.
   */
  readonly editedAt?: string;
}

/**
 * A keyed row whose pair is settled and unchanged: its cells hash to the bases of its item's settled state (see
 * `settledPairDigest`) and the delta does not mention the item. The planner would plan nothing for it; given it as a
 * `SettledRow` (without its cells, and without its item's state) it counts it and knows where it is, and that is all
 * it needs (docs/engine.md#settled-pairs).
 */
export interface SettledRow {
  readonly rowRef: RowRef;
  readonly rowKey: string;
}

/** The managed Confluence table, read in full every run. */
export interface ConfluenceSide {
  readonly rows: readonly ConfluenceRowReading[];
  /**
   * Rows of settled, unchanged pairs, given by position only (see `SettledRow`); a delta run only. Their items' states
   * are left out of `PlanInput.state`, and the delta mentions none of their items: the plan is the one the planner
   * would make with every row read and every state given.
   */
  readonly settledRows?: readonly SettledRow[];
  readonly page: {
    /** The version read; the run's single write creates `version + 1` (a stale version is a 409). */
    readonly version: number;
    /**
     * When a person last edited the page (ISO 8601), for newest-wins: the newest version not written by the sync
     * (the engine can tell by the version message it stamps), else the current version's time.
     */
    readonly editedAt: string;
  };
}

/** Everything one planning step needs; nothing else influences the plan. */
export interface PlanInput {
  readonly rules: SyncRules;
  /** Every stored item pair of the profile, except those of `confluence.settledRows` and the idle awaiting items. */
  readonly state: readonly ItemState[];
  /**
   * How many items awaiting a row were left out with their states because no run can do anything for them now (see
   * `idleAwaitingDigest`): the delta does not mention them, the table has no row without a key, and the profile
   * appends no rows. The planner counts them; a delta run only.
   */
  readonly idleAwaitingItems?: number;
  readonly sharePoint: SharePointSide;
  readonly confluence: ConfluenceSide;
  /** ISO 8601 time of the run, stamped on the state it changes (take it from the orchestration, not the wall clock). */
  readonly runAt: string;
  /**
   * How many items and rows each side holds in all, for the mass-delete limit, when the input is a part of them
   * (pages mode plans only the items and pages a change touched); absent = the items and rows given.
   */
  readonly totals?: { readonly sharePoint: number; readonly confluence: number };
  /** Open conflicts people settled since the last run (at most one per item and field); none when absent. */
  readonly settlements?: readonly FieldSettlement[];
  /** Open delete-vs-edit conflicts people settled by taking the deletion (at most one per item); none when absent. */
  readonly deletionSettlements?: readonly DeletionSettlement[];
}

/**
 * A person's decision to end an open delete-vs-edit conflict by taking the deletion
 * (docs/design.md#37-settling-conflicts): the survivor (the SharePoint item, or the row) is deleted by the next run as
 * a normal delete (SharePoint with `If-Match`, the row in the run's one page update), whatever the delete policy, and
 * counted by the mass-delete limit. Held to the survivor as the person saw it: a survivor edited since (its digest,
 * see `survivorDigest`, differs) makes the settlement stale, and nothing is deleted.
 */
export interface DeletionSettlement {
  /** Opaque to the planner (the engine's conflict id); echoed in the plan's decision. */
  readonly id: string;
  readonly sharePointId: string;
  /** The survivor's `survivorDigest` when the person decided. */
  readonly seen: string;
}

/** What a person chose for a conflicting field: one side's value as it was when they chose, or a value of their own. */
export type SettlementChoice =
  | { readonly kind: "sharePoint" }
  | { readonly kind: "confluence" }
  | { readonly kind: "value"; readonly value: CanonicalValue };

/**
 * A person's decision about one open field conflict, as the planner takes it (docs/design.md#37-settling-conflicts):
 * the item and field, the choice, and the hash each side held when the decision was made. The planner applies it
 * through the normal three-way path: the chosen value is written to each side that does not hold it yet (SharePoint
 * with `If-Match`, the page in the run's one update on top of the version read), and the base moves to it once those
 * writes are applied. A settlement made stale by a newer edit on either side is not applied: the field is merged as
 * if there were none, and the plan says why.
 */
export interface FieldSettlement {
  /** Opaque to the planner (the engine's conflict id); echoed in the plan's settlement decisions. */
  readonly id: string;
  readonly sharePointId: string;
  readonly field: FieldKey;
  readonly choice: SettlementChoice;
  /** What each side held when the person decided (the conflict's values then). */
  readonly seen: { readonly sharePoint: FieldHash; readonly confluence: FieldHash };
}

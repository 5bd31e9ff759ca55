import type { CanonicalValue } from "./canonicalValue";
import type { FieldKey } from "./fieldKey";
import type { FieldObservation, FieldReadError, FieldSnapshot } from "./fieldValue";
import type { FieldState, ItemState, PairStatus, RowOrigin } from "./itemState";
import type { ConflictCause, ConflictResolution, FieldMerge } from "./mergeField";
import type { Side } from "./side";
import type { SyncDirection } from "./syncDirection";
import type { RowRef } from "./syncInput";

/** Correlates a SharePoint create with what depends on it (the key write-back into its row, its state). */
export type CreateRef = `row:${number}`;

/** Names the item a plan entry is about: its SharePoint id, its row, or the create that will give it an id. */
export interface ItemRef {
  readonly sharePointId: string | null;
  readonly rowRef: RowRef | null;
  readonly createRef: CreateRef | null;
}

// ---------------------------------------------------------------- writes

/** Create a list item from a row people added; only the fields that flow to SharePoint are sent. */
export interface SharePointCreate {
  readonly createRef: CreateRef;
  readonly rowRef: RowRef;
  readonly fields: Readonly<Record<FieldKey, CanonicalValue>>;
}

/** Update only the changed fields of an item, guarded by `If-Match: ifMatch`. */
export interface SharePointUpdate {
  readonly sharePointId: string;
  readonly ifMatch: string;
  readonly fields: Readonly<Record<FieldKey, CanonicalValue>>;
}

/** Delete an item, guarded by `If-Match`, so an item edited since it was read is not deleted. */
export interface SharePointDelete {
  readonly sharePointId: string;
  readonly ifMatch: string;
}

export interface SharePointWrites {
  readonly creates: readonly SharePointCreate[];
  readonly updates: readonly SharePointUpdate[];
  readonly deletes: readonly SharePointDelete[];
}

/** Rewrite cells of an existing row. */
export interface RowUpdate {
  readonly rowRef: RowRef;
  readonly sharePointId: string | null;
  /** When set, apply only if that create succeeded (the cells belong to the row it was created from). */
  readonly afterCreate: CreateRef | null;
  readonly cells: Readonly<Record<FieldKey, CanonicalValue>>;
}

/** Append a row for a new SharePoint item; its key cell is `sharePointId`, every mapped cell is given. */
export interface RowAppend {
  readonly sharePointId: string;
  readonly cells: Readonly<Record<FieldKey, CanonicalValue>>;
}

export interface RowRemoval {
  readonly rowRef: RowRef;
  readonly sharePointId: string;
}

/**
 * Write a SharePoint id into the key cell of a row that had none: the id of an item created this run (skip it if
 * the create failed), or of an existing item the row was matched with.
 */
export interface KeyWriteBack {
  readonly rowRef: RowRef;
  readonly key:
    | { readonly kind: "created"; readonly createRef: CreateRef }
    | { readonly kind: "existing"; readonly sharePointId: string };
}

/** Everything to change on the page: applied as one page update on top of `pageVersion`. */
export interface ConfluenceWrites {
  /** The version the plan was made from; the update must create exactly `pageVersion + 1`. */
  readonly pageVersion: number;
  readonly rowUpdates: readonly RowUpdate[];
  readonly appends: readonly RowAppend[];
  readonly removals: readonly RowRemoval[];
  readonly keyWriteBacks: readonly KeyWriteBack[];
}

// ---------------------------------------------------------------- reports

/**
 * A disagreement that needed a decision, with both values. Record it before applying the writes: a `won`
 * resolution overwrites the loser's value, and the record is then the only place it survives.
 */
export type ConflictRecord =
  | {
      readonly kind: "field";
      readonly item: ItemRef;
      readonly field: FieldKey;
      readonly cause: ConflictCause;
      readonly base: FieldSnapshot | null;
      readonly sharePoint: FieldSnapshot;
      readonly confluence: FieldSnapshot;
      readonly resolution: ConflictResolution;
    }
  | {
      /**
       * One side deleted the item while the other edited it. Always flagged whatever the policy: nothing is
       * deleted and nothing is re-created; `edits` are the surviving side's fields that differ from the base.
       */
      readonly kind: "deleteVsEdit";
      readonly item: ItemRef;
      readonly deletedIn: Side;
      readonly edits: readonly {
        readonly field: FieldKey;
        readonly base: FieldSnapshot | null;
        readonly value: FieldObservation;
      }[];
    };

/** A value that could not be read; that field of that item is skipped this run and its base does not move. */
export interface FieldError {
  readonly item: ItemRef;
  readonly field: FieldKey;
  readonly side: Side;
  readonly error: FieldReadError;
}

/** Why an item was left alone; each names a problem a person has to solve. */
export type SkipCode =
  /** Several unpaired rows and items share a natural key: which goes with which is not guessed. */
  | "AMBIGUOUS_MATCH"
  /** A row people added is not created in SharePoint: the profile syncs nothing toward SharePoint. */
  | "NOT_CREATED_DIRECTION"
  /** A new SharePoint item gets no row: the profile syncs nothing toward Confluence. */
  | "NOT_APPENDED_DIRECTION"
  /** A row people added has unreadable cells in fields that would be sent to SharePoint; fix them first. */
  | "INVALID_CELLS"
  /**
   * The sync created this item from a row (or matched it with one) but could not write its id back, and cannot tell
   * which row it was (several candidates where the row was, or the rows around it are gone). Rows that could be it
   * are not created either.
   */
  | "AWAITING_KEY";

/** What happened to an item, for the run report. */
export type ItemAction =
  /** An existing pair: see the field outcomes. */
  | { readonly kind: "update" }
  /** An item and a row found to belong together (by the id in the key column, the natural key, or equal values). */
  | { readonly kind: "pair"; readonly by: "key" | "naturalKey" | "values" | "position" }
  | { readonly kind: "createInSharePoint" }
  | { readonly kind: "appendToConfluence" }
  | { readonly kind: "deleteInSharePoint" }
  | { readonly kind: "removeFromConfluence" }
  /** The deletion is not propagated (policy `keep`); the pair is remembered so it is neither re-created nor re-appended. */
  | { readonly kind: "keepDeleted"; readonly deletedIn: Side }
  | { readonly kind: "deleteConflict"; readonly deletedIn: Side }
  /** Both sides are gone: the state is dropped. */
  | { readonly kind: "forget" }
  | { readonly kind: "skip"; readonly code: SkipCode; readonly message: string };

export interface ItemDecision {
  readonly item: ItemRef;
  readonly action: ItemAction;
  /** The fields whose merge was not `noop`, in the profile's field order. */
  readonly fields: readonly { readonly field: FieldKey; readonly merge: FieldMerge }[];
}

// ---------------------------------------------------------------- state

/** A write a state change depends on: the item's one SharePoint operation, or the run's one page update. */
export type WriteRequirement = "sharePointWrite" | "confluenceWrite";

/** The next state of one field: `ifApplied` when `requires` succeeded (or is null), else `otherwise`. */
export interface FieldStateChange {
  readonly requires: WriteRequirement | null;
  /** A second write the change depends on too (a settled value written to both sides). */
  readonly alsoRequires?: WriteRequirement;
  readonly ifApplied: FieldState;
  readonly otherwise: FieldState;
}

/** Keep (or create) the pair's state row. */
export interface PutState {
  readonly kind: "put";
  /** The status once `pairRequires` succeeded. */
  readonly status: PairStatus;
  /** The writes that establish the pair (a create, an append or a key write-back); empty for existing pairs. */
  readonly pairRequires: readonly WriteRequirement[];
  /**
   * The status to keep when a `pairRequires` write failed: `awaitingRow` for an item that exists but has no linked
   * row yet, or `null` to commit nothing (a create that failed: the row is still there and is planned again).
   */
  readonly statusIfPairFailed: PairStatus | null;
  /** The item version to remember when the item's SharePoint write did not happen. */
  readonly sharePointETag: string | null;
  readonly sharePointModifiedAt: string | null;
  readonly fields: Readonly<Record<FieldKey, FieldStateChange>>;
  /** Kept only while the committed status is `awaitingRow` (see `ItemState.awaitedRow`). */
  readonly awaitedRow: RowOrigin | null;
  readonly lastSyncedAt: string;
}

/** Forget the pair once `requires` succeeded (null: unconditionally); otherwise commit `otherwise` (null: nothing). */
export interface DropState {
  readonly kind: "drop";
  readonly requires: WriteRequirement | null;
  readonly otherwise: PutState | null;
}

/**
 * How one pair's state moves, expressed so that only what was applied is committed: see `settleItemState`.
 * `target` names the pair by its SharePoint id, or by the create that will give it one.
 */
export interface ItemStateUpdate {
  readonly target:
    | { readonly kind: "item"; readonly sharePointId: string }
    | { readonly kind: "create"; readonly createRef: CreateRef };
  readonly before: ItemState | null;
  readonly change: PutState | DropState;
}

// ---------------------------------------------------------------- plan

/** Why a run must not write anything. */
export type StopReason =
  | {
      readonly code: "MASS_DELETE_LIMIT";
      readonly message: string;
      readonly limitPercent: number;
      /** The side(s) over the limit: how many of how many items would be deleted. */
      readonly exceeded: readonly { readonly side: Side; readonly deletes: number; readonly total: number }[];
    }
  | {
      readonly code: "DUPLICATE_KEYS";
      readonly message: string;
      readonly duplicates: readonly { readonly key: string; readonly rowRefs: readonly RowRef[] }[];
    };

/** The writes, reports and state changes of one run. Applying it is the engine's job; planning never does I/O. */
export interface ReadyPlan {
  readonly kind: "ready";
  readonly sharePoint: SharePointWrites;
  readonly confluence: ConfluenceWrites;
  readonly conflicts: readonly ConflictRecord[];
  readonly fieldErrors: readonly FieldError[];
  readonly decisions: readonly ItemDecision[];
  readonly stateUpdates: readonly ItemStateUpdate[];
  /** What became of each settlement the planner was given and could decide on (absent in plans made before them). */
  readonly settlements?: readonly SettlementDecision[];
  /** What became of each deletion settlement the planner was given and could decide on; absent when none. */
  readonly deletionSettlements?: readonly DeletionSettlementDecision[];
  /**
   * Conflicts whose winning write a closed gate (or, in pages mode, the points budget) held back this run
   * (docs/pages-mode.md §5): not decided this run, so not recorded, and not ended either: one already open stays open
   * until a run makes the write (they are decided again, with the values of then, once the write can be made).
   * Absent when none was held.
   */
  readonly heldConflicts?: readonly ConflictRecord[];
}

/**
 * Why a settlement was not applied.
 * - `edited`: a side holds neither the value seen when the person decided nor the chosen one: someone edited it since
 *   (an unreadable value counts as an edit).
 * - `oneWay`: the field no longer flows to a side the chosen value would have to be written to.
 */
export type SettlementStaleReason =
  | { readonly kind: "edited"; readonly sides: readonly Side[] }
  | { readonly kind: "oneWay"; readonly direction: SyncDirection };

/**
 * What the plan does with one deletion settlement (see `DeletionSettlement`): `applied`, the survivor is deleted by
 * this plan's delete (SharePoint) or row removal (Confluence), the side `deletes` names; `stale`, the survivor was
 * edited since the person decided: nothing is deleted and the conflict is reported again with the new edits.
 */
export type DeletionSettlementDecision =
  | { readonly kind: "applied"; readonly id: string; readonly item: ItemRef; readonly deletes: Side }
  | { readonly kind: "stale"; readonly id: string; readonly item: ItemRef; readonly survivor: Side };

/** What the plan does with one settlement it was given (see `FieldSettlement`). */
export type SettlementDecision =
  | {
      readonly kind: "applied";
      readonly id: string;
      readonly item: ItemRef;
      readonly field: FieldKey;
      /** The chosen value (by hash only when both sides already hold it and it is too long to keep). */
      readonly value: FieldSnapshot;
      /** The sides the chosen value is written to (none when both already hold it). */
      readonly writes: readonly Side[];
      /**
       * Sides of `writes` a closed gate held back this run (docs/pages-mode.md §5): the settlement stays pending and a
       * later run, once the gate opens, applies it. Absent when nothing was held.
       */
      readonly held?: readonly Side[];
    }
  | {
      readonly kind: "stale";
      readonly id: string;
      readonly item: ItemRef;
      readonly field: FieldKey;
      readonly reason: SettlementStaleReason;
      /** Each side's value now (null when unreadable). */
      readonly sharePoint: FieldSnapshot | null;
      readonly confluence: FieldSnapshot | null;
    };

/** The run must write nothing at all, state included; `decisions` say what it would have done. */
export interface StoppedPlan {
  readonly kind: "stopped";
  readonly reason: StopReason;
  readonly decisions: readonly ItemDecision[];
}

/**
 * The planner needs the current version of these SharePoint items (in the delta's absence it only had their stored
 * state, and that is not enough to decide safely). Read them by id, add them to the delta (a 404 = a deleted id) and
 * plan again; items read this way are never asked for again.
 */
export interface NeedsReadsPlan {
  readonly kind: "needsReads";
  readonly sharePointIds: readonly string[];
}

export type Plan = ReadyPlan | StoppedPlan | NeedsReadsPlan;

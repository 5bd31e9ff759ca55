import { type FieldKey, fieldEntry } from "./fieldKey";
import { baseWhenLinked, heldFieldState, unchangedFieldState } from "./fieldStateChange";
import { EMPTY_HASH, type FieldObservation, type FieldSnapshot } from "./fieldValue";
import { cellObservation, type PlanContext, recordOf, sharePointObservation } from "./itemMerge";
import type { ItemState } from "./itemState";
import type { ConflictRecord, FieldStateChange, ItemRef, PutState, WriteRequirement } from "./plan";
import type { Side } from "./side";
import type { ConfluenceRowReading, SharePointItemReading } from "./syncInput";

type DeleteVsEditEdit = Extract<ConflictRecord, { kind: "deleteVsEdit" }>["edits"][number];

/**
 * Whether a surviving side's field holds something the deleted side never agreed to. Unreadable values, non-empty
 * values with no base and fields still disputed count as edits: a deletion only goes over what is provably unedited.
 */
function isEdited(value: FieldObservation, base: FieldSnapshot | null, disputed: boolean): boolean {
  if (!value.ok || disputed) return true;
  return base === null ? value.hash !== EMPTY_HASH : value.hash !== base.hash;
}

function tombstone(
  ctx: PlanContext,
  status: "deletedInSharePoint" | "deletedInConfluence",
  fields: Record<FieldKey, FieldStateChange>,
  version: { eTag: string | null; modifiedAt: string | null },
): PutState {
  return {
    kind: "put",
    status,
    pairRequires: [],
    statusIfPairFailed: null,
    sharePointETag: version.eTag,
    sharePointModifiedAt: version.modifiedAt,
    fields,
    awaitedRow: null,
    lastSyncedAt: ctx.runAt,
  };
}

/**
 * The SharePoint item is gone and its row is still on the page. An edited row is a delete-vs-edit conflict (the row
 * stays, the pair is remembered as deleted in SharePoint, the conflict is reported every run until a person removes
 * the row or clears its key to make it a new item). An unedited row is removed if the profile deletes toward
 * Confluence, else kept and remembered so nothing re-creates the item.
 * `bases: "none"` for rows never synced in this form (a key nobody paired, a row re-added after its deletion): every
 * non-empty cell then counts as an edit.
 */
export function planSharePointGone(
  ctx: PlanContext,
  sharePointId: string,
  before: ItemState | null,
  row: ConfluenceRowReading,
  bases: "stored" | "none",
): void {
  const { rules, acc } = ctx;
  const item: ItemRef = { sharePointId, rowRef: row.rowRef, createRef: null };
  const stored = bases === "stored" ? before : null;
  const edits: DeleteVsEditEdit[] = [];
  const fields = recordOf(
    rules.fields.map((rule) => {
      const field = stored === null ? undefined : fieldEntry(stored.fields, rule.key);
      const value = cellObservation(row, rule.key);
      const base = stored === null || field === undefined ? null : baseWhenLinked(stored.status, field, value);
      const disputed = base === null && field?.disputed === true;
      if (isEdited(value, base, disputed)) edits.push({ field: rule.key, base, value });
      // The item is gone: only what the row was last agreed to hold still matters.
      return [rule.key, unchangedFieldState(disputed ? { base, disputed } : { base })] as const;
    }),
  );
  const kept = tombstone(ctx, "deletedInSharePoint", fields, {
    eTag: before?.sharePointETag ?? null,
    modifiedAt: before?.sharePointModifiedAt ?? null,
  });
  const removeRow =
    rules.deletes.toConfluence === "delete"
      ? () => {
          acc.removals.push({ rowRef: row.rowRef, sharePointId });
          return "confluenceWrite" as const;
        }
      : null;
  decide(ctx, { sharePointId, item, before, deletedIn: "sharePoint", edits, kept, hardDelete: removeRow });
}

/**
 * The row is gone and its SharePoint item still exists. The mirror image of {@link planSharePointGone}: an item
 * edited since the base is a delete-vs-edit conflict; an unedited one is deleted (guarded by its eTag) if the
 * profile deletes toward SharePoint, else kept and remembered so its row is not appended again.
 */
export function planRowGone(
  ctx: PlanContext,
  sharePointId: string,
  before: ItemState,
  reading: SharePointItemReading | null,
): void {
  const { rules, acc } = ctx;
  const item: ItemRef = { sharePointId, rowRef: null, createRef: null };
  const edits: DeleteVsEditEdit[] = [];
  const fields: [FieldKey, FieldStateChange][] = [];
  for (const rule of rules.fields) {
    const value = sharePointObservation(rule.key, reading, before);
    if (value === undefined) {
      acc.needRead(sharePointId);
      return;
    }
    const field = fieldEntry(before.fields, rule.key);
    const base = field?.base ?? null;
    const disputed = base === null && field?.disputed === true;
    if (isEdited(value, base, disputed)) edits.push({ field: rule.key, base, value });
    const held = heldFieldState(base, value, rules.storedValueMaxChars);
    fields.push([rule.key, unchangedFieldState(disputed ? { ...held, disputed } : held)]);
  }
  const eTag = reading?.eTag ?? before.sharePointETag;
  const kept = tombstone(ctx, "deletedInConfluence", recordOf(fields), {
    eTag,
    modifiedAt: reading?.modifiedAt ?? before.sharePointModifiedAt,
  });
  let deleteItem: (() => "sharePointWrite") | null = null;
  if (edits.length === 0 && rules.deletes.toSharePoint === "delete") {
    // Never delete blind: without its eTag an edit we have not seen could be deleted with it.
    if (eTag === null) {
      acc.needRead(sharePointId);
      return;
    }
    deleteItem = () => {
      acc.deletes.push({ sharePointId, ifMatch: eTag });
      return "sharePointWrite";
    };
  }
  decide(ctx, { sharePointId, item, before, deletedIn: "confluence", edits, kept, hardDelete: deleteItem });
}

/**
 * Once the survivor's edits are known: a delete-vs-edit conflict if it was edited (the pair is kept, deleted on one
 * side); else the hard delete the policy asks for (the state goes once it is applied); else the pair is kept.
 */
function decide(
  ctx: PlanContext,
  decision: {
    readonly sharePointId: string;
    readonly item: ItemRef;
    readonly before: ItemState | null;
    readonly deletedIn: Side;
    readonly edits: readonly DeleteVsEditEdit[];
    readonly kept: PutState;
    /** Adds the hard delete to the plan and says which write it is; `null` when the policy keeps. */
    readonly hardDelete: (() => WriteRequirement) | null;
  },
): void {
  const { acc } = ctx;
  const { sharePointId, item, before, deletedIn, edits, kept, hardDelete } = decision;
  const target = { kind: "item", sharePointId } as const;
  if (edits.length > 0) {
    acc.conflicts.push({ kind: "deleteVsEdit", item, deletedIn, edits });
    acc.decisions.push({ item, action: { kind: "deleteConflict", deletedIn }, fields: [] });
    acc.addStateUpdate({ target, before, change: kept });
  } else if (hardDelete !== null) {
    const requires = hardDelete();
    const action =
      deletedIn === "sharePoint"
        ? ({ kind: "removeFromConfluence" } as const)
        : ({ kind: "deleteInSharePoint" } as const);
    acc.decisions.push({ item, action, fields: [] });
    acc.addStateUpdate({ target, before, change: { kind: "drop", requires, otherwise: kept } });
  } else {
    if (before?.status !== kept.status)
      acc.decisions.push({ item, action: { kind: "keepDeleted", deletedIn }, fields: [] });
    acc.addStateUpdate({ target, before, change: kept });
  }
}

/** Both sides are gone: forget the pair. */
export function planForget(ctx: PlanContext, before: ItemState): void {
  const item: ItemRef = { sharePointId: before.sharePointId, rowRef: null, createRef: null };
  ctx.acc.decisions.push({ item, action: { kind: "forget" }, fields: [] });
  ctx.acc.addStateUpdate({
    target: { kind: "item", sharePointId: before.sharePointId },
    before,
    change: { kind: "drop", requires: null, otherwise: null },
  });
}

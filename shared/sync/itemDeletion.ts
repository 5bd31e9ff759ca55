import { hash } from "node:crypto";
import { type FieldKey, fieldEntry } from "./fieldKey";
import { baseWhenLinked, heldFieldState, unchangedFieldState } from "./fieldStateChange";
import { EMPTY_HASH, type FieldObservation, type FieldSnapshot } from "./fieldValue";
import { cellObservation, type PlanContext, recordOf, sharePointObservation } from "./itemMerge";
import type { ItemState } from "./itemState";
import type { ConflictRecord, FieldStateChange, ItemRef, PutState, WriteRequirement } from "./plan";
import type { Side } from "./side";
import type { ConfluenceRowReading, SharePointItemReading } from "./syncInput";

/**
 * The digest of a delete-vs-edit conflict's survivor: its edited fields (sorted by key) and the hash of what each
 * holds (an unreadable value as such). A deletion settlement is held to it: any edit of the survivor since changes it
 * (a field edited anew, edited again, or set back to its base).
 */
export function survivorDigest(
  edits: readonly { readonly field: FieldKey; readonly value: FieldObservation }[],
): string {
  const fields = edits
    .map(({ field, value }) => [field, value.ok ? value.hash : "unreadable"] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `survivor:${hash("sha256", JSON.stringify(fields), "base64url").slice(0, 22)}`;
}

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
  const removeRow = () => {
    acc.removals.push({ rowRef: row.rowRef, sharePointId });
    return "confluenceWrite" as const;
  };
  decide(ctx, {
    sharePointId,
    item,
    before,
    deletedIn: "sharePoint",
    edits,
    kept,
    hardDelete: removeRow,
    policyDeletes: rules.deletes.toConfluence === "delete",
  });
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
  const policyDeletes = rules.deletes.toSharePoint === "delete";
  const deletes = edits.length === 0 ? policyDeletes : takesDeletion(ctx, sharePointId, edits);
  // Never delete blind: without its eTag an edit we have not seen could be deleted with it.
  if (deletes && eTag === null) {
    acc.needRead(sharePointId);
    return;
  }
  const deleteItem = () => {
    acc.deletes.push({ sharePointId, ifMatch: eTag as string });
    return "sharePointWrite" as const;
  };
  decide(ctx, {
    sharePointId,
    item,
    before,
    deletedIn: "confluence",
    edits,
    kept,
    hardDelete: deleteItem,
    policyDeletes,
  });
}

/** Whether a person settled this item's delete-vs-edit conflict by taking the deletion, and the survivor is as they saw it. */
function takesDeletion(
  ctx: PlanContext,
  sharePointId: string,
  edits: readonly { readonly field: FieldKey; readonly value: FieldObservation }[],
): boolean {
  const settlement = ctx.deletionSettlements?.get(sharePointId);
  return settlement !== undefined && settlement.seen === survivorDigest(edits);
}

/**
 * Once the survivor's edits are known: a delete-vs-edit conflict if it was edited (the pair is kept, deleted on one
 * side), unless a person settled it by taking the deletion and the survivor is as they saw it (the survivor is then
 * deleted, whatever the policy); else the hard delete the policy asks for (the state goes once it is applied); else
 * the pair is kept.
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
    /** Adds the hard delete to the plan and says which write it is. */
    readonly hardDelete: () => WriteRequirement;
    /** Whether the delete policy propagates this deletion. */
    readonly policyDeletes: boolean;
  },
): void {
  const { acc } = ctx;
  const { sharePointId, item, before, deletedIn, edits, kept, hardDelete, policyDeletes } = decision;
  const target = { kind: "item", sharePointId } as const;
  const settlement = edits.length > 0 ? ctx.deletionSettlements?.get(sharePointId) : undefined;
  const survivor = deletedIn === "sharePoint" ? "confluence" : "sharePoint";
  let settled = false;
  if (settlement !== undefined) {
    settled = settlement.seen === survivorDigest(edits);
    acc.deletionSettlements.push(
      settled
        ? { kind: "applied", id: settlement.id, item, deletes: survivor }
        : { kind: "stale", id: settlement.id, item, survivor },
    );
  }
  if (edits.length > 0 && !settled) {
    acc.conflicts.push({ kind: "deleteVsEdit", item, deletedIn, edits });
    acc.decisions.push({ item, action: { kind: "deleteConflict", deletedIn }, fields: [] });
    acc.addStateUpdate({ target, before, change: kept });
  } else if (settled || policyDeletes) {
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

import type { ConflictEntry, ConflictStore } from "../state/conflictStore";
import {
  type CanonicalValue,
  type ConflictRecord,
  canonicalJson,
  type DeletionSettlement,
  type FieldHash,
  type FieldSettlement,
  type ItemRef,
  type ReadyPlan,
  settlementProgress,
  survivorDigest,
} from "../sync";
import { resolutionName, staleReasonText } from "./run/reportItems";
import type { RunOutcomes } from "./run/runOutcomes";

type NewConflictEntry = Omit<ConflictEntry, "openedAt" | "status" | "resolvedAt">;

/** Stable per item and field, so a conflict seen on every run stays one record. */
export function conflictId(item: ItemRef, field: string | null): string {
  const who = item.sharePointId !== null ? `item ${item.sharePointId}` : `row ${(item.rowRef ?? -1) + 1}`;
  return `${who}|${field ?? "(item)"}`;
}

/**
 * Records the plan's conflicts, before any write: a `won` resolution is about to overwrite the losing value, and the
 * record is then the only place it survives.
 */
export async function recordConflicts(
  store: ConflictStore,
  profileKey: string,
  plan: ReadyPlan,
  runId: string,
  at: string,
): Promise<void> {
  // A settlement someone made stale is taken off first, so the record below re-opens the conflict with the new values.
  for (const decision of plan.settlements ?? [])
    if (decision.kind === "stale") await store.reopen(profileKey, decision.id, staleReasonText(decision), at, runId);
  for (const decision of plan.deletionSettlements ?? [])
    if (decision.kind === "stale")
      await store.reopen(
        profileKey,
        decision.id,
        `${decision.survivor === "sharePoint" ? "the SharePoint item" : "the row"} was edited since it was settled; nothing was deleted`,
        at,
        runId,
      );
  if (plan.conflicts.length === 0) return;
  await store.record(plan.conflicts.map((conflict) => conflictEntry(profileKey, conflict, runId, at)));
}

/**
 * Resolves the open conflicts this run found settled: those it no longer reports, and those it resolved by writing
 * the winner. A conflict stays open while its field cannot be read (its state is unknown) or its winning write failed.
 */
export async function resolveSettledConflicts(
  store: ConflictStore,
  profileKey: string,
  plan: ReadyPlan,
  outcomes: RunOutcomes,
  runId: string,
  at: string,
): Promise<number> {
  const open = await store.listOpen(profileKey);
  if (open.length === 0) return 0;
  const stillOpen = new Set<string>();
  // A settlement ends its conflict once the chosen value is written everywhere it was missing. One whose value a
  // side refused cannot succeed by retrying: it is taken off, and the conflict says why. Otherwise it waits.
  // A deletion taken ends its conflict once the survivor's delete landed (a delete refused with 412 waits: the next run
  // finds the survivor edited, and the settlement stale).
  const progress = settlementProgress(plan, outcomes.apply);
  const applied = new Set(progress.done);
  for (const id of progress.pending) stillOpen.add(id);
  for (const decision of plan.settlements ?? []) {
    if (decision.kind !== "applied" || decision.item.sharePointId === null) continue;
    const refusal = [
      ...(outcomes.refused.sharePoint.get(decision.item.sharePointId) ?? []),
      ...(outcomes.refused.confluence.get(decision.item.sharePointId) ?? []),
    ].find((refused) => refused.field === decision.field);
    if (refusal === undefined) continue;
    applied.delete(decision.id);
    stillOpen.add(decision.id);
    await store.reopen(profileKey, decision.id, `the chosen value was refused: ${refusal.message}`, at, runId);
  }
  for (const conflict of plan.conflicts) {
    const field = conflict.kind === "field" ? conflict.field : null;
    const id = conflictId(conflict.item, field);
    if (
      conflict.kind === "deleteVsEdit" ||
      conflict.resolution.kind === "flagged" ||
      !winnerWritten(conflict, outcomes)
    )
      stillOpen.add(id);
  }
  for (const error of plan.fieldErrors) stillOpen.add(conflictId(error.item, error.field));
  for (const id of heldConflictIds(plan)) stillOpen.add(id);
  const settled = open.filter((entry) => !stillOpen.has(entry.id)).map((entry) => entry.id);
  await store.resolve(profileKey, settled, at, runId, applied);
  return settled.length;
}

/**
 * The conflicts whose winning write a gate (or the points budget) held back this run: nothing was written, so an open
 * one stays open, although the plan does not report it (docs/pages-mode.md §5).
 */
export function heldConflictIds(plan: ReadyPlan): string[] {
  return (plan.heldConflicts ?? []).map((conflict) =>
    conflictId(conflict.item, conflict.kind === "field" ? conflict.field : null),
  );
}

function winnerWritten(conflict: Extract<ConflictRecord, { kind: "field" }>, outcomes: RunOutcomes): boolean {
  if (conflict.resolution.kind !== "won") return false;
  const id = conflict.item.sharePointId;
  if (conflict.resolution.winner === "confluence")
    return id !== null && outcomes.apply.sharePointItems.get(id)?.ok === true;
  return outcomes.page?.kind === "applied";
}

function conflictEntry(profileKey: string, conflict: ConflictRecord, runId: string, at: string): NewConflictEntry {
  const item = {
    sharePointId: conflict.item.sharePointId,
    rowKey: conflict.item.rowRef === null ? null : conflict.item.sharePointId,
  };
  if (conflict.kind === "deleteVsEdit") {
    const edited = conflict.edits.map((edit) => edit.field).join(", ");
    const survivor = conflict.deletedIn === "sharePoint" ? "confluence" : "sharePoint";
    return {
      id: conflictId(conflict.item, null),
      profileKey,
      kind: "deleteVsEdit",
      item,
      field: null,
      values: {
        [conflict.deletedIn === "sharePoint" ? "confluence" : "sharePoint"]: Object.fromEntries(
          conflict.edits.map((edit) => [edit.field, edit.value.ok ? (edit.value.value ?? null) : null]),
        ),
      },
      // A settlement taking the deletion is held to the survivor as the person saw it.
      hashes: { [survivor]: survivorDigest(conflict.edits), [conflict.deletedIn]: DELETED },
      resolution: "flagged",
      message: `${describe(conflict.item)} was deleted in ${conflict.deletedIn === "sharePoint" ? "SharePoint" : "Confluence"} but edited on the other side (${edited}); nothing was deleted or re-created`,
      lastSeenAt: at,
      runId,
    };
  }
  const resolution = resolutionName(conflict.resolution);
  const hashes = { sharePoint: conflict.sharePoint.hash, confluence: conflict.confluence.hash };
  const values = {
    ...(conflict.sharePoint.value === undefined ? {} : { sharePoint: conflict.sharePoint.value }),
    ...(conflict.confluence.value === undefined ? {} : { confluence: conflict.confluence.value }),
    ...(conflict.base?.value === undefined ? {} : { base: conflict.base.value }),
  };
  const outcome =
    conflict.resolution.kind === "flagged"
      ? "nothing was written; make the two sides equal to resolve it"
      : `${conflict.resolution.winner === "sharePoint" ? "SharePoint's" : "Confluence's"} value was written (${conflict.resolution.because}); the other value is kept here`;
  return {
    id: conflictId(conflict.item, conflict.field),
    profileKey,
    kind: "field",
    item,
    field: conflict.field,
    values,
    hashes,
    resolution,
    message: `field "${conflict.field}" of ${describe(conflict.item)}: SharePoint ${shown(conflict.sharePoint.value)}, Confluence ${shown(conflict.confluence.value)} (${conflict.cause}); ${outcome}`,
    lastSeenAt: at,
    runId,
  };
}

function describe(item: ItemRef): string {
  if (item.sharePointId !== null)
    return `item ${item.sharePointId}${item.rowRef === null ? "" : ` (row ${item.rowRef + 1})`}`;
  return `row ${(item.rowRef ?? -1) + 1}`;
}

function shown(value: CanonicalValue | undefined): string {
  if (value === undefined) return "(value too long to keep)";
  const text = canonicalJson(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** What a delete-vs-edit conflict records as the hash of its deleted side. */
export const DELETED = "deleted";

/**
 * The settlements people made on the profile's open conflicts, as the planner takes them (one Table Storage query):
 * field settlements, each with the value it chose and the hashes both sides held when it was made; and delete-vs-edit
 * conflicts settled by taking the deletion, each with the survivor's digest then.
 */
export async function pendingSettlementsOf(
  store: ConflictStore,
  profileKey: string,
): Promise<{ readonly fields: FieldSettlement[]; readonly deletions: DeletionSettlement[] }> {
  const entries = await store.listSettled(profileKey);
  return { fields: fieldSettlements(entries), deletions: deletionSettlements(entries) };
}

/** The field settlements of `pendingSettlementsOf` alone (pages mode settles no delete-vs-edit conflict). */
export async function pendingSettlements(store: ConflictStore, profileKey: string): Promise<FieldSettlement[]> {
  return fieldSettlements(await store.listSettled(profileKey));
}

function deletionSettlements(entries: readonly ConflictEntry[]): DeletionSettlement[] {
  return entries.flatMap((entry): DeletionSettlement[] => {
    const settlement = entry.settlement;
    if (settlement?.state !== "pending" || entry.kind !== "deleteVsEdit" || entry.item.sharePointId === null) return [];
    // Only the deletion can be taken (docs/operations.md#settling-conflicts): the chosen side is the deleted one.
    if (settlement.take === "value" || settlement.hashes[settlement.take] !== DELETED) return [];
    const survivor = settlement.take === "sharePoint" ? "confluence" : "sharePoint";
    return [{ id: entry.id, sharePointId: entry.item.sharePointId, seen: settlement.hashes[survivor] }];
  });
}

function fieldSettlements(entries: readonly ConflictEntry[]): FieldSettlement[] {
  return entries.flatMap((entry): FieldSettlement[] => {
    const settlement = entry.settlement;
    if (settlement?.state !== "pending" || entry.kind !== "field") return [];
    if (entry.item.sharePointId === null || entry.field === null) return [];
    const choice =
      settlement.take === "value"
        ? { kind: "value" as const, value: (settlement.value ?? null) as CanonicalValue }
        : { kind: settlement.take };
    return [
      {
        id: entry.id,
        sharePointId: entry.item.sharePointId,
        field: entry.field,
        choice,
        seen: {
          sharePoint: settlement.hashes.sharePoint as FieldHash,
          confluence: settlement.hashes.confluence as FieldHash,
        },
      },
    ];
  });
}

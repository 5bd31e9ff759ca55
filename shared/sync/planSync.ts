import { fieldEntry } from "./fieldKey";
import { baseWhenLinked } from "./fieldStateChange";
import { planForget, planRowGone, planSharePointGone } from "./itemDeletion";
import { cellObservation, type PlanContext, planItemMerge, settlementKey, sharePointObservation } from "./itemMerge";
import type { ItemState, RowOrigin } from "./itemState";
import type { Plan } from "./plan";
import { compareItemIds, PlanAccumulator } from "./planAccumulator";
import { validatePlanInput } from "./planInputValidation";
import type { ConfluenceRowReading, PlanInput, SharePointItemReading } from "./syncInput";
import { pairUnpaired } from "./unpairedItems";
import type { KeylessRow, UnpairedItem } from "./unpairedRows";

/** What the planner knows about a SharePoint item this run. */
type SharePointView =
  | { readonly kind: "present"; readonly reading: SharePointItemReading | null }
  | { readonly kind: "absent" }
  /** Delta mode, an id the state does not know and the delta does not mention: only a read can tell. */
  | { readonly kind: "unknown" }
  /** Full mode, an id the state does not know that may exist unseen: its row is left alone. */
  | { readonly kind: "unseen" };

/**
 * Plans one sync run of one profile: pure, deterministic, no I/O, no clock (time comes in as `runAt`), so a dry run
 * is exactly this call without applying, and its plan is the one the real run would apply.
 *
 * Per item pair and field it applies docs/design.md §3 through {@link mergeField}; pairs items and rows before creating
 * anything (by the id in the key column, the natural key, equal values, or where a created item's row was); propagates
 * deletes per policy with delete-vs-edit as a conflict; stops on duplicate keys or when the deletes exceed the
 * mass-delete limit; and describes the next state so that only applied writes advance it.
 *
 * Throws {@link PlannerInputInvalid} on input that breaks the contract (see `PlanInput`).
 */
export function planSync(input: PlanInput): Plan {
  validatePlanInput(input);
  const { rules, state, sharePoint, confluence } = input;

  const rowsByKey = new Map<string, ConfluenceRowReading[]>();
  const ordered = [...confluence.rows].sort((a, b) => a.rowRef - b.rowRef);
  // The nearest key below each position, so every keyless row knows its keyed neighbours in one pass each way.
  const keyBelow: (string | null)[] = [];
  for (let index = ordered.length - 1, below: string | null = null; index >= 0; index -= 1) {
    keyBelow[index] = below;
    below = ordered[index]?.rowKey ?? below;
  }
  const keyless: KeylessRow[] = [];
  let keyAbove: string | null = null;
  for (const [index, row] of ordered.entries()) {
    if (row.rowKey === null) {
      keyless.push({ row, origin: { afterKey: keyAbove, beforeKey: keyBelow[index] ?? null } });
      continue;
    }
    keyAbove = row.rowKey;
    const rows = rowsByKey.get(row.rowKey);
    if (rows === undefined) rowsByKey.set(row.rowKey, [row]);
    else rows.push(row);
  }
  const duplicates = [...rowsByKey]
    .filter(([, rows]) => rows.length > 1)
    .map(([key, rows]) => ({ key, rowRefs: rows.map((row) => row.rowRef) }));
  if (duplicates.length > 0) {
    const list = duplicates
      .map(({ key, rowRefs }) => `"${key}" (rows ${rowRefs.map((ref) => ref + 1).join(", ")})`)
      .join(", ");
    return {
      kind: "stopped",
      reason: {
        code: "DUPLICATE_KEYS",
        message: `profile "${rules.profileKey}": the key column holds the same SharePoint id in several rows: ${list}; nothing was written. Keep the id in one row and clear it in the others (a row with an empty key becomes a new item).`,
        duplicates,
      },
      decisions: [],
    };
  }

  const readings = new Map<string, SharePointItemReading>(
    (sharePoint.kind === "full" ? sharePoint.items : sharePoint.changed).map((item) => [item.id, item]),
  );
  const deletedIds = new Set(sharePoint.kind === "delta" ? sharePoint.deletedIds : []);
  const unseen = new Set(sharePoint.kind === "full" ? (sharePoint.unseen ?? []) : []);
  const stateById = new Map(state.map((item) => [item.sharePointId, item]));
  const viewOf = (id: string, before: ItemState | null): SharePointView => {
    const reading = readings.get(id);
    if (reading !== undefined) return { kind: "present", reading };
    if (unseen.has(id)) {
      if (before === null) return { kind: "unseen" };
      return before.status === "deletedInSharePoint" ? { kind: "absent" } : { kind: "present", reading: null };
    }
    if (sharePoint.kind === "full" || deletedIds.has(id)) return { kind: "absent" };
    if (before === null) return { kind: "unknown" };
    return before.status === "deletedInSharePoint" ? { kind: "absent" } : { kind: "present", reading: null };
  };

  const ctx: PlanContext = {
    rules,
    runAt: input.runAt,
    pageEditedAt: confluence.page.editedAt,
    acc: new PlanAccumulator(),
    // Most runs have none: no map, no look-up per field.
    ...(input.settlements === undefined || input.settlements.length === 0
      ? {}
      : { settlements: new Map(input.settlements.map((s) => [settlementKey(s.sharePointId, s.field), s])) }),
  };
  const unpaired: UnpairedItem[] = [];
  const orphanedOrigins: RowOrigin[] = [];
  let sharePointTotal = 0;
  const ids = [...new Set([...stateById.keys(), ...rowsByKey.keys(), ...readings.keys()])].sort(compareItemIds);
  for (const id of ids) {
    const before = stateById.get(id) ?? null;
    const row = rowsByKey.get(id)?.[0] ?? null;
    const view = viewOf(id, before);
    if (view.kind === "unknown") {
      if (row !== null) ctx.acc.needRead(id);
      continue;
    }
    if (view.kind === "unseen") continue;
    const status = before?.status ?? null;
    if (view.kind === "present") {
      sharePointTotal += 1;
      if (row !== null) {
        mergeByKey(ctx, id, before, row, view.reading);
      } else if (before !== null && (status === "active" || status === "deletedInConfluence")) {
        planRowGone(ctx, id, before, view.reading);
      } else {
        unpaired.push({ sharePointId: id, reading: view.reading, before, storedBases: status === "awaitingRow" });
      }
    } else if (row !== null) {
      const bases = status === "deletedInConfluence" || status === null ? "none" : "stored";
      planSharePointGone(ctx, id, before, row, bases);
    } else if (before !== null) {
      // An item deleted before its row got its id leaves that row without history the planner can see.
      if (before.awaitedRow !== undefined) orphanedOrigins.push(before.awaitedRow);
      planForget(ctx, before);
    }
  }

  const keyedRowRefs = new Map(
    [...rowsByKey].flatMap(([key, rows]) => (rows[0] === undefined ? [] : [[key, rows[0].rowRef] as const])),
  );
  pairUnpaired(ctx, unpaired, keyless, keyedRowRefs, orphanedOrigins);
  const given = { sharePoint: sharePointTotal, confluence: confluence.rows.length };
  const totals =
    input.totals === undefined
      ? given
      : {
          sharePoint: Math.max(given.sharePoint, input.totals.sharePoint),
          confluence: Math.max(given.confluence, input.totals.confluence),
        };
  return ctx.acc.finish(rules, totals, confluence.page.version);
}

/** An item and the row whose key column holds its id: an existing pair, or one found by its key. */
function mergeByKey(
  ctx: PlanContext,
  id: string,
  before: ItemState | null,
  row: ConfluenceRowReading,
  reading: SharePointItemReading | null,
): void {
  const status = before?.status ?? null;
  const existing = status === "active";
  // An awaitingRow item keeps the bases of its create; a pair that re-appears after a deletion starts afresh.
  const stored = existing || status === "awaitingRow" ? before : null;
  planItemMerge(ctx, {
    item: { sharePointId: id, rowRef: row.rowRef, createRef: null },
    action: existing ? { kind: "update" } : { kind: "pair", by: "key" },
    target: { kind: "item", sharePointId: id },
    before,
    base: (key) => {
      const field = stored === null ? undefined : fieldEntry(stored.fields, key);
      return stored === null || field === undefined
        ? null
        : baseWhenLinked(stored.status, field, cellObservation(row, key));
    },
    disputed: (key) => (stored === null ? false : fieldEntry(stored.fields, key)?.disputed === true),
    sharePoint: (key) => sharePointObservation(key, reading, before),
    confluence: (key) => cellObservation(row, key),
    sharePointModifiedAt: reading?.modifiedAt ?? before?.sharePointModifiedAt ?? null,
    sharePointETag: reading?.eTag ?? before?.sharePointETag ?? null,
    confluenceModifiedAt: row.editedAt,
    sharePointWrite: { kind: "update", sharePointId: id },
    confluenceWrite: { kind: "row", rowRef: row.rowRef, afterCreate: null },
    keyWriteBack: null,
    status: "active",
    pairRequires: [],
    statusIfPairFailed: null,
    awaitedRow: null,
  });
}

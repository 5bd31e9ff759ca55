import { fieldEntry } from "./fieldKey";
import { baseWhenLinked } from "./fieldStateChange";
import { planForget, planRowGone, planSharePointGone } from "./itemDeletion";
import { cellObservation, type PlanContext, planItemMerge, settlementKey, sharePointObservation } from "./itemMerge";
import type { ItemState, RowOrigin } from "./itemState";
import type { Plan } from "./plan";
import { compareItemIds, PlanAccumulator } from "./planAccumulator";
import { validatePlanInput } from "./planInputValidation";
import type { ConfluenceRowReading, PlanInput, RowRef, SettledRow, SharePointItemReading } from "./syncInput";
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
  const settledRows = confluence.settledRows ?? [];

  const rowsByKey = new Map<string, ConfluenceRowReading[]>();
  const ordered = [...confluence.rows].sort((a, b) => a.rowRef - b.rowRef);
  const keylessRows: ConfluenceRowReading[] = [];
  for (const row of ordered) {
    if (row.rowKey === null) {
      keylessRows.push(row);
      continue;
    }
    const rows = rowsByKey.get(row.rowKey);
    if (rows === undefined) rowsByKey.set(row.rowKey, [row]);
    else rows.push(row);
  }
  // Settled rows matter only by where they are; every row's position is worked out only when something asks for it
  // (a keyless row, an item looking for its row), so a run with settled rows plans in time that follows its changes.
  const positions = lazily(() => rowPositions(ordered, settledRows));
  const keyless: KeylessRow[] = keylessRows.map((row) => ({ row, origin: positions().originOf(row.rowRef) }));
  const settledKeys = new Set<string>();
  let settledDuplicate = false;
  for (const row of settledRows) {
    if (rowsByKey.has(row.rowKey) || settledKeys.has(row.rowKey)) settledDuplicate = true;
    settledKeys.add(row.rowKey);
  }
  const duplicates = settledDuplicate ? positions().duplicates : duplicateKeys(rowsByKey);
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
    ...(input.deletionSettlements === undefined || input.deletionSettlements.length === 0
      ? {}
      : { deletionSettlements: new Map(input.deletionSettlements.map((s) => [s.sharePointId, s])) }),
  };
  const unpaired: UnpairedItem[] = [];
  const orphanedOrigins: RowOrigin[] = [];
  // Each settled row's item is there, unchanged, and paired with it; each idle awaiting item is there too.
  let sharePointTotal = settledRows.length + (input.idleAwaitingItems ?? 0);
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

  pairUnpaired(ctx, unpaired, keyless, { get: (key) => positions().rowRefOf(key) }, orphanedOrigins);
  const given = { sharePoint: sharePointTotal, confluence: confluence.rows.length + settledRows.length };
  // Pages mode plans a part of the items and pages: the mass-delete limit counts all of them.
  const totals =
    input.totals === undefined
      ? given
      : {
          sharePoint: Math.max(given.sharePoint, input.totals.sharePoint),
          confluence: Math.max(given.confluence, input.totals.confluence),
        };
  return ctx.acc.finish(rules, totals, confluence.page.version);
}

/** Keys held by several rows, in table order, each with its rows' positions. */
function duplicateKeys(rowsByKey: ReadonlyMap<string, readonly { readonly rowRef: number }[]>): DuplicateKey[] {
  return [...rowsByKey]
    .filter(([, rows]) => rows.length > 1)
    .map(([key, rows]) => ({ key, rowRefs: rows.map((row) => row.rowRef) }));
}

type DuplicateKey = { key: string; rowRefs: number[] };

/** Where every keyed row of the table is, read rows and settled rows together. */
interface RowPositions {
  /** The first row holding `key`. */
  rowRefOf(key: string): RowRef | undefined;
  /** The nearest keys above and below a (keyless) row. */
  originOf(rowRef: RowRef): RowOrigin;
  readonly duplicates: DuplicateKey[];
}

function rowPositions(rows: readonly ConfluenceRowReading[], settled: readonly SettledRow[]): RowPositions {
  const all: { readonly rowRef: RowRef; readonly rowKey: string | null }[] = [...rows, ...settled].sort(
    (a, b) => a.rowRef - b.rowRef,
  );
  const byKey = new Map<string, { rowRef: number }[]>();
  const origins = new Map<RowRef, RowOrigin>();
  // The nearest key below each position, so every keyless row knows its keyed neighbours in one pass each way.
  const keyBelow: (string | null)[] = [];
  for (let index = all.length - 1, below: string | null = null; index >= 0; index -= 1) {
    keyBelow[index] = below;
    below = all[index]?.rowKey ?? below;
  }
  let keyAbove: string | null = null;
  for (const [index, row] of all.entries()) {
    if (row.rowKey === null) {
      origins.set(row.rowRef, { afterKey: keyAbove, beforeKey: keyBelow[index] ?? null });
      continue;
    }
    keyAbove = row.rowKey;
    const held = byKey.get(row.rowKey);
    if (held === undefined) byKey.set(row.rowKey, [row]);
    else held.push(row);
  }
  return {
    rowRefOf: (key) => byKey.get(key)?.[0]?.rowRef,
    originOf: (rowRef) => origins.get(rowRef) ?? { afterKey: null, beforeKey: null },
    duplicates: duplicateKeys(byKey),
  };
}

function lazily<T>(compute: () => T): () => T {
  let value: { readonly computed: T } | undefined;
  return () => {
    value ??= { computed: compute() };
    return value.computed;
  };
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

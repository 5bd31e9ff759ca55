import { fieldEntry, type FieldKey } from "./fieldKey";
import { baseWhenLinked, heldFieldState, unchangedFieldState } from "./fieldStateChange";
import { EMPTY_HASH, type FieldObservation } from "./fieldValue";
import { planForget, planRowGone, planSharePointGone } from "./itemDeletion";
import {
  cellObservation,
  EMPTY_OBSERVATION,
  planItemMerge,
  recordOf,
  sharePointObservation,
  type PlanContext,
} from "./itemMerge";
import type { ItemState, RowOrigin } from "./itemState";
import type { CreateRef, ItemRef, Plan, SkipCode } from "./plan";
import { compareItemIds, PlanAccumulator } from "./planAccumulator";
import { PlannerInputInvalid } from "./plannerInputInvalid";
import { flowsTo } from "./side";
import type { ConfluenceRowReading, PlanInput, RowRef, SharePointItemReading } from "./syncInput";
import { matchUnpaired, type MatchCandidate, type MatchedBy } from "./unpairedMatching";

/** What the planner knows about a SharePoint item this run. */
type SharePointView =
  | { readonly kind: "present"; readonly reading: SharePointItemReading | null }
  | { readonly kind: "absent" }
  /** Delta mode, an id the state does not know and the delta does not mention: only a read can tell. */
  | { readonly kind: "unknown" };

/** A SharePoint item with no linked row: to be matched with a keyless row, or appended. */
interface UnpairedItem {
  readonly sharePointId: string;
  readonly reading: SharePointItemReading | null;
  readonly before: ItemState | null;
  /** Whether the stored bases apply (an `awaitingRow` item); a re-appearing deleted item starts afresh. */
  readonly storedBases: boolean;
}

/** A row people added (empty key cell) and where it sits. */
interface KeylessRow {
  readonly row: ConfluenceRowReading;
  readonly origin: RowOrigin;
}

/**
 * The keyless rows that may be the row of that origin: those still between its keyed neighbours. A neighbour that
 * is gone (or neighbours that swapped) widen the stretch to the table's edge, so the row is never missed.
 */
function rowsWithin(origin: RowOrigin, keyedRowRefs: ReadonlyMap<string, RowRef>, rows: Iterable<KeylessRow>): KeylessRow[] {
  let start = origin.afterKey === null ? -Infinity : (keyedRowRefs.get(origin.afterKey) ?? -Infinity);
  let end = origin.beforeKey === null ? Infinity : (keyedRowRefs.get(origin.beforeKey) ?? Infinity);
  if (start > end) [start, end] = [-Infinity, Infinity];
  return [...rows].filter(({ row }) => row.rowRef > start && row.rowRef < end);
}

function describeOrigin(origin: RowOrigin): string {
  const after = origin.afterKey === null ? "the top of the table" : `the row of item ${origin.afterKey}`;
  const before = origin.beforeKey === null ? "the end of the table" : `the row of item ${origin.beforeKey}`;
  return `between ${after} and ${before}`;
}

/**
 * Plans one sync run of one profile: pure, deterministic, no I/O, no clock (time comes in as `runAt`), so a dry run
 * is exactly this call without applying, and its plan is the one the real run would apply.
 *
 * Per item pair and field it applies DESIGN.md §3 through {@link mergeField}; pairs items and rows before creating
 * anything (by the id in the key column, the natural key, equal values, or where a created item's row was); propagates
 * deletes per policy with delete-vs-edit as a conflict; stops on duplicate keys or when the deletes exceed the
 * mass-delete limit; and describes the next state so that only applied writes advance it.
 *
 * Throws {@link PlannerInputInvalid} on input that breaks the contract (see `PlanInput`).
 */
export function planSync(input: PlanInput): Plan {
  validate(input);
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
    const list = duplicates.map(({ key, rowRefs }) => `"${key}" (rows ${rowRefs.map((ref) => ref + 1).join(", ")})`).join(", ");
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
  const stateById = new Map(state.map((item) => [item.sharePointId, item]));
  const viewOf = (id: string, before: ItemState | null): SharePointView => {
    const reading = readings.get(id);
    if (reading !== undefined) return { kind: "present", reading };
    if (sharePoint.kind === "full" || deletedIds.has(id)) return { kind: "absent" };
    if (before === null) return { kind: "unknown" };
    return before.status === "deletedInSharePoint" ? { kind: "absent" } : { kind: "present", reading: null };
  };

  const ctx: PlanContext = { rules, runAt: input.runAt, pageEditedAt: confluence.page.editedAt, acc: new PlanAccumulator() };
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

  const keyedRowRefs = new Map([...rowsByKey].flatMap(([key, rows]) => (rows[0] === undefined ? [] : [[key, rows[0].rowRef] as const])));
  pairUnpaired(ctx, unpaired, keyless, keyedRowRefs, orphanedOrigins);
  return ctx.acc.finish(rules, { sharePoint: sharePointTotal, confluence: confluence.rows.length }, confluence.page.version);
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
      return stored === null || field === undefined ? null : baseWhenLinked(stored.status, field, cellObservation(row, key));
    },
    disputed: (key) => (stored === null ? false : fieldEntry(stored.fields, key)?.disputed === true),
    sharePoint: (key) => sharePointObservation(key, reading, before),
    confluence: (key) => cellObservation(row, key),
    sharePointModifiedAt: reading?.modifiedAt ?? before?.sharePointModifiedAt ?? null,
    sharePointETag: reading?.eTag ?? before?.sharePointETag ?? null,
    sharePointWrite: { kind: "update", sharePointId: id },
    confluenceWrite: { kind: "row", rowRef: row.rowRef, afterCreate: null },
    keyWriteBack: null,
    status: "active",
    pairRequires: [],
    statusIfPairFailed: null,
    awaitedRow: null,
  });
}

/**
 * Unpaired items and keyless rows: matched first (natural key, equal values, then where a created item's row was),
 * and only what stays unmatched is appended or created.
 */
function pairUnpaired(
  ctx: PlanContext,
  items: readonly UnpairedItem[],
  rows: readonly KeylessRow[],
  keyedRowRefs: ReadonlyMap<string, RowRef>,
  /** Where rows were whose items were deleted before the rows got their ids. */
  orphanedOrigins: readonly RowOrigin[],
): void {
  const { rules, acc } = ctx;
  // A created item holds exactly the fields that flow to SharePoint, so those are what identifies a row's item.
  const compared = rules.fields.filter((rule) => flowsTo(rule.direction, "sharePoint"));
  const comparedKeys = (compared.length > 0 ? compared : rules.fields).map((rule) => rule.key);
  // Items are only created (appended) when a mapped field can carry something there.
  const createsItems = flowsTo(rules.itemDirection, "sharePoint") && compared.length > 0;
  const appendsRows = flowsTo(rules.itemDirection, "confluence") && rules.fields.some((rule) => flowsTo(rule.direction, "confluence"));
  const naturalKeyOf = (value: FieldObservation | undefined) =>
    value !== undefined && value.ok && value.hash !== EMPTY_HASH ? value.hash : null;
  const signatureOf = (values: readonly (FieldObservation | undefined)[]) =>
    values.every((value) => value !== undefined && value.ok)
      ? values.map((value) => (value !== undefined && value.ok ? value.hash : "")).join(",")
      : null;

  const itemCandidates: MatchCandidate<UnpairedItem>[] = [];
  for (const item of items) {
    const observe = (key: FieldKey) => sharePointObservation(key, item.reading, item.before);
    const values = comparedKeys.map(observe);
    if (values.includes(undefined)) {
      acc.needRead(item.sharePointId);
      continue;
    }
    itemCandidates.push({
      ref: item,
      naturalKey: rules.matchBy === null ? null : naturalKeyOf(observe(rules.matchBy)),
      values: signatureOf(values),
    });
  }
  const rowCandidates = rows.map(
    (keylessRow): MatchCandidate<KeylessRow> => ({
      ref: keylessRow,
      naturalKey: rules.matchBy === null ? null : naturalKeyOf(cellObservation(keylessRow.row, rules.matchBy)),
      values: signatureOf(comparedKeys.map((key) => cellObservation(keylessRow.row, key))),
    }),
  );
  // An item linked to a row before (created from it, or matched with it, but the id never reached the row) belongs
  // where that row was: preferred there among equal-valued items, and never appended as a second row.
  const belongsThere = (item: UnpairedItem, keylessRow: KeylessRow) => {
    const origin = item.before?.awaitedRow;
    return origin !== undefined && rowsWithin(origin, keyedRowRefs, [keylessRow]).length > 0;
  };
  const matched = matchUnpaired(itemCandidates, rowCandidates, {
    unkeyedValuesFirst: rules.matchBy !== null && !rules.fields.some((rule) => rule.key === rules.matchBy && flowsTo(rule.direction, "sharePoint")),
    prefers: belongsThere,
  });
  const pairs: { item: UnpairedItem; row: KeylessRow; by: MatchedBy; contested: boolean }[] = [];
  const heldRows = new Set<KeylessRow>();
  const skip = (item: ItemRef, code: SkipCode, message: string) =>
    acc.decisions.push({ item, action: { kind: "skip", code, message }, fields: [] });

  for (const { naturalKey, items: keyedItems, rows: keyedRows } of matched.ambiguous) {
    const display = describeNaturalKey(keyedRows, rules.matchBy, naturalKey);
    const message =
      `natural key ${display} is held by SharePoint item(s) ${keyedItems.map((i) => i.sharePointId).join(", ")} and ` +
      `row(s) ${keyedRows.map((r) => r.row.rowRef + 1).join(", ")}: which belongs to which is not guessed. Write the ` +
      `item id into the key column of the row that belongs to it.`;
    for (const item of keyedItems) {
      rememberUnpaired(ctx, item);
      skip({ sharePointId: item.sharePointId, rowRef: null, createRef: null }, "AMBIGUOUS_MATCH", message);
    }
    for (const keylessRow of keyedRows) {
      heldRows.add(keylessRow);
      skip({ sharePointId: null, rowRef: keylessRow.row.rowRef, createRef: null }, "AMBIGUOUS_MATCH", message);
    }
  }

  // Items still looking for the row they were linked to: the one keyless row left where it was, or none (the row
  // is gone: a row deletion like any other), or several (reported; none of them created meanwhile). A row they might
  // be looking for (or that an item deleted meanwhile was linked to) that was matched with another item is merged
  // without assuming anything agreed: it may have a history that is not visible.
  const rowsLeft = new Set(matched.unmatchedRows);
  const awaiting = matched.unmatchedItems.filter((item) => item.before?.awaitedRow !== undefined);
  // An item held up by an ambiguous natural key may still be looking for its row: rows where that was are not
  // created meanwhile either.
  for (const item of matched.ambiguous.flatMap((group) => group.items)) {
    const origin = item.before?.awaitedRow;
    if (origin === undefined) continue;
    for (const keylessRow of rowsWithin(origin, keyedRowRefs, rowsLeft)) {
      heldRows.add(keylessRow);
      rowsLeft.delete(keylessRow);
      skip({ sharePointId: null, rowRef: keylessRow.row.rowRef, createRef: null }, "AWAITING_KEY", `row ${keylessRow.row.rowRef + 1} may be the row of item ${item.sharePointId}, whose natural key is ambiguous; write the id into the key column of its row`);
    }
  }
  const regionOf = (item: UnpairedItem, among: Iterable<KeylessRow>) =>
    item.before?.awaitedRow === undefined ? [] : rowsWithin(item.before.awaitedRow, keyedRowRefs, among);
  const matchedRows = matched.pairs.map((p) => p.row);
  const contested = new Set([
    ...awaiting.flatMap((item) => regionOf(item, matchedRows)),
    ...orphanedOrigins.flatMap((origin) => rowsWithin(origin, keyedRowRefs, matchedRows)),
  ]);
  for (const { item, row, by } of matched.pairs) pairs.push({ item, row, by, contested: contested.has(row) });
  // Decided all at once, against the same rows: one item's outcome must not change what another one can see.
  const candidatesOf = new Map(awaiting.map((item) => [item, regionOf(item, rowsLeft)]));
  const claims = new Map<KeylessRow, number>();
  for (const candidates of candidatesOf.values()) for (const candidate of candidates) claims.set(candidate, (claims.get(candidate) ?? 0) + 1);
  for (const item of awaiting) {
    const candidates = candidatesOf.get(item) ?? [];
    const [only] = candidates;
    if (candidates.length === 1 && only !== undefined && claims.get(only) === 1) {
      pairs.push({ item, row: only, by: "position", contested: true });
      rowsLeft.delete(only);
    } else if (candidates.length === 0) {
      if (item.before !== null) planRowGone(ctx, item.sharePointId, item.before, item.reading);
    } else {
      const where = item.before?.awaitedRow === undefined ? "" : ` ${describeOrigin(item.before.awaitedRow)}`;
      const message =
        `the sync linked item ${item.sharePointId} to a row${where} but could not write its id into that row, and ` +
        `cannot tell which row it is now. Write the id into the key column of its row; rows without a key there are ` +
        `not created meanwhile.`;
      rememberUnpaired(ctx, item);
      skip({ sharePointId: item.sharePointId, rowRef: null, createRef: null }, "AWAITING_KEY", message);
      for (const keylessRow of candidates) {
        heldRows.add(keylessRow);
        rowsLeft.delete(keylessRow);
        skip({ sharePointId: null, rowRef: keylessRow.row.rowRef, createRef: null }, "AWAITING_KEY", message);
      }
    }
  }

  for (const { item, row: keylessRow, by, contested } of pairs) {
    const { row } = keylessRow;
    // Without its id in the row, nothing proves a row is the one an item was linked to before (or that a row some
    // item may be looking for has no history): nothing is then taken as agreed, and every difference is a recorded
    // conflict, never a silent overwrite or fill.
    const doubtful = contested || item.before?.awaitedRow !== undefined;
    const stored = item.storedBases && !doubtful ? item.before : null;
    planItemMerge(ctx, {
      item: { sharePointId: item.sharePointId, rowRef: row.rowRef, createRef: null },
      action: { kind: "pair", by },
      target: { kind: "item", sharePointId: item.sharePointId },
      before: item.before,
      base: (key) => (stored === null ? null : (fieldEntry(stored.fields, key)?.base ?? null)),
      disputed: (key) => doubtful || (stored !== null && fieldEntry(stored.fields, key)?.disputed === true),
        sharePoint: (key) => sharePointObservation(key, item.reading, item.before),
      confluence: (key) => cellObservation(row, key),
      sharePointModifiedAt: item.reading?.modifiedAt ?? item.before?.sharePointModifiedAt ?? null,
      sharePointETag: item.reading?.eTag ?? item.before?.sharePointETag ?? null,
      sharePointWrite: { kind: "update", sharePointId: item.sharePointId },
      confluenceWrite: { kind: "row", rowRef: row.rowRef, afterCreate: null },
      keyWriteBack: { rowRef: row.rowRef, key: { kind: "existing", sharePointId: item.sharePointId } },
      status: "active",
      pairRequires: ["confluenceWrite"],
      statusIfPairFailed: "awaitingRow",
      awaitedRow: keylessRow.origin,
    });
  }

  for (const item of matched.unmatchedItems) {
    if (item.before?.awaitedRow !== undefined) continue; // it has a row (handled above): never append another
    if (!appendsRows) {
      if (rememberUnpaired(ctx, item)) {
        skip(
          { sharePointId: item.sharePointId, rowRef: null, createRef: null },
          "NOT_APPENDED_DIRECTION",
          `profile "${rules.profileKey}" syncs no field toward Confluence, so new SharePoint items get no row`,
        );
      }
      continue;
    }
    planItemMerge(ctx, {
      item: { sharePointId: item.sharePointId, rowRef: null, createRef: null },
      action: { kind: "appendToConfluence" },
      target: { kind: "item", sharePointId: item.sharePointId },
      before: item.before,
      base: () => null,
      disputed: () => false,
      sharePoint: (key) => sharePointObservation(key, item.reading, item.before),
      confluence: () => EMPTY_OBSERVATION,
      sharePointModifiedAt: item.reading?.modifiedAt ?? item.before?.sharePointModifiedAt ?? null,
      sharePointETag: item.reading?.eTag ?? item.before?.sharePointETag ?? null,
      sharePointWrite: { kind: "update", sharePointId: item.sharePointId },
      confluenceWrite: { kind: "append", sharePointId: item.sharePointId },
      keyWriteBack: null,
      status: "active",
      pairRequires: ["confluenceWrite"],
      statusIfPairFailed: "awaitingRow",
      awaitedRow: null,
    });
  }

  for (const keylessRow of rows) {
    if (!rowsLeft.has(keylessRow) || heldRows.has(keylessRow)) continue;
    const { row } = keylessRow;
    const item: ItemRef = { sharePointId: null, rowRef: row.rowRef, createRef: null };
    if (!createsItems) {
      skip(item, "NOT_CREATED_DIRECTION", `profile "${rules.profileKey}" syncs no field toward SharePoint, so rows added in Confluence are not created there`);
      continue;
    }
    const unreadable = compared.flatMap((rule) => {
      const value = cellObservation(row, rule.key);
      return value.ok ? [] : [{ field: rule.key, error: value.error }];
    });
    if (unreadable.length > 0) {
      for (const { field, error } of unreadable) acc.fieldErrors.push({ item, field, side: "confluence", error });
      skip(item, "INVALID_CELLS", `row ${row.rowRef + 1} is created in SharePoint once its cells ${unreadable.map((u) => `"${u.field}"`).join(", ")} can be read`);
      continue;
    }
    const createRef: CreateRef = `row:${row.rowRef}`;
    planItemMerge(ctx, {
      item: { sharePointId: null, rowRef: row.rowRef, createRef },
      action: { kind: "createInSharePoint" },
      target: { kind: "create", createRef },
      before: null,
      base: () => null,
      disputed: () => false,
      sharePoint: () => EMPTY_OBSERVATION,
      confluence: (key) => cellObservation(row, key),
      sharePointModifiedAt: null,
      sharePointETag: null,
      sharePointWrite: { kind: "create", createRef, rowRef: row.rowRef },
      confluenceWrite: { kind: "row", rowRef: row.rowRef, afterCreate: createRef },
      keyWriteBack: { rowRef: row.rowRef, key: { kind: "created", createRef } },
      status: "active",
      pairRequires: ["sharePointWrite", "confluenceWrite"],
      statusIfPairFailed: "awaitingRow",
      awaitedRow: keylessRow.origin,
    });
  }
}

/**
 * Keeps an item with no row in the state (`awaitingRow`) with its current values, so later runs still see it when
 * the delta no longer lists it. Returns whether that changes the stored state.
 */
function rememberUnpaired(ctx: PlanContext, item: UnpairedItem): boolean {
  const { rules, acc } = ctx;
  const stored = item.storedBases ? item.before : null;
  const fields = rules.fields.flatMap((rule) => {
    const value = sharePointObservation(rule.key, item.reading, item.before);
    if (value === undefined) return [];
    const base = stored === null ? null : (fieldEntry(stored.fields, rule.key)?.base ?? null);
    return [[rule.key, unchangedFieldState(heldFieldState(base, value, rules.storedValueMaxChars))] as const];
  });
  const before = acc.stateUpdates.length;
  acc.addStateUpdate({
    target: { kind: "item", sharePointId: item.sharePointId },
    before: item.before,
    change: {
      kind: "put",
      status: "awaitingRow",
      pairRequires: [],
      statusIfPairFailed: null,
      sharePointETag: item.reading?.eTag ?? item.before?.sharePointETag ?? null,
      sharePointModifiedAt: item.reading?.modifiedAt ?? item.before?.sharePointModifiedAt ?? null,
      fields: recordOf(fields),
      awaitedRow: item.before?.awaitedRow ?? null,
      lastSyncedAt: ctx.runAt,
    },
  });
  return acc.stateUpdates.length > before;
}

function describeNaturalKey(rows: readonly KeylessRow[], matchBy: FieldKey | null, hash: string): string {
  const first = rows[0];
  if (first === undefined || matchBy === null) return hash;
  const value = cellObservation(first.row, matchBy);
  return value.ok && value.value !== undefined ? JSON.stringify(value.value) : hash;
}

function validate(input: PlanInput): void {
  const profile = `profile "${input.rules.profileKey}"`;
  const seen = new Set<string>();
  const items = input.sharePoint.kind === "full" ? input.sharePoint.items : input.sharePoint.changed;
  for (const item of items) {
    if (seen.has(item.id)) throw new PlannerInputInvalid(`${profile}: SharePoint item ${item.id} is listed twice; the reader must keep only its latest state`);
    seen.add(item.id);
  }
  if (input.sharePoint.kind === "delta") {
    for (const id of input.sharePoint.deletedIds) {
      if (seen.has(id)) throw new PlannerInputInvalid(`${profile}: SharePoint item ${id} is listed as both changed and deleted`);
    }
  }
  const rowRefs = new Set<number>();
  for (const row of input.confluence.rows) {
    if (rowRefs.has(row.rowRef)) throw new PlannerInputInvalid(`${profile}: two Confluence rows share rowRef ${row.rowRef}`);
    rowRefs.add(row.rowRef);
  }
  const stateIds = new Set<string>();
  for (const item of input.state) {
    if (stateIds.has(item.sharePointId)) throw new PlannerInputInvalid(`${profile}: the state holds item ${item.sharePointId} twice`);
    stateIds.add(item.sharePointId);
  }
}

import { describeOrigin, type KeyedRowRefs, resolveAwaitedItems, rowsWithin } from "./awaitedRows";
import { type FieldKey, fieldEntry } from "./fieldKey";
import { heldFieldState, unchangedFieldState } from "./fieldStateChange";
import { EMPTY_HASH, type FieldObservation } from "./fieldValue";
import { planRowGone } from "./itemDeletion";
import {
  cellObservation,
  EMPTY_OBSERVATION,
  type PlanContext,
  planItemMerge,
  recordOf,
  sharePointObservation,
} from "./itemMerge";
import type { RowOrigin } from "./itemState";
import type { CreateRef, ItemRef, SkipCode } from "./plan";
import { flowsTo } from "./side";
import { appendsRows, type FieldRule, type SyncRules } from "./syncRules";
import { type MatchCandidate, type MatchedBy, matchUnpaired } from "./unpairedMatching";
import type { KeylessRow, UnpairedItem } from "./unpairedRows";

/** The fields that identify a row's item: a created item holds exactly the fields that flow to SharePoint. */
function comparedFields(rules: SyncRules): readonly FieldRule[] {
  const toSharePoint = rules.fields.filter((rule) => flowsTo(rule.direction, "sharePoint"));
  return toSharePoint.length > 0 ? toSharePoint : rules.fields;
}

/**
 * Unpaired items and keyless rows: paired first (see `matchUnpaired`, then where an awaiting item's row was), and
 * only what stays unpaired is appended or created.
 */
export function pairUnpaired(
  ctx: PlanContext,
  items: readonly UnpairedItem[],
  rows: readonly KeylessRow[],
  keyedRowRefs: KeyedRowRefs,
  /** Where rows were whose items were deleted before the rows got their ids. */
  orphanedOrigins: readonly RowOrigin[],
): void {
  const { rules, acc } = ctx;
  const belongsThere = (item: UnpairedItem, keylessRow: KeylessRow) => {
    const origin = item.before?.awaitedRow;
    return origin !== undefined && rowsWithin(origin, keyedRowRefs, [keylessRow]).length > 0;
  };
  const naturalKeyFlowsToSharePoint = rules.fields.some(
    (rule) => rule.key === rules.matchBy && flowsTo(rule.direction, "sharePoint"),
  );
  const matched = matchUnpaired(itemCandidates(ctx, items), rowCandidates(rules, rows), {
    // Created items never carry a natural key that does not flow to SharePoint: let them find their rows first.
    unkeyedValuesFirst: rules.matchBy !== null && !naturalKeyFlowsToSharePoint,
    // An item linked to a row before belongs where that row was.
    prefers: belongsThere,
  });
  const held = new Set<KeylessRow>();
  const skip = (item: ItemRef, code: SkipCode, message: string) =>
    acc.decisions.push({ item, action: { kind: "skip", code, message }, fields: [] });
  const hold = (keylessRow: KeylessRow, code: SkipCode, message: string) => {
    held.add(keylessRow);
    skip({ sharePointId: null, rowRef: keylessRow.row.rowRef, createRef: null }, code, message);
  };

  for (const { naturalKey, items: keyedItems, rows: keyedRows } of matched.ambiguous) {
    const message =
      `natural key ${describeNaturalKey(keyedRows, rules.matchBy, naturalKey)} is held by SharePoint item(s) ` +
      `${keyedItems.map((i) => i.sharePointId).join(", ")} and row(s) ${keyedRows.map((r) => r.row.rowRef + 1).join(", ")}: ` +
      `which belongs to which is not guessed. Write the item id into the key column of the row that belongs to it.`;
    for (const item of keyedItems) {
      rememberUnpaired(ctx, item);
      skip({ sharePointId: item.sharePointId, rowRef: null, createRef: null }, "AMBIGUOUS_MATCH", message);
    }
    for (const keylessRow of keyedRows) hold(keylessRow, "AMBIGUOUS_MATCH", message);
  }

  const rowsLeft = new Set(matched.unmatchedRows);
  // An item held up by an ambiguous natural key may still be looking for its row: rows where that was wait too.
  for (const item of matched.ambiguous.flatMap((group) => group.items)) {
    if (item.before?.awaitedRow === undefined) continue;
    for (const keylessRow of rowsWithin(item.before.awaitedRow, keyedRowRefs, rowsLeft)) {
      rowsLeft.delete(keylessRow);
      hold(
        keylessRow,
        "AWAITING_KEY",
        `row ${keylessRow.row.rowRef + 1} may be the row of item ${item.sharePointId}, whose natural key is ambiguous; write the id into the key column of its row`,
      );
    }
  }

  // Items still looking for the row they were linked to (the id never reached it).
  const awaiting = matched.unmatchedItems.filter((item) => item.before?.awaitedRow !== undefined);
  const resolution = resolveAwaitedItems(awaiting, rowsLeft, keyedRowRefs);
  for (const item of resolution.gone)
    if (item.before !== null) planRowGone(ctx, item.sharePointId, item.before, item.reading);
  for (const { item, candidates } of resolution.unresolved) {
    const where = item.before?.awaitedRow === undefined ? "" : ` ${describeOrigin(item.before.awaitedRow)}`;
    const message =
      `the sync linked item ${item.sharePointId} to a row${where} but could not write its id into that row, and ` +
      `cannot tell which row it is now. Write the id into the key column of its row; rows without a key there are ` +
      `not created meanwhile.`;
    rememberUnpaired(ctx, item);
    skip({ sharePointId: item.sharePointId, rowRef: null, createRef: null }, "AWAITING_KEY", message);
    for (const keylessRow of candidates) {
      rowsLeft.delete(keylessRow);
      hold(keylessRow, "AWAITING_KEY", message);
    }
  }

  // A row an awaiting item (or an item deleted before its row got its id) may be looking for, matched with another
  // item, may have a history that is not visible.
  const matchedRows = matched.pairs.map((pair) => pair.row);
  const contested = new Set([
    ...awaiting.flatMap((item) =>
      item.before?.awaitedRow === undefined ? [] : rowsWithin(item.before.awaitedRow, keyedRowRefs, matchedRows),
    ),
    ...orphanedOrigins.flatMap((origin) => rowsWithin(origin, keyedRowRefs, matchedRows)),
  ]);
  for (const { item, row, by } of matched.pairs) mergeFoundPair(ctx, item, row, by, contested.has(row));
  for (const { item, row } of resolution.found) {
    rowsLeft.delete(row);
    mergeFoundPair(ctx, item, row, "position", true);
  }

  for (const item of matched.unmatchedItems) {
    if (item.before?.awaitedRow !== undefined) continue; // it has a row (handled above): never append another
    appendItem(ctx, item, skip);
  }
  for (const keylessRow of rows) {
    if (rowsLeft.has(keylessRow) && !held.has(keylessRow)) createFromRow(ctx, keylessRow, skip);
  }
}

function itemCandidates(ctx: PlanContext, items: readonly UnpairedItem[]): MatchCandidate<UnpairedItem>[] {
  const { rules, acc } = ctx;
  const keys = comparedFields(rules).map((rule) => rule.key);
  return items.flatMap((item) => {
    const observe = (key: FieldKey) => sharePointObservation(key, item.reading, item.before);
    const values = keys.map(observe);
    if (values.includes(undefined)) {
      acc.needRead(item.sharePointId);
      return [];
    }
    return [
      {
        ref: item,
        naturalKey: rules.matchBy === null ? null : naturalKeyOf(observe(rules.matchBy)),
        values: signatureOf(values),
      },
    ];
  });
}

function rowCandidates(rules: SyncRules, rows: readonly KeylessRow[]): MatchCandidate<KeylessRow>[] {
  const keys = comparedFields(rules).map((rule) => rule.key);
  return rows.map((keylessRow) => ({
    ref: keylessRow,
    naturalKey: rules.matchBy === null ? null : naturalKeyOf(cellObservation(keylessRow.row, rules.matchBy)),
    values: signatureOf(keys.map((key) => cellObservation(keylessRow.row, key))),
  }));
}

function naturalKeyOf(value: FieldObservation | undefined): string | null {
  return value?.ok && value.hash !== EMPTY_HASH ? value.hash : null;
}

/** The compared values as one string, or `null` when one is unreadable (never matched then). */
function signatureOf(values: readonly (FieldObservation | undefined)[]): string | null {
  const hashes: string[] = [];
  for (const value of values) {
    if (value === undefined || !value.ok) return null;
    hashes.push(value.hash);
  }
  return hashes.join(",");
}

/**
 * An item and a keyless row found to belong together: merged, with the item's id written into the row. Without the
 * id in the row, nothing proves a row is the one an item was linked to before (or that a contested row has no
 * history): such pairs take nothing as agreed, and every difference is a recorded conflict, never a silent overwrite
 * or fill.
 */
function mergeFoundPair(
  ctx: PlanContext,
  item: UnpairedItem,
  keylessRow: KeylessRow,
  by: MatchedBy,
  contested: boolean,
): void {
  const { row } = keylessRow;
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

type Skip = (item: ItemRef, code: SkipCode, message: string) => void;

/** A new SharePoint item gets a row (its empty side merged as a first pairing), if a field can carry anything there. */
function appendItem(ctx: PlanContext, item: UnpairedItem, skip: Skip): void {
  const { rules } = ctx;
  if (!appendsRows(rules)) {
    if (rememberUnpaired(ctx, item)) {
      const message = `profile "${rules.profileKey}" syncs no field toward Confluence, so new SharePoint items get no row`;
      skip({ sharePointId: item.sharePointId, rowRef: null, createRef: null }, "NOT_APPENDED_DIRECTION", message);
    }
    return;
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

/**
 * A row people added becomes a SharePoint item and gets its id written back, if the profile syncs toward SharePoint
 * and the cells to send can be read (a row is never created half-read: its item could not be recognised afterwards).
 */
function createFromRow(ctx: PlanContext, keylessRow: KeylessRow, skip: Skip): void {
  const { rules, acc } = ctx;
  const { row } = keylessRow;
  const item: ItemRef = { sharePointId: null, rowRef: row.rowRef, createRef: null };
  const toSharePoint = rules.fields.filter((rule) => flowsTo(rule.direction, "sharePoint"));
  if (!flowsTo(rules.itemDirection, "sharePoint") || toSharePoint.length === 0) {
    skip(
      item,
      "NOT_CREATED_DIRECTION",
      `profile "${rules.profileKey}" syncs no field toward SharePoint, so rows added in Confluence are not created there`,
    );
    return;
  }
  const unreadable = toSharePoint.flatMap((rule) => {
    const value = cellObservation(row, rule.key);
    return value.ok ? [] : [{ field: rule.key, error: value.error }];
  });
  if (unreadable.length > 0) {
    for (const { field, error } of unreadable) acc.fieldErrors.push({ item, field, side: "confluence", error });
    skip(
      item,
      "INVALID_CELLS",
      `row ${row.rowRef + 1} is created in SharePoint once its cells ${unreadable.map((u) => `"${u.field}"`).join(", ")} can be read`,
    );
    return;
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
    const field = stored === null ? undefined : fieldEntry(stored.fields, rule.key);
    const held = heldFieldState(field?.base ?? null, value, rules.storedValueMaxChars);
    return [[rule.key, unchangedFieldState(field?.disputed === true ? { ...held, disputed: true } : held)] as const];
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

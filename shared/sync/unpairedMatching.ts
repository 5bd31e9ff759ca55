/**
 * Pairing of unpaired SharePoint items with rows that have no key, before anything is created: on a first sync
 * (both sides already hold data) and after a crash or a failed page update between creating (or matching) an item
 * and writing its id into its row (the item shows up unpaired in the next read, next to its still keyless row).
 */

/** One unpaired item or row as the matcher sees it. */
export interface MatchCandidate<T> {
  readonly ref: T;
  /** The natural key's value (as a hash), or `null` when the profile has none or the value is empty/unreadable. */
  readonly naturalKey: string | null;
  /** The compared field values (as hashes), or `null` when one of them is unreadable: then it is never matched. */
  readonly values: string | null;
}

export type MatchedBy = "naturalKey" | "values" | "position";

export interface MatchOptions<I, R> {
  /**
   * Pair items without a natural key to rows by equal values before natural keys are used. For profiles whose
   * natural-key column does not flow to SharePoint: items the sync creates from rows never carry the key, so a
   * created item's own row must not be claimed by another item that happens to share the row's natural key.
   */
  readonly unkeyedValuesFirst?: boolean;
  /** Among equal-valued items, the one a row takes first (e.g. an item known to belong where the row is). */
  readonly prefers?: (item: I, row: R) => boolean;
}

export interface MatchResult<I, R> {
  readonly pairs: readonly { readonly item: I; readonly row: R; readonly by: MatchedBy }[];
  /** Natural keys held by several candidates on both sides: reported, none of them paired or created. */
  readonly ambiguous: readonly {
    readonly naturalKey: string;
    readonly items: readonly I[];
    readonly rows: readonly R[];
  }[];
  readonly unmatchedItems: readonly I[];
  readonly unmatchedRows: readonly R[];
}

/**
 * 1. (`unkeyedValuesFirst`) items without a natural key take rows with equal values.
 * 2. By natural key: a key held by exactly one item and one row pairs them. When several share a key, those whose
 *    compared values are identical pair up first (they are interchangeable), then rows identical to an item without
 *    a natural key, then a last item and a last row; if more remain on both sides, they are ambiguous (never
 *    guessed, nothing created for them either, since that could duplicate). What remains on one side falls through.
 * 3. By values: candidates whose compared values are all equal pair up, a preferred item first, then in input order.
 *    Such candidates are interchangeable on every compared field, so the order picks nothing a person could tell
 *    apart. Two candidates with different non-empty natural keys never pair this way.
 * Input order is kept in every output list.
 */
export function matchUnpaired<I, R>(
  items: readonly MatchCandidate<I>[],
  rows: readonly MatchCandidate<R>[],
  options: MatchOptions<I, R> = {},
): MatchResult<I, R> {
  const prefers = options.prefers ?? (() => false);
  const pairs: { item: I; row: R; by: MatchedBy }[] = [];
  const ambiguous: { naturalKey: string; items: I[]; rows: R[] }[] = [];
  const taken = new Set<object>();
  const free = <T>(list: readonly MatchCandidate<T>[]) => list.filter((candidate) => !taken.has(candidate));
  const pair = (item: MatchCandidate<I>, row: MatchCandidate<R>, by: MatchedBy) => {
    taken.add(item).add(row);
    pairs.push({ item: item.ref, row: row.ref, by });
  };
  /** For each row, a free item among `pool` with the same values (preferred first), if any. */
  const pairEqualValues = (
    pool: readonly MatchCandidate<I>[],
    rowList: readonly MatchCandidate<R>[],
    by: MatchedBy,
  ) => {
    const byValues = groupBy(pool, (candidate) => candidate.values);
    for (const row of rowList) {
      if (taken.has(row) || row.values === null) continue;
      const twins = (byValues.get(row.values) ?? []).filter((candidate) => !taken.has(candidate));
      const twin = twins.find((candidate) => prefers(candidate.ref, row.ref)) ?? twins[0];
      if (twin !== undefined) pair(twin, row, by);
    }
  };
  const unkeyedItems = items.filter((candidate) => candidate.naturalKey === null);

  if (options.unkeyedValuesFirst === true) pairEqualValues(unkeyedItems, rows, "values");

  const itemsByKey = groupBy(free(items), (candidate) => candidate.naturalKey);
  const rowsByKey = groupBy(free(rows), (candidate) => candidate.naturalKey);
  for (const [naturalKey, keyedItems] of itemsByKey) {
    const keyedRows = rowsByKey.get(naturalKey);
    if (keyedRows === undefined) continue;
    if (keyedItems.length > 1 || keyedRows.length > 1) {
      pairEqualValues(keyedItems, keyedRows, "naturalKey");
      pairEqualValues(unkeyedItems, free(keyedRows), "values");
    }
    const leftItems = free(keyedItems);
    const leftRows = free(keyedRows);
    const [lastItem] = leftItems;
    const [lastRow] = leftRows;
    if (leftItems.length === 1 && leftRows.length === 1 && lastItem !== undefined && lastRow !== undefined) {
      pair(lastItem, lastRow, "naturalKey");
    } else if (leftItems.length > 0 && leftRows.length > 0) {
      for (const candidate of [...leftItems, ...leftRows]) taken.add(candidate);
      ambiguous.push({ naturalKey, items: leftItems.map((c) => c.ref), rows: leftRows.map((c) => c.ref) });
    }
  }

  const itemsByValues = groupBy(free(items), (candidate) => candidate.values);
  for (const row of rows) {
    if (taken.has(row) || row.values === null) continue;
    // Linear in the candidates sharing these values (identical rows are few in practice).
    const group = itemsByValues.get(row.values) ?? [];
    const fits = (candidate: MatchCandidate<I>) =>
      !taken.has(candidate) && (candidate.naturalKey === null || row.naturalKey === null);
    const item = group.find((candidate) => fits(candidate) && prefers(candidate.ref, row.ref)) ?? group.find(fits);
    if (item !== undefined) pair(item, row, "values");
  }

  const itemOrder = new Map(items.map((candidate, index) => [candidate.ref, index]));
  return {
    pairs: [...pairs].sort((a, b) => (itemOrder.get(a.item) ?? 0) - (itemOrder.get(b.item) ?? 0)),
    ambiguous,
    unmatchedItems: free(items).map((candidate) => candidate.ref),
    unmatchedRows: free(rows).map((candidate) => candidate.ref),
  };
}

function groupBy<T>(list: readonly T[], keyOf: (entry: T) => string | null): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const entry of list) {
    const key = keyOf(entry);
    if (key === null) continue;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [entry]);
    else group.push(entry);
  }
  return groups;
}

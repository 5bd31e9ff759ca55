/**
 * Pairing of unpaired SharePoint items with rows that have no key, before anything is created: on a first sync
 * (both sides already hold data) and after a crash between creating an item and writing its id back (the created
 * item shows up unpaired in the next read, next to its still keyless row).
 */

/** One unpaired item or row as the matcher sees it. */
export interface MatchCandidate<T> {
  readonly ref: T;
  /** The natural key's value (as a hash), or `null` when the profile has none or the value is empty/unreadable. */
  readonly naturalKey: string | null;
  /** The compared field values (as hashes), or `null` when one of them is unreadable: then it is never matched. */
  readonly values: string | null;
}

export interface MatchResult<I, R> {
  readonly pairs: readonly { readonly item: I; readonly row: R; readonly by: "naturalKey" | "values" }[];
  /** Natural keys held by several candidates on a side that also has one: reported, none of them paired or created. */
  readonly ambiguous: readonly { readonly naturalKey: string; readonly items: readonly I[]; readonly rows: readonly R[] }[];
  readonly unmatchedItems: readonly I[];
  readonly unmatchedRows: readonly R[];
}

/**
 * 1. By natural key: a key held by exactly one item and one row pairs them. When several share a key, those whose
 *    compared values are identical pair up first (they are interchangeable), then rows identical to an item without
 *    a natural key, then a last item and a last row; if more remain on both sides, they are ambiguous (never
 *    guessed, nothing created for them either, since that could duplicate). What remains on one side falls through.
 * 2. By values: candidates whose compared values are all equal pair up, a preferred item first, then in input order. Such candidates are interchangeable on every compared field, so the order picks nothing a
 *    person could tell apart. Two candidates with different non-empty natural keys never pair this way.
 * Input order is kept in every output list.
 */
export function matchUnpaired<I, R>(
  items: readonly MatchCandidate<I>[],
  rows: readonly MatchCandidate<R>[],
  /** Among equal-valued items, the one a row takes first (e.g. an item known to belong where the row is). */
  prefers: (item: I, row: R) => boolean = () => false,
): MatchResult<I, R> {
  const pairs: { item: I; row: R; by: "naturalKey" | "values" }[] = [];
  const ambiguous: { naturalKey: string; items: I[]; rows: R[] }[] = [];
  const taken = new Set<MatchCandidate<I> | MatchCandidate<R>>();

  const itemsByKey = groupBy(items, (candidate) => candidate.naturalKey);
  const rowsByKey = groupBy(rows, (candidate) => candidate.naturalKey);
  for (const [naturalKey, keyedItems] of itemsByKey) {
    const keyedRows = rowsByKey.get(naturalKey);
    if (keyedRows === undefined) continue;
    const [item] = keyedItems;
    const [row] = keyedRows;
    if (keyedItems.length === 1 && keyedRows.length === 1 && item !== undefined && row !== undefined) {
      taken.add(item).add(row);
      pairs.push({ item: item.ref, row: row.ref, by: "naturalKey" });
      continue;
    }
    // Several share the key: those with identical values are interchangeable and pair up; the rest is ambiguous
    // if both sides still have some, else it falls through to stage 2 (and then to creating or appending).
    const leftItems = [...keyedItems];
    for (const keyedRow of keyedRows) {
      const index = leftItems.findIndex((candidate) => candidate.values !== null && candidate.values === keyedRow.values);
      const twin = leftItems[index];
      if (twin === undefined) continue;
      leftItems.splice(index, 1);
      taken.add(twin).add(keyedRow);
      pairs.push({ item: twin.ref, row: keyedRow.ref, by: "naturalKey" });
    }
    let leftRows = keyedRows.filter((candidate) => !taken.has(candidate));
    if (leftItems.length > 0 && leftRows.length > 1) {
      // Before calling it ambiguous: a row identical to an item without a natural key (one the sync created, when
      // the key column does not flow to SharePoint) is that item's row.
      for (const keyedRow of leftRows) {
        const twins = items.filter((candidate) => candidate.naturalKey === null && !taken.has(candidate) && candidate.values !== null && candidate.values === keyedRow.values);
        const twin = twins.find((candidate) => prefers(candidate.ref, keyedRow.ref)) ?? twins[0];
        if (twin === undefined) continue;
        taken.add(twin).add(keyedRow);
        pairs.push({ item: twin.ref, row: keyedRow.ref, by: "values" });
      }
      leftRows = leftRows.filter((candidate) => !taken.has(candidate));
    }
    const [lastItem] = leftItems;
    const [lastRow] = leftRows;
    if (leftItems.length === 1 && leftRows.length === 1 && lastItem !== undefined && lastRow !== undefined) {
      taken.add(lastItem).add(lastRow);
      pairs.push({ item: lastItem.ref, row: lastRow.ref, by: "naturalKey" });
    } else if (leftItems.length > 0 && leftRows.length > 0) {
      for (const candidate of [...leftItems, ...leftRows]) taken.add(candidate);
      ambiguous.push({ naturalKey, items: leftItems.map((c) => c.ref), rows: leftRows.map((c) => c.ref) });
    }
  }

  const freeItemsByValues = groupBy(
    items.filter((candidate) => !taken.has(candidate)),
    (candidate) => candidate.values,
  );
  for (const row of rows) {
    if (taken.has(row) || row.values === null) continue;
    const eligible = (freeItemsByValues.get(row.values) ?? []).filter(
      (candidate) => !taken.has(candidate) && (candidate.naturalKey === null || row.naturalKey === null),
    );
    const item = eligible.find((candidate) => prefers(candidate.ref, row.ref)) ?? eligible[0];
    if (item === undefined) continue;
    taken.add(item);
    taken.add(row);
    pairs.push({ item: item.ref, row: row.ref, by: "values" });
  }

  const itemOrder = new Map(items.map((candidate, index) => [candidate.ref, index]));
  return {
    pairs: sortBy(pairs, (pair) => itemOrder.get(pair.item) ?? 0),
    ambiguous,
    unmatchedItems: items.filter((candidate) => !taken.has(candidate)).map((candidate) => candidate.ref),
    unmatchedRows: rows.filter((candidate) => !taken.has(candidate)).map((candidate) => candidate.ref),
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

function sortBy<T>(list: readonly T[], rank: (entry: T) => number): T[] {
  return [...list].sort((a, b) => rank(a) - rank(b));
}

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
  /**
   * Where in the table the candidate sits (a row) or belongs (an item linked to a row that lost its key write-back);
   * among equal-valued candidates, a row takes an item with the same anchor first.
   */
  readonly anchor: string | null;
}

export interface MatchResult<I, R> {
  readonly pairs: readonly { readonly item: I; readonly row: R; readonly by: "naturalKey" | "values" }[];
  /** Natural keys held by several candidates on a side that also has one: reported, none of them paired or created. */
  readonly ambiguous: readonly { readonly naturalKey: string; readonly items: readonly I[]; readonly rows: readonly R[] }[];
  readonly unmatchedItems: readonly I[];
  readonly unmatchedRows: readonly R[];
}

/**
 * 1. By natural key: a key held by exactly one item and one row pairs them; a key held on both sides but not 1:1 is
 *    ambiguous (never guessed, nothing created for it either, since that could duplicate). A key held on one side
 *    only falls through.
 * 2. By values: candidates whose compared values are all equal pair up, an item anchored where the row is first, then
 *    in input order. Such candidates are interchangeable on every compared field, so the order picks nothing a
 *    person could tell apart. Two candidates with different non-empty natural keys never pair this way.
 * Input order is kept in every output list.
 */
export function matchUnpaired<I, R>(
  items: readonly MatchCandidate<I>[],
  rows: readonly MatchCandidate<R>[],
): MatchResult<I, R> {
  const pairs: { item: I; row: R; by: "naturalKey" | "values" }[] = [];
  const ambiguous: { naturalKey: string; items: I[]; rows: R[] }[] = [];
  const taken = new Set<MatchCandidate<I> | MatchCandidate<R>>();

  const itemsByKey = groupBy(items, (candidate) => candidate.naturalKey);
  const rowsByKey = groupBy(rows, (candidate) => candidate.naturalKey);
  for (const [naturalKey, keyedItems] of itemsByKey) {
    const keyedRows = rowsByKey.get(naturalKey);
    if (keyedRows === undefined) continue;
    keyedItems.forEach((candidate) => taken.add(candidate));
    keyedRows.forEach((candidate) => taken.add(candidate));
    const [item] = keyedItems;
    const [row] = keyedRows;
    if (keyedItems.length === 1 && keyedRows.length === 1 && item !== undefined && row !== undefined) {
      pairs.push({ item: item.ref, row: row.ref, by: "naturalKey" });
    } else {
      ambiguous.push({ naturalKey, items: keyedItems.map((c) => c.ref), rows: keyedRows.map((c) => c.ref) });
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
    const item = eligible.find((candidate) => candidate.anchor !== null && candidate.anchor === row.anchor) ?? eligible[0];
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

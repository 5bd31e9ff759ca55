import type { RowOrigin } from "./itemState";
import type { RowRef } from "./syncInput";
import type { KeylessRow, UnpairedItem } from "./unpairedRows";

/** Where the row holding a key is (the first, if several do). */
export interface KeyedRowRefs {
  get(key: string): RowRef | undefined;
}

/**
 * The keyless rows that may be the row of that origin: those still between its keyed neighbours. A neighbour that
 * is gone (or neighbours that swapped) widen the stretch to the table's edge, so the row is never missed.
 */
export function rowsWithin(origin: RowOrigin, keyedRowRefs: KeyedRowRefs, rows: Iterable<KeylessRow>): KeylessRow[] {
  let start = origin.afterKey === null ? -Infinity : (keyedRowRefs.get(origin.afterKey) ?? -Infinity);
  let end = origin.beforeKey === null ? Infinity : (keyedRowRefs.get(origin.beforeKey) ?? Infinity);
  if (start > end) [start, end] = [-Infinity, Infinity];
  return [...rows].filter(({ row }) => row.rowRef > start && row.rowRef < end);
}

export function describeOrigin(origin: RowOrigin): string {
  const after = origin.afterKey === null ? "the top of the table" : `the row of item ${origin.afterKey}`;
  const before = origin.beforeKey === null ? "the end of the table" : `the row of item ${origin.beforeKey}`;
  return `between ${after} and ${before}`;
}

/** What becomes of items still looking for the row they were linked to. */
export interface AwaitedResolution {
  /** The one keyless row left where the item's row was, claimed by no other such item. */
  readonly found: readonly { readonly item: UnpairedItem; readonly row: KeylessRow }[];
  /** No keyless row is left where it was: the row is gone (a row deletion like any other). */
  readonly gone: readonly UnpairedItem[];
  /** Several candidates: reported, and none of them is created meanwhile. */
  readonly unresolved: readonly { readonly item: UnpairedItem; readonly candidates: readonly KeylessRow[] }[];
}

/**
 * Decides for every awaiting item at once, against the same rows, so one item's outcome does not change what another
 * can see.
 */
export function resolveAwaitedItems(
  awaiting: readonly UnpairedItem[],
  rowsLeft: ReadonlySet<KeylessRow>,
  keyedRowRefs: KeyedRowRefs,
): AwaitedResolution {
  const candidatesOf = new Map(
    awaiting.map((item) => [
      item,
      item.before?.awaitedRow === undefined ? [] : rowsWithin(item.before.awaitedRow, keyedRowRefs, rowsLeft),
    ]),
  );
  const claims = new Map<KeylessRow, number>();
  for (const candidates of candidatesOf.values()) {
    for (const candidate of candidates) claims.set(candidate, (claims.get(candidate) ?? 0) + 1);
  }
  const found: { item: UnpairedItem; row: KeylessRow }[] = [];
  const gone: UnpairedItem[] = [];
  const unresolved: { item: UnpairedItem; candidates: readonly KeylessRow[] }[] = [];
  for (const item of awaiting) {
    const candidates = candidatesOf.get(item) ?? [];
    const [only] = candidates;
    if (candidates.length === 1 && only !== undefined && claims.get(only) === 1) found.push({ item, row: only });
    else if (candidates.length === 0) gone.push(item);
    else unresolved.push({ item, candidates });
  }
  return { found, gone, unresolved };
}

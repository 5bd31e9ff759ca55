/**
 * Cursor pagination as Confluence v2 does it (docs/references.md#confluence-cursor-pagination): `limit` clamped to
 * 1..250 (default 25), an opaque cursor, and the next page advertised by `_links.next` (a site-relative URL that
 * repeats the original filters) and by a `Link` header. The cursor is keyset-based — it remembers the sort key of the
 * last item served — so pages edited or created between two calls neither repeat nor skip the items that did not move.
 */

export type SortKey = readonly (string | number)[];

export interface CursorPage<T> {
  items: T[];
  /** The cursor for the following page; undefined on the last page. */
  nextCursor: string | undefined;
}

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 250;

/** Confluence clamps rather than rejects: `limit=0` serves one item, `limit=1000` serves 250. */
export function clampLimit(raw: string | undefined, fallback = DEFAULT_LIMIT, max = MAX_LIMIT): number {
  const n = raw === undefined ? fallback : Number.parseInt(raw, 10);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(1, n));
}

export class InvalidCursor extends Error {}

/**
 * One page of `sorted` (already in the listing's order) after `cursor`. `keyOf` gives each item's sort key and
 * `directions` whether each key component ascends (1) or descends (-1); the last component must be unique (the id).
 */
export function pageAfter<T>(
  sorted: readonly T[],
  keyOf: (item: T) => SortKey,
  directions: readonly (1 | -1)[],
  cursor: string | undefined,
  limit: number,
): CursorPage<T> {
  let start = 0;
  if (cursor !== undefined) {
    const after = decodeCursor(cursor);
    start = sorted.findIndex((item) => compareKeys(keyOf(item), after, directions) > 0);
    if (start === -1) start = sorted.length;
  }
  const items = sorted.slice(start, start + limit);
  const last = items[items.length - 1];
  const more = start + limit < sorted.length;
  return { items, nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : undefined };
}

export function compareKeys(a: SortKey, b: SortKey, directions: readonly (1 | -1)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const direction = directions[i] ?? 1;
    return (x < y ? -1 : 1) * direction;
  }
  return 0;
}

function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

function decodeCursor(cursor: string): SortKey {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(key) && key.every((k) => typeof k === "string" || typeof k === "number")) return key;
  } catch {
    // fall through
  }
  throw new InvalidCursor(`Invalid cursor: ${cursor}`);
}

/**
 * The relative URL of the next page: the request's own path and filters with `cursor` replaced — what Confluence
 * puts in `_links.next` and the `Link` header. `pathPrefix` is the site-relative path (`/wiki/api/v2/pages`).
 */
export function nextLink(pathPrefix: string, query: URLSearchParams, cursor: string): string {
  const params = new URLSearchParams(query);
  params.set("cursor", cursor);
  return `${pathPrefix}?${params.toString()}`;
}

/**
 * `Link: </wiki/api/v2/pages?cursor=…>; rel="next", <https://site.atlassian.net/wiki>; rel="base"`
 * (docs/references.md#confluence-cursor-pagination).
 */
export function linkHeader(next: string, base: string): string {
  return `<${next}>; rel="next", <${base}>; rel="base"`;
}

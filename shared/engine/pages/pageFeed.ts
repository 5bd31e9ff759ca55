import type { PagesProfile } from "../../config/profile";
import type { ConfluenceClient, ConfluencePage, TreePage } from "../../confluence";

/** A page the feed says changed, with the version the feed reported (search hits can be stale; never trusted). */
export interface FeedHit {
  readonly id: string;
  readonly version: number | null;
}

const MINUTE_MS = 60_000;
/** Search results per call: an idle feed is one call whatever the size; a busy one pages with the same limit. */
const SEARCH_LIMIT = 100;
const BULK_READ_IDS = 250;

/**
 * The pages modified since the last feed read, reaching `overlapMinutes` further back (docs/pages-mode.md §7). The
 * CQL feed asks with the relative `now("-Nm")`, which the server evaluates on its own clock: no time zone and no clock
 * skew can shift the window, and N only has to cover the time since the last read.
 */
export async function readFeed(
  client: ConfluenceClient,
  profile: PagesProfile,
  spaceId: string,
  since: { readonly feedFrom: string; readonly now: number },
): Promise<FeedHit[]> {
  const target = profile.confluence.target;
  const elapsed = Math.max(0, since.now - Date.parse(since.feedFrom));
  const minutes = Math.ceil(elapsed / MINUTE_MS) + target.overlapMinutes;
  const hits = new Map<string, FeedHit>();
  if (target.feed === "cql") {
    const relation = target.scope === "children" ? "parent" : "ancestor";
    const cql = `type = page AND ${relation} = ${target.parentPageId} AND lastmodified >= now("-${minutes}m") ORDER BY lastmodified ASC`;
    for await (const hit of client.search(cql, { limit: SEARCH_LIMIT, expandVersion: true }))
      if (hit.type === "page") hits.set(hit.id, { id: hit.id, version: hit.version ?? null });
    return [...hits.values()];
  }
  const oldest = since.now - minutes * MINUTE_MS;
  for await (const page of client.listPages({ spaceId, sort: "-modified-date", limit: BULK_READ_IDS })) {
    if (Date.parse(page.version.createdAt) < oldest) break;
    if (page.id === target.parentPageId) continue;
    if (target.scope === "children" && page.parentId !== target.parentPageId) continue;
    hits.set(page.id, { id: page.id, version: page.version.number });
  }
  return [...hits.values()];
}

/** The page tree under the parent (the sweep, docs/pages-mode.md §7). */
export async function listPageTree(client: ConfluenceClient, profile: PagesProfile): Promise<TreePage[]> {
  const target = profile.confluence.target;
  const pages: TreePage[] = [];
  for await (const page of client.listTree(target.parentPageId, target.scope)) pages.push(page);
  return pages;
}

/**
 * Reads pages with their bodies, at most 250 ids a call and `limit=250` (the default of 25 would page). Results come in
 * any order and unreadable ids are left out, so they are matched by id; an id not answered is missing.
 */
export async function readPages(
  client: ConfluenceClient,
  ids: readonly string[],
  options: {
    readonly storage: boolean;
    readonly status?: readonly ("current" | "archived" | "trashed")[];
    /** Hears the ids asked for so far of all, after each bulk read (the run's progress). */
    readonly onRead?: (done: number, total: number) => void;
  },
): Promise<Map<string, ConfluencePage>> {
  const found = new Map<string, ConfluencePage>();
  const unique = [...new Set(ids)];
  if (unique.length > 0) options.onRead?.(0, unique.length);
  for (let start = 0; start < unique.length; start += BULK_READ_IDS) {
    const chunk = unique.slice(start, start + BULK_READ_IDS);
    for await (const page of client.listPages({
      ids: chunk,
      limit: BULK_READ_IDS,
      storage: options.storage,
      ...(options.status === undefined ? {} : { status: options.status }),
    }))
      found.set(page.id, page);
    options.onRead?.(Math.min(start + BULK_READ_IDS, unique.length), unique.length);
  }
  return found;
}

/** Why a page asked for was not answered: in the trash, or gone (purged, hidden from the app, or never there). */
export type MissingPage = "trashed" | "gone";

/** Tells the pages a bulk read did not answer apart: one more bulk read, asking for trashed pages. */
export async function classifyMissing(
  client: ConfluenceClient,
  ids: readonly string[],
): Promise<Map<string, MissingPage>> {
  const result = new Map<string, MissingPage>();
  if (ids.length === 0) return result;
  const trashed = await readPages(client, ids, { storage: false, status: ["trashed"] });
  for (const id of ids) result.set(id, trashed.has(id) ? "trashed" : "gone");
  return result;
}

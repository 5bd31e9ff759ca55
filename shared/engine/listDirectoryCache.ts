import type { Profile } from "../config/profile";
import type { ColumnDefinition, LookupEntry, SharePointPerson } from "../mapping";
import { type Clock, systemClock } from "../runtime";
import type { SharePointClient } from "../sharepoint/sharePointClient";

/** What a profile's list is made of, besides its items: its columns and what its person and lookup columns point at. */
export interface ListDirectory {
  readonly columns: readonly ColumnDefinition[];
  readonly people?: readonly SharePointPerson[];
  readonly lookups?: Readonly<Record<string, readonly LookupEntry[]>>;
}

/** Columns, people and lookup lists change rarely; a warm process reuses them this long. */
export const DEFAULT_DIRECTORY_TTL_MS = 15 * 60_000;

/**
 * A process-wide cache of each profile's `ListDirectory`, so an idle run reads nothing but the delta and the page.
 * A cold process (or one past the TTL) reads the columns once, and the site's people and lookup lists only when a
 * mapped column needs them. Concurrent readers share one read; a failed read is not cached.
 */
export class ListDirectoryCache {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, { loadedMs: number; directory: Promise<ListDirectory> }>();

  constructor(options: { clock?: Clock; ttlMs?: number } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#ttlMs = options.ttlMs ?? DEFAULT_DIRECTORY_TTL_MS;
  }

  /** The profile's directory, read through `client` when not cached (those reads count as the caller's calls). */
  get(profile: Profile, client: SharePointClient): Promise<ListDirectory> {
    const key = JSON.stringify([
      profile.sharePoint.siteId,
      profile.sharePoint.listId,
      profile.fields.map((field) => field.sharePoint),
    ]).toLowerCase();
    const now = this.#clock.now();
    const cached = this.#entries.get(key);
    if (cached !== undefined && now - cached.loadedMs < this.#ttlMs) return cached.directory;
    const directory = read(profile, client);
    this.#entries.set(key, { loadedMs: now, directory });
    directory.catch(() => {
      if (this.#entries.get(key)?.directory === directory) this.#entries.delete(key);
    });
    return directory;
  }

  /** Forgets every cached directory (after a column was added, say). */
  clear(): void {
    this.#entries.clear();
  }
}

async function read(profile: Profile, client: SharePointClient): Promise<ListDirectory> {
  const columns = await client.columns();
  const mapped = profile.fields.flatMap((field) => columns.filter((column) => column.name === field.sharePoint));
  const people = mapped.some((column) => column.personOrGroup !== undefined) ? await client.sitePeople() : undefined;
  const lookups: Record<string, LookupEntry[]> = {};
  for (const column of mapped) {
    const target = column.lookup;
    if (target?.listId === undefined) continue;
    lookups[column.name] = await client.lookupEntries({
      listId: target.listId,
      columnName: target.columnName ?? "Title",
    });
  }
  return { columns, ...(people ? { people } : {}), ...(Object.keys(lookups).length > 0 ? { lookups } : {}) };
}

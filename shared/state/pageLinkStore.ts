import { odata, type TableClient } from "@azure/data-tables";
import { mapBounded } from "../runtime/boundedParallel";
import { fromJsonProperties, toJsonProperties } from "./jsonProperties";
import { openTable, type TableStorageLocation } from "./tableClientFactory";
import { decodeTableKey, encodeTableKey } from "./tableKey";
import { tableStatusOf } from "./tableStatus";

export const SYNC_PAGE_LINKS_TABLE = "SyncPageLinks";

/** What the sync knows of one page under a pages-mode profile's parent (docs/pages-mode.md §3). */
export interface PageRecord {
  readonly pageId: string;
  /**
   * - `item`: the page of item `itemId`;
   * - `copy`: a second page claiming `itemId` by its link property (a copied page): reported, never synced;
   * - `unlinked`: a page with no link of ours (reported; adopted only by `matchBy`).
   */
  readonly role: "item" | "copy" | "unlinked";
  readonly itemId: string | null;
  /** The version the sync last read or wrote: a feed hit at or below it needs no read (own writes, stale hits). */
  readonly seenVersion: number;
  readonly updatedAt: string;
}

/** What the sync knows of one item's page. */
export interface ItemLink {
  readonly itemId: string;
  /** The page, once created or adopted; null while `creating` (and when the link was given up). */
  readonly pageId: string | null;
  /**
   * - `creating`: a create was planned (by `runId`, with `title`) and may have happened: the page is looked for by
   *   that title before another is made (docs/pages-mode.md §6);
   * - `linked`: `pageId` is the item's page.
   */
  readonly phase: "creating" | "linked";
  readonly title?: string;
  readonly runId?: string;
  /**
   * The item's SharePoint gate was closed when it was last read: its changes wait. An item whose gate opens is in
   * the next delta (the flip is an edit), so this is only read for items the delta does not report.
   */
  readonly gateClosed?: boolean;
  readonly updatedAt: string;
}

/** An item to look at again on the next run: something about it is not settled (a failed write, a deferred create). */
export interface PendingItem {
  readonly itemId: string;
  readonly reason: string;
}

const PAGE = "p|";
const ITEM = "i|";
const PENDING = "q|";
/** Point reads in flight at once. */
const PARALLEL_READS = 16;

/**
 * Pages mode's link rows, one table, PartitionKey = the escaped profile key: `p|{pageId}` per page, `i|{itemId}` per
 * item, `q|{itemId}` per pending item. One run of a profile runs at a time, so rows are written whole (upsert);
 * rewriting the same row on a retried activity changes nothing.
 */
export class PageLinkStore {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  static async open(location: TableStorageLocation, tableName = SYNC_PAGE_LINKS_TABLE): Promise<PageLinkStore> {
    return new PageLinkStore(await openTable(location, tableName));
  }

  async pages(profileKey: string, pageIds: readonly string[]): Promise<Map<string, PageRecord>> {
    return this.#getMany<PageRecord>(profileKey, PAGE, pageIds);
  }

  async items(profileKey: string, itemIds: readonly string[]): Promise<Map<string, ItemLink>> {
    return this.#getMany<ItemLink>(profileKey, ITEM, itemIds);
  }

  async putPages(profileKey: string, records: readonly PageRecord[]): Promise<void> {
    await this.#putMany(
      profileKey,
      PAGE,
      records.map((record) => [record.pageId, record] as const),
    );
  }

  async putItems(profileKey: string, links: readonly ItemLink[]): Promise<void> {
    await this.#putMany(
      profileKey,
      ITEM,
      links.map((link) => [link.itemId, link] as const),
    );
  }

  async deleteItems(profileKey: string, itemIds: readonly string[]): Promise<void> {
    await this.#deleteMany(profileKey, ITEM, itemIds);
  }

  async deletePages(profileKey: string, pageIds: readonly string[]): Promise<void> {
    await this.#deleteMany(profileKey, PAGE, pageIds);
  }

  /** The items to look at again (usually none: one range query). */
  async pending(profileKey: string): Promise<PendingItem[]> {
    const found: PendingItem[] = [];
    for await (const value of this.#range<PendingItem>(profileKey, PENDING)) found.push(value);
    return found;
  }

  async setPending(profileKey: string, add: readonly PendingItem[], remove: readonly string[]): Promise<void> {
    const added = new Set(add.map((item) => item.itemId));
    await this.#putMany(
      profileKey,
      PENDING,
      add.map((item) => [item.itemId, item] as const),
    );
    await this.#deleteMany(
      profileKey,
      PENDING,
      remove.filter((itemId) => !added.has(itemId)),
    );
  }

  /** Every page record of the profile (the sweep compares them with the page tree). */
  async *allPages(profileKey: string): AsyncGenerator<PageRecord> {
    yield* this.#range<PageRecord>(profileKey, PAGE);
  }

  /** Every row of the profile goes (the profile's pages state starts over). */
  async clear(profileKey: string): Promise<number> {
    const partition = encodeTableKey(profileKey);
    const keys: string[] = [];
    for await (const entity of this.#table.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${partition}`, select: ["RowKey"] },
    }))
      keys.push(String(entity.rowKey));
    await mapBounded(keys, PARALLEL_READS, (rowKey) => this.#table.deleteEntity(partition, rowKey));
    return keys.length;
  }

  async #getMany<T>(profileKey: string, kind: string, ids: readonly string[]): Promise<Map<string, T>> {
    const partition = encodeTableKey(profileKey);
    const unique = [...new Set(ids)];
    const found = await mapBounded(unique, PARALLEL_READS, async (id) => {
      try {
        const entity = await this.#table.getEntity(partition, rowKey(kind, id));
        return fromJsonProperties(entity, "value") as T | undefined;
      } catch (error) {
        if (tableStatusOf(error) === 404) return undefined;
        throw error;
      }
    });
    const map = new Map<string, T>();
    unique.forEach((id, index) => {
      const value = found[index];
      if (value !== undefined) map.set(id, value);
    });
    return map;
  }

  async #putMany(profileKey: string, kind: string, entries: readonly (readonly [string, unknown])[]): Promise<void> {
    const partition = encodeTableKey(profileKey);
    await mapBounded(entries, PARALLEL_READS, ([id, value]) =>
      this.#table.upsertEntity(
        { partitionKey: partition, rowKey: rowKey(kind, id), ...toJsonProperties("value", value) },
        "Replace",
      ),
    );
  }

  async #deleteMany(profileKey: string, kind: string, ids: readonly string[]): Promise<void> {
    const partition = encodeTableKey(profileKey);
    await mapBounded([...new Set(ids)], PARALLEL_READS, async (id) => {
      try {
        await this.#table.deleteEntity(partition, rowKey(kind, id));
      } catch (error) {
        if (tableStatusOf(error) !== 404) throw error;
      }
    });
  }

  async *#range<T>(profileKey: string, kind: string): AsyncGenerator<T> {
    const partition = encodeTableKey(profileKey);
    // Row keys of one kind share the prefix; `}` sorts right after `|`, closing the range.
    const filter = odata`PartitionKey eq ${partition} and RowKey ge ${kind} and RowKey lt ${`${kind.slice(0, -1)}}`}`;
    for await (const entity of this.#table.listEntities({ queryOptions: { filter } })) {
      const value = fromJsonProperties(entity, "value") as T | undefined;
      if (value !== undefined) yield value;
    }
  }
}

function rowKey(kind: string, id: string): string {
  return `${kind}${encodeTableKey(id)}`;
}

/** The id a row key names (for diagnostics). */
export function idOfRowKey(key: string): string {
  return decodeTableKey(key.slice(2));
}

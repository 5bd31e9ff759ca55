import type { TableClient, TableEntity, TransactionAction } from "@azure/data-tables";
import { forEachBounded, mapBounded } from "../runtime/boundedParallel";
import { type ItemState, sameItemState } from "../sync/itemState";
import type { StateCommit } from "../sync/settleState";
import { fromJsonProperties, toJsonProperties } from "./jsonProperties";
import { PairDigestIndex, type PairDigests } from "./pairDigestIndex";
import { StateConflict } from "./stateConflict";
import { openTable, type TableStorageLocation } from "./tableClientFactory";
import { decodeTableKey, encodeTableKey } from "./tableKey";
import { tableStatusOf } from "./tableStatus";

export const SYNC_ITEM_STATE_TABLE = "SyncItemState";

/**
 * The version (Table Storage ETag) of each state row as this writer last read or wrote it, by SharePoint id. A row
 * absent from the map must not exist yet: committing it is an insert.
 */
export type ItemStateVersions = ReadonlyMap<string, string>;

/** Stored pairs of a profile, with the versions to commit against. */
export interface LoadedItemStates {
  readonly states: ItemState[];
  readonly versions: ItemStateVersions;
}

/** Every stored pair of a profile, and the version the pair digest index had when they were read. */
export interface AllItemStates extends LoadedItemStates {
  /** See `rebuildDigests`; undefined when there was no index. */
  readonly digestsVersion: string | undefined;
}

/** Rows per entity group transaction: Table Storage's limit is 100 operations and 4 MiB. */
const TRANSACTION_ROWS = 100;
const TRANSACTION_CHARS = 1_500_000;
/** Single-row writes in flight when a commit cannot go through transactions. */
const PARALLEL_WRITES = 8;
/** Point reads in flight when states are loaded by key. */
const PARALLEL_READS = 16;
/**
 * Above this many ids, loading by key reads the whole partition instead (and keeps the wanted rows): a list query
 * returns 1,000 rows a call.
 */
const LOAD_BY_KEY_LIMIT = 2000;
/**
 * Entity group transactions in flight at once. They touch disjoint rows of the one partition, so their order does not
 * matter; measured on Azurite (docs/performance.md#where-a-first-sync-spends-its-time), 4 commit 10,000 rows in about
 * half the time one at a time takes, and more gain nothing.
 */
const PARALLEL_TRANSACTIONS = 4;

/**
 * The merge base of every item pair (the planner's `ItemState`), one row per profile and SharePoint id:
 * PartitionKey = the escaped profile key, RowKey = the escaped SharePoint id, the state as JSON properties.
 *
 * Writes are optimistic: each row is written only over the version this writer read or last wrote (`If-Match`), and
 * a new row only where none exists. A lost race is a `StateConflict` and nothing is overwritten; finding the very
 * state it meant to write (its own earlier attempt, retried) is not a conflict (`sameItemState`).
 *
 * Every commit keeps the profile's pair digest index in step (see `PairDigestIndex`), so a run can tell which pairs
 * are settled without loading their rows, and load the others by key.
 */
export class ItemStateStore {
  readonly #table: TableClient;
  readonly #index: PairDigestIndex;

  constructor(table: TableClient) {
    this.#table = table;
    this.#index = new PairDigestIndex(table);
  }

  static async open(location: TableStorageLocation, tableName = SYNC_ITEM_STATE_TABLE): Promise<ItemStateStore> {
    return new ItemStateStore(await openTable(location, tableName));
  }

  /** Every pair of the profile, and the version of each row. */
  async load(profileKey: string): Promise<AllItemStates> {
    const { version: digestsVersion } = await this.#index.read(profileKey);
    return { ...(await this.#loadWhere(profileKey, () => true)), digestsVersion };
  }

  /** The pairs of these SharePoint ids that have a state row (by key, or from one partition read when many). */
  async loadSome(profileKey: string, ids: readonly string[]): Promise<LoadedItemStates> {
    if (ids.length > LOAD_BY_KEY_LIMIT) {
      const wanted = new Set(ids);
      return this.#loadWhere(profileKey, (sharePointId) => wanted.has(sharePointId));
    }
    const found = await mapBounded(ids, PARALLEL_READS, (id) => this.get(profileKey, id));
    const states: ItemState[] = [];
    const versions = new Map<string, string>();
    for (const entry of found) {
      if (entry === undefined) continue;
      states.push(entry.state);
      versions.set(entry.state.sharePointId, entry.version);
    }
    return { states, versions };
  }

  /** The profile's pair digest index; undefined when it has none usable (the next full load builds it). */
  async digests(profileKey: string): Promise<PairDigests | undefined> {
    return (await this.#index.read(profileKey)).digests;
  }

  /**
   * Builds the profile's pair digest index from `loaded`, every state row as `load` read them. Nothing is written if
   * the index changed since (a commit that ran meanwhile keeps it as it is).
   */
  async rebuildDigests(profileKey: string, loaded: AllItemStates): Promise<void> {
    await this.#index.rebuild(profileKey, loaded.states, loaded.digestsVersion);
  }

  async #loadWhere(profileKey: string, wanted: (sharePointId: string) => boolean): Promise<LoadedItemStates> {
    const states: ItemState[] = [];
    const versions = new Map<string, string>();
    const filter = `PartitionKey eq '${encodeTableKey(profileKey).replace(/'/g, "''")}'`;
    for await (const entity of this.#table.listEntities({ queryOptions: { filter } })) {
      const state = stateOf(entity, profileKey);
      if (!wanted(state.sharePointId)) continue;
      states.push(state);
      if (entity.etag !== undefined) versions.set(state.sharePointId, entity.etag);
    }
    return { states, versions };
  }

  /** One pair's state and its row version; undefined when the profile has no state for that item. */
  async get(profileKey: string, sharePointId: string): Promise<{ state: ItemState; version: string } | undefined> {
    try {
      const entity = await this.#table.getEntity(encodeTableKey(profileKey), encodeTableKey(sharePointId));
      return { state: stateOf(entity, profileKey), version: entity.etag };
    } catch (error) {
      if (tableStatusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /**
   * Writes what `settlePlan` decided, each row over the version in `versions`, and answers the versions as they
   * are now (a copy: rows written get their new version, deleted rows leave the map). Throws `StateConflict` for
   * a row someone else changed in between; other rows may already be written (each is true on its own).
   * `onRows`, when given, hears the rows written so far of the total after each transaction (and once after the
   * deletes): a long first commit's progress, at no cost per row.
   */
  async commit(
    profileKey: string,
    commits: readonly StateCommit[],
    versions: ItemStateVersions,
    options: { readonly onRows?: (rows: number, total: number) => void } = {},
  ): Promise<Map<string, string>> {
    const next = new Map(versions);
    const puts = commits.flatMap((commit) => (commit.kind === "put" ? [commit.state] : []));
    const deletes = commits.flatMap((commit) => (commit.kind === "delete" ? [commit.sharePointId] : []));
    if (puts.length + deletes.length === 0) return next;
    // In flux first: a crash from here on leaves these ids unknown to the index, never settled when they are not.
    const mark = await this.#index.mark(profileKey, [...puts.map((state) => state.sharePointId), ...deletes]);
    // Entities are built chunk by chunk as transactions start: a first sync of 100,000 items never holds them all.
    const chunks = transactionChunks(puts, (state) => this.#entity(profileKey, state));
    const { onRows } = options;
    const total = puts.length + deletes.length;
    let written = 0;
    onRows?.(0, total);
    await forEachBounded(chunks, PARALLEL_TRANSACTIONS, async (chunk) => {
      await this.#putChunk(profileKey, chunk, next);
      written += chunk.length;
      onRows?.(written, total);
    });
    await mapBounded(deletes, PARALLEL_WRITES, async (sharePointId) => {
      await this.#deleteOne(profileKey, sharePointId, next.get(sharePointId));
      next.delete(sharePointId);
    });
    if (deletes.length > 0) onRows?.(total, total);
    if (mark !== undefined) await this.#index.record(profileKey, mark, { puts, deleted: deletes });
    return next;
  }

  /** Removes every pair of the profile (its state starts over: the next run pairs rows and items afresh). */
  async clear(profileKey: string): Promise<number> {
    await this.#index.clear(profileKey);
    const { states } = await this.#loadWhere(profileKey, () => true);
    await mapBounded(states, PARALLEL_WRITES, (state) =>
      this.#table.deleteEntity(encodeTableKey(profileKey), encodeTableKey(state.sharePointId)),
    );
    return states.length;
  }

  /**
   * A state row: every property is written on every write (the JSON parts with their count, which says how many parts
   * to read), so an update can Merge and stores what Replace would, parts left over from a longer state aside (never
   * read). Merge, because Azurite replaces an entity by removing and re-inserting it, which costs time in proportion
   * to the table (its LokiJS indexes shift), while it merges in place: about half the time for a first sync's second
   * commit (docs/performance.md#where-a-first-sync-spends-its-time). Table Storage charges both the same.
   */
  #entity(profileKey: string, state: ItemState): PendingRow {
    const entity = {
      partitionKey: encodeTableKey(profileKey),
      rowKey: encodeTableKey(state.sharePointId),
      status: state.status,
      lastSyncedAt: state.lastSyncedAt,
      ...toJsonProperties("state", state),
    };
    return {
      state,
      entity,
      chars: Object.values(entity).reduce<number>((sum, value) => sum + String(value).length, 0),
    };
  }

  /** One transaction for the chunk; if it is refused (a row changed, or the store cannot batch), row by row. */
  async #putChunk(profileKey: string, chunk: readonly PendingRow[], versions: Map<string, string>): Promise<void> {
    if (chunk.length > 1) {
      const actions: TransactionAction[] = chunk.map(({ state, entity }) => {
        const version = versions.get(state.sharePointId);
        return version === undefined ? ["create", entity] : ["update", entity, "Merge", { etag: version }];
      });
      let etags: (string | undefined)[] | undefined;
      try {
        // Sub-responses come in the order of the changeset (updates carry no row key to match them by).
        etags = (await this.#table.submitTransaction(actions)).subResponses.map((sub) => sub.etag);
      } catch {
        // All or nothing: nothing of it was written. Row by row below finds the row that differs.
      }
      if (etags !== undefined) {
        for (const [index, { state }] of chunk.entries()) {
          // A sub-response without its ETag (not every store returns it) is read back.
          const etag = etags[index] ?? (await this.get(profileKey, state.sharePointId))?.version;
          if (etag === undefined) throw new StateConflict("item", profileKey, state.sharePointId);
          versions.set(state.sharePointId, detached(etag));
        }
        return;
      }
    }
    await mapBounded(chunk, PARALLEL_WRITES, async (row) =>
      versions.set(row.state.sharePointId, await this.#putOne(profileKey, row, versions.get(row.state.sharePointId))),
    );
  }

  async #putOne(profileKey: string, { state, entity }: PendingRow, version: string | undefined): Promise<string> {
    try {
      const written =
        version === undefined
          ? await this.#table.createEntity(entity)
          : await this.#table.updateEntity(entity, "Merge", { etag: version });
      if (written.etag !== undefined) return written.etag;
    } catch (error) {
      const status = tableStatusOf(error);
      if (status !== 409 && status !== 412 && status !== 404) throw error;
    }
    // The row is not at the version we knew: fine only if it already holds what we meant to write.
    const current = await this.get(profileKey, state.sharePointId);
    if (current !== undefined && sameItemState(current.state, state)) return current.version;
    throw new StateConflict("item", profileKey, state.sharePointId);
  }

  async #deleteOne(profileKey: string, sharePointId: string, version: string | undefined): Promise<void> {
    if (version === undefined) {
      if ((await this.get(profileKey, sharePointId)) === undefined) return;
      throw new StateConflict("item", profileKey, sharePointId);
    }
    try {
      await this.#table.deleteEntity(encodeTableKey(profileKey), encodeTableKey(sharePointId), { etag: version });
    } catch (error) {
      const status = tableStatusOf(error);
      if (status === 404) return;
      if (status !== 412) throw error;
      // Changed since we read it: unless it is gone after all, someone else's state would be deleted.
      if ((await this.get(profileKey, sharePointId)) !== undefined)
        throw new StateConflict("item", profileKey, sharePointId);
    }
  }
}

interface PendingRow {
  readonly state: ItemState;
  readonly entity: TableEntity<Record<string, unknown>> & { partitionKey: string; rowKey: string };
  readonly chars: number;
}

function* transactionChunks(
  states: readonly ItemState[],
  entityOf: (state: ItemState) => PendingRow,
): Generator<PendingRow[]> {
  let chunk: PendingRow[] = [];
  let chars = 0;
  for (const state of states) {
    const row = entityOf(state);
    if (chunk.length > 0 && (chunk.length >= TRANSACTION_ROWS || chars + row.chars > TRANSACTION_CHARS)) {
      yield chunk;
      chunk = [];
      chars = 0;
    }
    chunk.push(row);
    chars += row.chars;
  }
  if (chunk.length > 0) yield chunk;
}

function stateOf(entity: Record<string, unknown>, profileKey: string): ItemState {
  const state = fromJsonProperties(entity, "state") as ItemState | undefined;
  if (state === undefined || typeof state.sharePointId !== "string" || typeof state.fields !== "object") {
    const rowKey = typeof entity.rowKey === "string" ? decodeTableKey(entity.rowKey) : "?";
    throw new Error(`profile "${profileKey}": the stored state of item ${rowKey} is not readable`);
  }
  return state;
}

/**
 * A copy of `text` that shares no memory with the string it came from. A transaction's ETags are cut out of its
 * response body, and V8 keeps a whole string alive for any slice of it: kept as they come, a first sync's 100,000
 * versions would hold on to every response body of its commit.
 */
function detached(text: string): string {
  return Buffer.from(text, "utf8").toString("utf8");
}

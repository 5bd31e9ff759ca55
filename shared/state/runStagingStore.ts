import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import { mapBounded } from "../runtime/boundedParallel";
import { asciiJson, fromTextProperties, toTextProperties } from "./jsonProperties";
import { openTable, type TableStorageLocation } from "./tableClientFactory";
import { encodeTableKey } from "./tableKey";
import { tableStatusOf } from "./tableStatus";

export const SYNC_RUN_STAGING_TABLE = "SyncRunStaging";

/** The run a staged document belongs to. */
export interface StagingRun {
  readonly profileKey: string;
  readonly runId: string;
}

/** Characters of JSON per row; a row holds at most 1 MiB, i.e. 512 K UTF-16 characters, with room to spare. */
const CHARS_PER_ROW = 400_000;
/** Deletes per entity group transaction (Table Storage's limit). */
const DELETES_PER_TRANSACTION = 100;
/** Above every character a document name or row key part may hold: the end of a key range. */
const RANGE_END = "~";
/**
 * JSON longer than this is stored gzip-compressed (base64, so the row stays ASCII): a first sync's plan of 10,000
 * items is 23 MB of JSON that compresses to 2.5 MB (its hashes repeat field by field), and writing and reading it
 * back three times took longer than the compression (docs/performance.md#where-a-first-sync-spends-its-time).
 */
const COMPRESS_ABOVE_CHARS = 64_000;
/** gzip's fastest level: on plan JSON it compresses within 10 % of the default, about twice as fast. */
const GZIP_LEVEL = 1;
/** Part rows written at once. */
const PARALLEL_PARTS = 4;
const GZIP_BASE64 = "gzip-base64";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * What one activity of a run prepares for the next (the plan, its batches, their outcomes, the page outcome), as JSON
 * documents by name, so activities pass references instead of payloads (docs/engine.md#staged-documents; the principle:
 * docs/design.md §2.1).
 *
 * Rows: PartitionKey = the escaped profile key; RowKey = `{runId}|{name}` for a document, and for one too large for a
 * row, `{runId}|{name}|{generation}|{part}` for its parts. Parts are written first and the document row last, naming
 * its generation, so a reader never sees half of a rewrite. A large document is stored compressed (`encoding`
 * `gzip-base64` on its document row); one without `encoding` is plain JSON. A run's rows are removed once the run is
 * committed (`clearRun`); runs that never got there are removed by `sweep` after a while.
 */
export class RunStagingStore {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  static async open(location: TableStorageLocation, tableName = SYNC_RUN_STAGING_TABLE): Promise<RunStagingStore> {
    return new RunStagingStore(await openTable(location, tableName));
  }

  /**
   * Stores (or replaces) document `name` of the run. Names are letters, digits, `.`, `-` and `_` (e.g. `c1.plan`,
   * `c1.outcome.b0003`), so that a prefix (`c1.outcome.`) selects a family of documents.
   */
  async put(run: StagingRun, name: string, value: unknown, stagedAt: string): Promise<void> {
    const { text, encoding } = await encodeDocument(value);
    const base = {
      partitionKey: encodeTableKey(run.profileKey),
      runId: run.runId,
      name: checkedName(name),
      stagedAt,
      ...(encoding === undefined ? {} : { encoding }),
    };
    if (text.length <= CHARS_PER_ROW) {
      await this.#table.upsertEntity(
        { ...base, rowKey: documentKey(run, name), kind: "document", ...toTextProperties("json", text) },
        "Replace",
      );
      return;
    }
    const generation = randomBytes(4).toString("hex");
    const parts = Math.ceil(text.length / CHARS_PER_ROW);
    await mapBounded(
      Array.from({ length: parts }, (_, part) => part),
      PARALLEL_PARTS,
      async (part) => {
        const slice = text.slice(part * CHARS_PER_ROW, (part + 1) * CHARS_PER_ROW);
        await this.#table.upsertEntity(
          { ...base, rowKey: partKey(run, name, generation, part), kind: "part", ...toTextProperties("json", slice) },
          "Replace",
        );
      },
    );
    await this.#table.upsertEntity(
      { ...base, rowKey: documentKey(run, name), kind: "document", generation, parts },
      "Replace",
    );
  }

  /** Document `name` of the run; undefined when it was never staged (or was cleared). */
  async get<T>(run: StagingRun, name: string): Promise<T | undefined> {
    let entity: Record<string, unknown>;
    try {
      entity = await this.#table.getEntity(encodeTableKey(run.profileKey), documentKey(run, checkedName(name)));
    } catch (error) {
      if (tableStatusOf(error) === 404) return undefined;
      throw error;
    }
    return (await this.#read(run, name, entity)) as T;
  }

  /** Every document of the run whose name starts with `prefix`, in name order. */
  async list<T>(run: StagingRun, prefix: string): Promise<Array<{ name: string; value: T }>> {
    const from = documentKey(run, prefix);
    const filter = odata`PartitionKey eq ${encodeTableKey(run.profileKey)} and RowKey ge ${from} and RowKey lt ${from + RANGE_END} and kind eq ${"document"}`;
    const documents: Array<{ name: string; value: T }> = [];
    for await (const entity of this.#table.listEntities({ queryOptions: { filter } })) {
      const name = String(entity.name);
      documents.push({ name, value: (await this.#read(run, name, entity)) as T });
    }
    return documents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Removes every staged row of the run; answers how many. */
  async clearRun(run: StagingRun): Promise<number> {
    const from = `${encodeTableKey(run.runId)}|`;
    const filter = odata`PartitionKey eq ${encodeTableKey(run.profileKey)} and RowKey ge ${from} and RowKey lt ${from + RANGE_END}`;
    return this.#deleteMatching(run.profileKey, filter, Number.POSITIVE_INFINITY);
  }

  /**
   * Removes at most `limit` rows of the profile's runs staged before `stagedBefore` (ISO 8601): runs that ended
   * without a commit (the orchestration was terminated, or its host died for good). Bounded, so a commit that sweeps
   * never takes long; what is left goes on the next sweep.
   */
  async sweep(profileKey: string, stagedBefore: string, limit: number): Promise<number> {
    const filter = odata`PartitionKey eq ${encodeTableKey(profileKey)} and stagedAt lt ${stagedBefore}`;
    return this.#deleteMatching(profileKey, filter, limit);
  }

  async #read(run: StagingRun, name: string, entity: Record<string, unknown>): Promise<unknown> {
    return decodeDocument(await this.#text(run, name, entity), entity.encoding);
  }

  /** The document's stored text: inline, or its parts joined. */
  async #text(run: StagingRun, name: string, entity: Record<string, unknown>): Promise<string> {
    const inline = fromTextProperties(entity, "json");
    if (inline !== undefined) return inline;
    const generation = String(entity.generation);
    const parts = Number(entity.parts);
    const from = partKey(run, name, generation, 0).replace(/\d+$/, "");
    const filter = odata`PartitionKey eq ${encodeTableKey(run.profileKey)} and RowKey ge ${from} and RowKey lt ${from + RANGE_END}`;
    const texts: string[] = [];
    for await (const part of this.#table.listEntities({ queryOptions: { filter } })) {
      const index = Number(String(part.rowKey).slice(from.length));
      texts[index] = fromTextProperties(part, "json") ?? "";
    }
    const found = Array.from({ length: parts }, (_, index) => texts[index]).filter((text) => text !== undefined).length;
    if (found !== parts)
      throw new Error(`staged document "${name}" of run ${run.runId} is incomplete (${found} of ${parts} parts)`);
    return texts.join("");
  }

  async #deleteMatching(profileKey: string, filter: string, limit: number): Promise<number> {
    const rowKeys: string[] = [];
    for await (const entity of this.#table.listEntities<Record<string, unknown>>({
      queryOptions: { filter, select: ["RowKey"] },
    })) {
      if (rowKeys.length >= limit) break;
      rowKeys.push(String(entity.rowKey));
    }
    const partitionKey = encodeTableKey(profileKey);
    for (let start = 0; start < rowKeys.length; start += DELETES_PER_TRANSACTION) {
      const actions: TransactionAction[] = rowKeys
        .slice(start, start + DELETES_PER_TRANSACTION)
        .map((rowKey) => ["delete", { partitionKey, rowKey }]);
      try {
        await this.#table.submitTransaction(actions);
      } catch {
        // A row deleted meanwhile fails the whole transaction: delete one by one, tolerating the missing ones.
        for (const [, entity] of actions) {
          await this.#table.deleteEntity(partitionKey, entity.rowKey).catch((error: unknown) => {
            if (tableStatusOf(error) !== 404) throw error;
          });
        }
      }
    }
    return rowKeys.length;
  }
}

/** The text to store for `value`: its JSON, compressed when large. */
async function encodeDocument(value: unknown): Promise<{ text: string; encoding?: typeof GZIP_BASE64 }> {
  const json = JSON.stringify(value) ?? "null";
  // Plain JSON is stored ASCII-escaped (see asciiJson); base64 is ASCII already.
  if (json.length <= COMPRESS_ABOVE_CHARS) return { text: asciiJson(value) };
  const compressed = await gzipAsync(json, { level: GZIP_LEVEL });
  return { text: compressed.toString("base64"), encoding: GZIP_BASE64 };
}

async function decodeDocument(text: string, encoding: unknown): Promise<unknown> {
  if (encoding === undefined || encoding === null) return JSON.parse(text) as unknown;
  if (encoding !== GZIP_BASE64)
    throw new Error(`a staged document is stored with unknown encoding "${String(encoding)}"`);
  return JSON.parse((await gunzipAsync(Buffer.from(text, "base64"))).toString("utf8")) as unknown;
}

function checkedName(name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new RangeError(`a staged document name holds letters, digits, ".", "-" and "_" only, not "${name}"`);
  return name;
}

function documentKey(run: StagingRun, name: string): string {
  return `${encodeTableKey(run.runId)}|${name}`;
}

function partKey(run: StagingRun, name: string, generation: string, part: number): string {
  return `${documentKey(run, name)}|${generation}|${String(part).padStart(4, "0")}`;
}

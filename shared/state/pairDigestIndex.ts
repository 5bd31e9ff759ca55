import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import type { TableClient } from "@azure/data-tables";
import { odata } from "@azure/data-tables";
import { mapBounded } from "../runtime/boundedParallel";
import type { ItemState } from "../sync/itemState";
import { type PairDigest, stateDigest } from "../sync/settledPairs";
import { fromJsonProperties, fromTextProperties, toJsonProperties, toTextProperties } from "./jsonProperties";
import { encodeTableKey } from "./tableKey";
import { tableStatusOf } from "./tableStatus";

/**
 * What the index knows of a profile's state rows (docs/engine.md#settled-pairs): every row's SharePoint id with its
 * `stateDigest` (a settled pair's, or an idle awaiting item's), or `null` for a state the planner needs on every run.
 * An id in neither `digests` nor `inFlux` has no state row.
 */
export interface PairDigests {
  readonly digests: ReadonlyMap<string, PairDigest | null>;
  /** Ids a commit was writing when it stopped (a crash, a lost race): what their rows hold is not known here. */
  readonly inFlux: ReadonlySet<string>;
}

/** A commit's mark on the index, from just before it writes its rows until it records what they became. */
export interface IndexMark {
  readonly header: IndexHeader;
  /** The header's ETag after marking. */
  readonly version: string;
  /** What `inFlux` held before this commit marked it. */
  readonly inFluxBefore: readonly string[];
}

/**
 * The index's header row. The digests themselves are a base (JSON `[id, digest][]`, gzip, in numbered part rows of
 * one generation) and an overlay of recent changes kept in the header, so a commit of a few rows rewrites one small
 * row; the overlay is folded into a new base once it grows.
 */
interface IndexHeader {
  readonly generation: string | null;
  readonly parts: number;
  /** `[id, digest]`: `""` for an unsettled state, `null` for a state that is gone. */
  readonly overlay: readonly (readonly [string, PairDigest | "" | null])[];
  /** Ids being written, or `all` while a commit too large to list writes. */
  readonly inFlux: readonly string[] | "all";
}

const HEADER = "header";
/** Overlay entries a header keeps before they are folded into a new base. */
const OVERLAY_LIMIT = 2000;
/** Ids a header lists as in flux; a larger commit marks the whole index instead. */
const IN_FLUX_LIMIT = 2000;
/** Characters of base64 per part row (a row holds 1 MiB; see runStagingStore.ts). */
const CHARS_PER_PART = 400_000;
const PARALLEL_PARTS = 4;

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * The settled-pair digests of each profile's state rows, kept next to them in the item-state table (PartitionKey =
 * the escaped profile key + `%digests`, which no escaped key can be) and in step with every commit: a commit first
 * marks the ids it writes as in flux, writes its rows, then records their digests. A crash in between leaves those
 * ids in flux, never a digest that is wrong; a lost race on the header drops the index, and the next run that loads
 * every state row builds it again.
 */
export class PairDigestIndex {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  /** The index and its version; `digests` undefined when there is none usable (never built, dropped, or all in flux). */
  async read(profileKey: string): Promise<{ digests: PairDigests | undefined; version: string | undefined }> {
    const found = await this.#header(profileKey);
    if (found === undefined) return { digests: undefined, version: undefined };
    const { header, version } = found;
    if (header.inFlux === "all") return { digests: undefined, version };
    const digests = await this.#base(profileKey, header);
    applyOverlay(digests, header.overlay);
    return { digests: { digests, inFlux: new Set(header.inFlux) }, version };
  }

  /**
   * Replaces the index with the digests of `states`, every state row of the profile as loaded while the index was at
   * `versionAtLoad` (undefined: there was none). If the index changed meanwhile, nothing is written.
   */
  async rebuild(profileKey: string, states: readonly ItemState[], versionAtLoad: string | undefined): Promise<void> {
    const entries = states.map((state) => [state.sharePointId, stateDigest(state) ?? ""] as const);
    const base = await this.#writeBase(profileKey, entries);
    const header: IndexHeader = { ...base, overlay: [], inFlux: [] };
    try {
      await this.#putHeader(profileKey, header, versionAtLoad ?? null);
    } catch (error) {
      if (!isLostRace(error)) throw error;
      await this.#deleteBase(profileKey, base.generation);
      return;
    }
    await this.#deleteOtherBases(profileKey, base.generation);
  }

  /** Marks `ids` in flux before a commit writes them; undefined when there is no usable index to keep. */
  async mark(profileKey: string, ids: readonly string[]): Promise<IndexMark | undefined> {
    const found = await this.#header(profileKey);
    if (found === undefined || found.header.inFlux === "all") return undefined;
    const before = found.header.inFlux;
    const listed = new Set([...before, ...ids]);
    const header: IndexHeader = { ...found.header, inFlux: listed.size > IN_FLUX_LIMIT ? "all" : [...listed] };
    try {
      return { header, version: await this.#putHeader(profileKey, header, found.version), inFluxBefore: before };
    } catch (error) {
      if (!isLostRace(error)) throw error;
      await this.drop(profileKey);
      return undefined;
    }
  }

  /** Records what a marked commit wrote (`puts`, and the ids whose rows it deleted) and takes its ids out of flux. */
  async record(
    profileKey: string,
    mark: IndexMark,
    written: { readonly puts: readonly ItemState[]; readonly deleted: readonly string[] },
  ): Promise<void> {
    const changes: [string, PairDigest | "" | null][] = [
      ...written.puts.map((state) => [state.sharePointId, stateDigest(state) ?? ""] as [string, string]),
      ...written.deleted.map((id) => [id, null] as [string, null]),
    ];
    const ids = new Set(changes.map(([id]) => id));
    const inFlux = mark.inFluxBefore.filter((id) => !ids.has(id));
    let header: IndexHeader;
    if (mark.header.inFlux === "all" || mark.header.overlay.length + changes.length > OVERLAY_LIMIT) {
      const digests = await this.#base(profileKey, mark.header);
      applyOverlay(digests, [...mark.header.overlay, ...changes]);
      const base = await this.#writeBase(
        profileKey,
        [...digests].map(([id, digest]) => [id, digest ?? ""] as const),
      );
      header = { ...base, overlay: [], inFlux };
    } else {
      header = { ...mark.header, overlay: [...mark.header.overlay, ...changes], inFlux };
    }
    try {
      await this.#putHeader(profileKey, header, mark.version);
    } catch (error) {
      if (!isLostRace(error)) throw error;
      await this.drop(profileKey);
      return;
    }
    if (header.generation !== mark.header.generation) await this.#deleteOtherBases(profileKey, header.generation);
  }

  /** Forgets the index: runs load every state row until one builds it again. */
  async drop(profileKey: string): Promise<void> {
    await this.#table.deleteEntity(partitionOf(profileKey), HEADER).catch((error: unknown) => {
      if (tableStatusOf(error) !== 404) throw error;
    });
  }

  /** Removes every row of the profile's index. */
  async clear(profileKey: string): Promise<void> {
    await this.drop(profileKey);
    await this.#deleteOtherBases(profileKey, null);
  }

  async #header(profileKey: string): Promise<{ header: IndexHeader; version: string } | undefined> {
    try {
      const entity = await this.#table.getEntity(partitionOf(profileKey), HEADER);
      const header = fromJsonProperties(entity, "index") as IndexHeader | undefined;
      if (header === undefined) return undefined;
      return { header, version: entity.etag };
    } catch (error) {
      if (tableStatusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Writes the header over `version` (null: create it) and answers its new version. */
  async #putHeader(profileKey: string, header: IndexHeader, version: string | null): Promise<string> {
    const entity = { partitionKey: partitionOf(profileKey), rowKey: HEADER, ...toJsonProperties("index", header) };
    const written =
      version === null
        ? await this.#table.createEntity(entity)
        : await this.#table.updateEntity(entity, "Replace", { etag: version });
    if (written.etag === undefined) return (await this.#table.getEntity(partitionOf(profileKey), HEADER)).etag;
    return written.etag;
  }

  async #base(profileKey: string, header: IndexHeader): Promise<Map<string, PairDigest | null>> {
    const digests = new Map<string, PairDigest | null>();
    if (header.generation === null) return digests;
    const prefix = `base|${header.generation}|`;
    const filter = odata`PartitionKey eq ${partitionOf(profileKey)} and RowKey ge ${prefix} and RowKey lt ${`${prefix}~`}`;
    const texts: string[] = [];
    for await (const part of this.#table.listEntities({ queryOptions: { filter } }))
      texts[Number(String(part.rowKey).slice(prefix.length))] = fromTextProperties(part, "digests") ?? "";
    if (texts.filter((text) => text !== undefined).length !== header.parts)
      throw new Error(`profile "${profileKey}": the pair digest index is incomplete`);
    const json = (await gunzipAsync(Buffer.from(texts.join(""), "base64"))).toString("utf8");
    for (const [id, digest] of JSON.parse(json) as [string, string][]) digests.set(id, digest === "" ? null : digest);
    return digests;
  }

  async #writeBase(
    profileKey: string,
    entries: readonly (readonly [string, string])[],
  ): Promise<{ generation: string; parts: number }> {
    const generation = randomBytes(4).toString("hex");
    const text = (await gzipAsync(JSON.stringify(entries), { level: 1 })).toString("base64");
    const parts = Math.max(1, Math.ceil(text.length / CHARS_PER_PART));
    await mapBounded(
      Array.from({ length: parts }, (_, part) => part),
      PARALLEL_PARTS,
      (part) =>
        this.#table.upsertEntity(
          {
            partitionKey: partitionOf(profileKey),
            rowKey: `base|${generation}|${String(part).padStart(4, "0")}`,
            ...toTextProperties("digests", text.slice(part * CHARS_PER_PART, (part + 1) * CHARS_PER_PART)),
          },
          "Replace",
        ),
    );
    return { generation, parts };
  }

  async #deleteBase(profileKey: string, generation: string): Promise<void> {
    await this.#deleteBases(profileKey, (rowKey) => rowKey.startsWith(`base|${generation}|`));
  }

  /** Removes the part rows of every base but `keep`'s. */
  async #deleteOtherBases(profileKey: string, keep: string | null): Promise<void> {
    await this.#deleteBases(profileKey, (rowKey) => keep === null || !rowKey.startsWith(`base|${keep}|`));
  }

  async #deleteBases(profileKey: string, which: (rowKey: string) => boolean): Promise<void> {
    const filter = odata`PartitionKey eq ${partitionOf(profileKey)} and RowKey ge ${"base|"} and RowKey lt ${"base|~"}`;
    const rowKeys: string[] = [];
    for await (const entity of this.#table.listEntities({ queryOptions: { filter, select: ["RowKey"] } }))
      if (which(String(entity.rowKey))) rowKeys.push(String(entity.rowKey));
    await mapBounded(rowKeys, PARALLEL_PARTS, (rowKey) =>
      this.#table.deleteEntity(partitionOf(profileKey), rowKey).catch((error: unknown) => {
        if (tableStatusOf(error) !== 404) throw error;
      }),
    );
  }
}

function partitionOf(profileKey: string): string {
  // `%` followed by anything but two hex digits is no escaped key (see tableKey.ts): no profile's own partition.
  return `${encodeTableKey(profileKey)}%digests`;
}

function applyOverlay(
  digests: Map<string, PairDigest | null>,
  overlay: readonly (readonly [string, PairDigest | "" | null])[],
): void {
  for (const [id, digest] of overlay) {
    if (digest === null) digests.delete(id);
    else digests.set(id, digest === "" ? null : digest);
  }
}

/** Someone else changed (or removed) the header since it was read, or created it first. */
function isLostRace(error: unknown): boolean {
  const status = tableStatusOf(error);
  return status === 409 || status === 412 || status === 404;
}

import { z } from "zod";
import { type Logger, silentLogger } from "../runtime";
import { expandFields } from "./fieldsQuery";
import { GraphError, GraphErrorCodes, readEnvelope } from "./graphError";
import { parseGraphResponse } from "./graphResponseShape";
import type { GraphTransport } from "./graphTransport";
import { listItemSchema, type SharePointItem, toSharePointItem } from "./listItem";
import { describeList, type ListRef, listPath } from "./listRef";

/** One page of a delta round. */
export interface DeltaPage {
  /** Created or changed items, in their latest state. The same item may appear again later: the last one wins. */
  changed: SharePointItem[];
  /** Ids of deleted items (the `deleted` facet or OData's `@removed`). Only incremental rounds report deletions. */
  deleted: string[];
  /**
   * Ids of entries that carry neither fields nor a deletion mark. "No fields" never means "every field empty": the
   * caller reads each one by id (a 404 then says it was deleted).
   */
  unresolved: string[];
}

/**
 * A delta entry: an item, a deletion, or (observed live) an error object the service wrote in place of a deletion it
 * could not serialise, inside a 200 page (docs/references.md#graph-delta).
 */
const deltaEntrySchema = z.union([
  listItemSchema.extend({ "@removed": z.looseObject({ reason: z.string().optional() }).optional() }),
  z.looseObject({ error: z.looseObject({ code: z.string().optional(), message: z.string().optional() }) }),
]);

const deltaPageSchema = z.looseObject({
  value: z.array(deltaEntrySchema),
  "@odata.nextLink": z.string().optional(),
  "@odata.deltaLink": z.string().optional(),
});
type DeltaPageJson = z.infer<typeof deltaPageSchema>;

/**
 * What kind of round this is, known before the first page is consumed:
 * - `incremental`: changes since the stored deltaLink; deletions are reported.
 * - `full`: every live item, with no deletions reported — an item the caller knows that does not appear was
 *   deleted. `initial` = there was no deltaLink; `resync` = the stored one was refused with 410 Gone
 *   (`resyncCode` is the service's instruction, e.g. `resyncChangesApplyDifferences`).
 */
export type DeltaMode =
  | { kind: "incremental" }
  | { kind: "full"; reason: "initial" }
  | { kind: "full"; reason: "resync"; resyncCode: string | undefined }
  /** An incremental round held an error object in place of an entry: its changes cannot be trusted whole. */
  | { kind: "full"; reason: "pageError"; errorCode: string | undefined };

/** An open delta round: iterate `pages()` once, apply each page, then store `deltaLink()`. */
export interface DeltaRound {
  readonly mode: DeltaMode;
  /** The pages, fetched one at a time as they are consumed (memory bounded by one page). Single use. */
  pages(): AsyncGenerator<DeltaPage>;
  /**
   * The link to store for the next round — only once every page's changes were applied, so a crash in between
   * replays the round instead of losing it. Throws until the last page was consumed.
   */
  deltaLink(): string;
}

export interface DeltaReadOptions {
  /** Internal names of the fields to return on a full enumeration; the token remembers them for later rounds. */
  select?: readonly string[];
  /** Items per page on a full enumeration (`$top`). */
  pageSize?: number;
}

/**
 * Reads a list's changes with `items/delta`: from a stored deltaLink when there is one, else a full enumeration;
 * when the service answers 410 Gone it follows the `Location` it gives (a fresh enumeration) and says so in `mode`.
 */
export class DeltaReader {
  readonly #transport: GraphTransport;
  readonly #logger: Logger;

  constructor(transport: GraphTransport, options: { logger?: Logger } = {}) {
    this.#transport = transport;
    this.#logger = options.logger ?? silentLogger;
  }

  /** Fetches the first page (which decides the mode) and returns the round. */
  async open(list: ListRef, deltaLink: string | undefined, options: DeltaReadOptions = {}): Promise<DeltaRound> {
    const what = `delta of ${describeList(list)}`;
    const start = `${listPath(list)}/items/delta?${expandFields(options.select)}${options.pageSize ? `&$top=${options.pageSize}` : ""}`;
    let mode: DeltaMode;
    let first: DeltaPageJson;
    if (deltaLink === undefined) {
      mode = { kind: "full", reason: "initial" };
      first = parseGraphResponse(deltaPageSchema, await this.#transport.get(start), what);
    } else {
      try {
        first = parseGraphResponse(deltaPageSchema, await this.#transport.get(deltaLink), what);
        mode = { kind: "incremental" };
      } catch (error) {
        if (!(error instanceof GraphError) || error.code !== GraphErrorCodes.ResyncRequired) throw error;
        mode = { kind: "full", reason: "resync", resyncCode: error.graphCode };
        this.#logger.warn("delta token refused; enumerating the whole list again", {
          list: list.listId,
          resyncCode: error.graphCode,
        });
        // The Location restarts the enumeration with the token's original query (select, page size).
        first = parseGraphResponse(deltaPageSchema, await this.#transport.get(error.location ?? start), what);
      }
    }
    return new OpenDeltaRound(this.#transport, mode, first, what);
  }
}

class OpenDeltaRound implements DeltaRound {
  readonly mode: DeltaMode;
  readonly #transport: GraphTransport;
  readonly #what: string;
  #first: DeltaPageJson | undefined;
  #deltaLink: string | undefined;
  #started = false;

  constructor(transport: GraphTransport, mode: DeltaMode, first: DeltaPageJson, what: string) {
    this.#transport = transport;
    this.mode = mode;
    this.#first = first;
    this.#what = what;
  }

  async *pages(): AsyncGenerator<DeltaPage> {
    if (this.#started) throw new Error(`${this.#what}: pages() can be iterated only once`);
    this.#started = true;
    let page = this.#first;
    this.#first = undefined;
    while (page !== undefined) {
      const deleted: string[] = [];
      const changed: SharePointItem[] = [];
      const unresolved: string[] = [];
      for (const entry of page.value) {
        if ("error" in entry) {
          const envelope = readEnvelope(entry);
          // Transient: the page is not wrong for good, and the caller starts over with a full enumeration.
          throw new GraphError(
            GraphErrorCodes.DeltaPageError,
            `${this.#what}: a page of changes held an error in place of an entry (${envelope.code ?? "no code"}${envelope.message ? ` — ${envelope.message}` : ""})`,
            { transient: true, ...(envelope.code ? { graphCode: envelope.code } : {}) },
          );
        }
        if (entry.deleted !== undefined || entry["@removed"] !== undefined) deleted.push(entry.id);
        else if (entry.fields === undefined) unresolved.push(entry.id);
        else changed.push(toSharePointItem(entry));
      }
      yield { changed, deleted, unresolved };
      const next = page["@odata.nextLink"];
      if (next !== undefined) {
        page = parseGraphResponse(deltaPageSchema, await this.#transport.get(next), this.#what);
        continue;
      }
      const link = page["@odata.deltaLink"];
      if (link === undefined)
        throw new GraphError(
          GraphErrorCodes.InvalidResponse,
          `${this.#what}: the last page has neither a nextLink nor a deltaLink`,
          { transient: false },
        );
      this.#deltaLink = link;
      page = undefined;
    }
  }

  deltaLink(): string {
    if (this.#deltaLink === undefined)
      throw new Error(`${this.#what}: the deltaLink is known only after the last page was consumed`);
    return this.#deltaLink;
  }
}

import { type Logger, silentLogger } from "../runtime";
import { expandFields } from "./fieldsQuery";
import { GraphError, GraphErrorCodes } from "./graphError";
import { parseGraphResponse } from "./graphResponseShape";
import type { GraphTransport } from "./graphTransport";
import { type ItemPage, itemPageSchema, type SharePointItem, toSharePointItem } from "./listItem";
import { describeList, type ListRef, listPath } from "./listRef";

/** One page of a delta round. */
export interface DeltaPage {
  /** Created or changed items, in their latest state. The same item may appear again later: the last one wins. */
  changed: SharePointItem[];
  /** Ids of deleted items. Only incremental rounds report deletions. */
  deleted: string[];
}

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
  | { kind: "full"; reason: "resync"; resyncCode: string | undefined };

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
    let first: ItemPage;
    if (deltaLink === undefined) {
      mode = { kind: "full", reason: "initial" };
      first = parseGraphResponse(itemPageSchema, await this.#transport.get(start), what);
    } else {
      try {
        first = parseGraphResponse(itemPageSchema, await this.#transport.get(deltaLink), what);
        mode = { kind: "incremental" };
      } catch (error) {
        if (!(error instanceof GraphError) || error.code !== GraphErrorCodes.ResyncRequired) throw error;
        mode = { kind: "full", reason: "resync", resyncCode: error.graphCode };
        this.#logger.warn("delta token refused; enumerating the whole list again", {
          list: list.listId,
          resyncCode: error.graphCode,
        });
        // The Location restarts the enumeration with the token's original query (select, page size).
        first = parseGraphResponse(itemPageSchema, await this.#transport.get(error.location ?? start), what);
      }
    }
    return new OpenDeltaRound(this.#transport, mode, first, what);
  }
}

class OpenDeltaRound implements DeltaRound {
  readonly mode: DeltaMode;
  readonly #transport: GraphTransport;
  readonly #what: string;
  #first: ItemPage | undefined;
  #deltaLink: string | undefined;
  #started = false;

  constructor(transport: GraphTransport, mode: DeltaMode, first: ItemPage, what: string) {
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
      for (const entry of page.value) {
        if (entry.deleted) deleted.push(entry.id);
        else changed.push(toSharePointItem(entry));
      }
      yield { changed, deleted };
      const next = page["@odata.nextLink"];
      if (next !== undefined) {
        page = parseGraphResponse(itemPageSchema, await this.#transport.get(next), this.#what);
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

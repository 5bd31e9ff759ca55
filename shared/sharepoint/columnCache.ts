import { z } from "zod";
import { type ColumnDefinition, columnDefinitionSchema } from "../mapping/columnDefinition";
import { type Clock, systemClock } from "../runtime";
import { parseGraphResponse } from "./graphResponseShape";
import type { GraphTransport } from "./graphTransport";
import { describeList, type ListRef, listPath } from "./listRef";

const columnsPageSchema = z.looseObject({ value: z.array(columnDefinitionSchema) });

/** Columns change rarely (an admin adds one); a run reads them once, and a warm instance reuses them for a while. */
export const DEFAULT_COLUMN_TTL_MS = 15 * 60_000;

/**
 * The field-mapping cache: each list's columnDefinitions (`GET …/columns`), read once and kept for `ttlMs`.
 * Concurrent readers of the same list share one request. Note that Graph omits the type facet of hyperlink
 * columns here (they come back with none) and lists read-only system columns next to the list's own.
 */
export class ColumnCache {
  readonly #transport: GraphTransport;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, { loadedMs: number; columns: Promise<ColumnDefinition[]> }>();

  constructor(transport: GraphTransport, options: { clock?: Clock; ttlMs?: number } = {}) {
    this.#transport = transport;
    this.#clock = options.clock ?? systemClock;
    this.#ttlMs = options.ttlMs ?? DEFAULT_COLUMN_TTL_MS;
  }

  get(list: ListRef): Promise<ColumnDefinition[]> {
    const key = `${list.siteId}|${list.listId}`.toLowerCase();
    const now = this.#clock.now();
    const cached = this.#entries.get(key);
    if (cached && now - cached.loadedMs < this.#ttlMs) return cached.columns;
    const columns = this.#load(list);
    this.#entries.set(key, { loadedMs: now, columns });
    // A failed read is not cached: the next caller tries again.
    columns.catch(() => {
      if (this.#entries.get(key)?.columns === columns) this.#entries.delete(key);
    });
    return columns;
  }

  /** Forgets one list (after a column was added, say) or all of them. */
  invalidate(list?: ListRef): void {
    if (list) this.#entries.delete(`${list.siteId}|${list.listId}`.toLowerCase());
    else this.#entries.clear();
  }

  async #load(list: ListRef): Promise<ColumnDefinition[]> {
    const page = parseGraphResponse(
      columnsPageSchema,
      await this.#transport.get(`${listPath(list)}/columns`),
      `columns of ${describeList(list)}`,
    );
    return page.value;
  }
}

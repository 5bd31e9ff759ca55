import { z } from "zod";
import { type Clock, type Logger, silentLogger, systemClock } from "../runtime";
import { GraphError, GraphErrorCodes } from "./graphError";
import { parseGraphResponse } from "./graphResponseShape";
import type { GraphTransport } from "./graphTransport";
import { describeList, type ListRef, listPath } from "./listRef";

/** Graph's limit: "JSON batch requests are currently limited to 20 individual requests." */
export const MAX_BATCH_SIZE = 20;

/**
 * One write to a list item. `fields` are raw Graph write shapes (multi-value columns with their `@odata.type`
 * annotation, lookups as `XLookupId`); `eTag`, when given, is sent as `If-Match` so a concurrent edit is never
 * overwritten — the write then comes back `preconditionFailed`; `prefer` values are sent as its `Prefer` header.
 */
export type ItemWrite =
  | { kind: "create"; fields: Record<string, unknown>; prefer?: readonly string[] }
  | { kind: "update"; itemId: string; fields: Record<string, unknown>; eTag?: string; prefer?: readonly string[] }
  | { kind: "delete"; itemId: string; eTag?: string };

/** The preference that makes Graph take a hyperlink as `{Url, Description}` (docs/references.md#graph-field-values). */
export const PREFER_API_VERSION_2_1 = "apiversion=2.1";

/**
 * What became of one write. Expected outcomes are values, not exceptions:
 * - `applied`: done; `eTag` is the item's new eTag (none after a delete), `fields` the fieldValueSet Graph returned;
 * - `preconditionFailed`: the item changed since `eTag` was read (412) — nothing was written;
 * - `notFound`: the item no longer exists (404 on update or delete);
 * - `failed`: anything else, including sub-requests still throttled when the retry budget ran out
 *   (`error.transient` says whether a later attempt may succeed). A create that failed with a 5xx or without an
 *   answer may still have been applied: a caller retrying it must first look for the item (exactly-once).
 */
export type ItemWriteOutcome =
  | {
      kind: "applied";
      write: ItemWrite;
      itemId: string;
      eTag: string | undefined;
      fields: Record<string, unknown> | undefined;
    }
  | { kind: "preconditionFailed"; write: ItemWrite; itemId: string }
  | { kind: "notFound"; write: ItemWrite; itemId: string }
  | { kind: "failed"; write: ItemWrite; error: GraphError };

const batchResponseSchema = z.looseObject({
  responses: z.array(
    z.looseObject({
      id: z.string(),
      status: z.number().int(),
      headers: z.record(z.string(), z.string()).nullish(),
      body: z.unknown().optional(),
    }),
  ),
});
type SubResponse = z.infer<typeof batchResponseSchema>["responses"][number];

/**
 * Applies item writes through `$batch`, at most 20 per call. Sub-requests answered 429/503 — and only those — are
 * sent again in a smaller batch after the longest `Retry-After` among them, within the shared retry policy's
 * budget; everything else keeps its first answer. Outcomes come back in the order of the writes.
 */
export class BatchWriter {
  readonly #transport: GraphTransport;
  readonly #logger: Logger;
  readonly #clock: Clock;

  constructor(transport: GraphTransport, options: { logger?: Logger; clock?: Clock } = {}) {
    this.#transport = transport;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
  }

  async apply(list: ListRef, writes: readonly ItemWrite[]): Promise<ItemWriteOutcome[]> {
    const outcomes: ItemWriteOutcome[] = [];
    for (let start = 0; start < writes.length; start += MAX_BATCH_SIZE) {
      outcomes.push(...(await this.#applyChunk(list, writes.slice(start, start + MAX_BATCH_SIZE))));
    }
    return outcomes;
  }

  async #applyChunk(list: ListRef, writes: readonly ItemWrite[]): Promise<ItemWriteOutcome[]> {
    const outcomes = new Array<ItemWriteOutcome | undefined>(writes.length);
    // Batch ids are the writes' positions, so a sub-response finds its write whatever order responses come in.
    let pending = writes.map((_, index) => index);
    const lastErrors = new Map<number, GraphError>();
    try {
      await this.#transport.retryingWrites(async (attempt) => {
        const body = { requests: pending.map((index) => subRequest(list, String(index + 1), writes[index]!)) };
        const raw = await this.#transport.once("POST", "$batch", body, {});
        const { responses } = parseGraphResponse(batchResponseSchema, raw, `$batch for ${describeList(list)}`);
        const byId = new Map(responses.map((r) => [r.id.toLowerCase(), r]));
        const throttled: number[] = [];
        for (const index of pending) {
          const write = writes[index]!;
          const response = byId.get(String(index + 1));
          if (!response) {
            outcomes[index] = {
              kind: "failed",
              write,
              error: new GraphError(
                GraphErrorCodes.InvalidResponse,
                `$batch for ${describeList(list)}: no response for request ${index + 1}`,
                { transient: false },
              ),
            };
            continue;
          }
          if (response.status === 429 || response.status === 503) {
            throttled.push(index);
            lastErrors.set(index, this.#subError(write, response));
            continue;
          }
          outcomes[index] = this.#outcome(write, response);
        }
        pending = throttled;
        if (throttled.length === 0) return;
        const errors = throttled.map((i) => lastErrors.get(i)!);
        const retryAfterMs = Math.max(0, ...errors.map((e) => e.retryAfterMs ?? 0));
        this.#logger.warn("graph batch sub-requests throttled", {
          list: list.listId,
          attempt,
          throttled: throttled.length,
          retryAfterMs,
        });
        // Thrown so the write policy waits (the longest Retry-After) and runs this function again for `pending` only.
        throw new GraphError(
          GraphErrorCodes.Throttled,
          `$batch for ${describeList(list)}: ${throttled.length} of ${writes.length} writes throttled`,
          {
            status: errors.some((e) => e.status === 429) ? 429 : 503,
            ...(errors.some((e) => e.retryAfterMs !== undefined) ? { retryAfterMs } : {}),
            transient: true,
          },
        );
      });
    } catch (error) {
      const failure =
        error instanceof GraphError
          ? error
          : new GraphError(GraphErrorCodes.Network, String(error), { transient: true, cause: error });
      // Writes still pending either stayed throttled (their own sub-response error) or never got an answer.
      for (const index of pending)
        outcomes[index] ??= { kind: "failed", write: writes[index]!, error: lastErrors.get(index) ?? failure };
    }
    return outcomes.map(
      (outcome, index) =>
        outcome ?? {
          kind: "failed",
          write: writes[index]!,
          error: new GraphError(GraphErrorCodes.InvalidResponse, "write was not attempted", { transient: true }),
        },
    );
  }

  #outcome(write: ItemWrite, response: SubResponse): ItemWriteOutcome {
    const body = (typeof response.body === "object" && response.body !== null ? response.body : {}) as Record<
      string,
      unknown
    >;
    const header = (name: string): string | undefined => headerOf(response.headers, name);
    if (response.status >= 200 && response.status < 300) {
      if (write.kind === "create") {
        const fields = (typeof body.fields === "object" && body.fields !== null ? body.fields : undefined) as
          | Record<string, unknown>
          | undefined;
        const id = typeof body.id === "string" ? body.id : undefined;
        if (id === undefined)
          return {
            kind: "failed",
            write,
            error: new GraphError(GraphErrorCodes.InvalidResponse, "created item came back without an id", {
              transient: false,
            }),
          };
        return { kind: "applied", write, itemId: id, eTag: stringOr(body.eTag, header("etag")), fields };
      }
      if (write.kind === "update") {
        const { "@odata.context": _context, ...fields } = body;
        return {
          kind: "applied",
          write,
          itemId: write.itemId,
          eTag: stringOr(body["@odata.etag"], header("etag")),
          fields,
        };
      }
      return { kind: "applied", write, itemId: write.itemId, eTag: undefined, fields: undefined };
    }
    if (write.kind !== "create" && response.status === 412)
      return { kind: "preconditionFailed", write, itemId: write.itemId };
    if (write.kind !== "create" && response.status === 404) return { kind: "notFound", write, itemId: write.itemId };
    return { kind: "failed", write, error: this.#subError(write, response) };
  }

  #subError(write: ItemWrite, response: SubResponse): GraphError {
    const target = write.kind === "create" ? "new item" : `item ${write.itemId}`;
    return GraphError.fromResponse(
      `[$batch ${write.kind}] ${target}`,
      { status: response.status, body: response.body, header: (name) => headerOf(response.headers, name) },
      { nowMs: this.#clock.now() },
    );
  }
}

function subRequest(list: ListRef, id: string, write: ItemWrite): Record<string, unknown> {
  const items = `/${listPath(list)}/items`;
  const ifMatch = write.kind !== "create" && write.eTag !== undefined ? { "If-Match": write.eTag } : {};
  const prefer = write.kind !== "delete" && write.prefer?.length ? { Prefer: write.prefer.join(", ") } : {};
  switch (write.kind) {
    case "create":
      return {
        id,
        method: "POST",
        url: items,
        headers: { "Content-Type": "application/json", ...prefer },
        body: { fields: write.fields },
      };
    case "update":
      return {
        id,
        method: "PATCH",
        url: `${items}/${encodeURIComponent(write.itemId)}/fields`,
        headers: { "Content-Type": "application/json", ...ifMatch, ...prefer },
        body: write.fields,
      };
    case "delete":
      return {
        id,
        method: "DELETE",
        url: `${items}/${encodeURIComponent(write.itemId)}`,
        ...(write.eTag !== undefined ? { headers: ifMatch } : {}),
      };
  }
}

/** Sub-response header names are not normalised ("Retry-After", "retry-after", …): look them up case-insensitively. */
function headerOf(headers: Record<string, string> | null | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

function stringOr(value: unknown, fallback: string | undefined): string | undefined {
  return typeof value === "string" ? value : fallback;
}

import { z } from "zod";

/**
 * A fault to inject into matching requests (the Graph SDK's ChaosHandler idea, server-side). Posted to
 * `POST /_admin/faults`; `times` requests matching `method` and the `path` regular expression get `status`
 * (with `Retry-After` when given) after `latencyMs`. A fault with only `latencyMs` slows requests without failing them.
 * `afterHandling` serves the request and then fails its answer; `dropConnection` closes the connection unanswered.
 */
export const faultSpecSchema = z
  .object({
    method: z.string().toUpperCase().optional(),
    /** Regular expression tested against the request path (no query string). */
    path: z.string().default(".*"),
    status: z.number().int().min(100).max(599).optional(),
    /** Seconds, sent as the `Retry-After` header. */
    retryAfter: z.number().min(0).optional(),
    latencyMs: z.number().int().min(0).default(0),
    /** How many matching requests are affected; omitted = 1. `-1` = until cleared. */
    times: z.number().int().min(-1).default(1),
    /** Overrides the emulator's standard error body for `status`. */
    body: z.unknown().optional(),
    /**
     * Carry the request out first, then answer `status` (or nothing, with `dropConnection`): a write that commits and
     * still fails, which services are observed to do (docs/emulators.md#confluence-pages-mode-behaviours).
     */
    afterHandling: z.boolean().default(false),
    /** Answer nothing: the connection is closed (after handling the request, with `afterHandling`). */
    dropConnection: z.boolean().default(false),
  })
  .strict();
export type FaultSpec = z.infer<typeof faultSpecSchema>;

interface ActiveFault extends FaultSpec {
  id: number;
  regex: RegExp;
  remaining: number;
}

export class FaultInjector {
  #faults: ActiveFault[] = [];
  #nextId = 1;

  add(input: unknown): { id: number } {
    const spec = faultSpecSchema.parse(input);
    const id = this.#nextId++;
    this.#faults.push({ ...spec, id, regex: new RegExp(spec.path), remaining: spec.times });
    return { id };
  }

  /** The first active fault matching the request, consuming one of its uses. */
  take(method: string, path: string): FaultSpec | undefined {
    const fault = this.#faults.find(
      (f) => f.remaining !== 0 && (f.method === undefined || f.method === method.toUpperCase()) && f.regex.test(path),
    );
    if (!fault) return undefined;
    if (fault.remaining > 0) fault.remaining -= 1;
    this.#faults = this.#faults.filter((f) => f.remaining !== 0);
    return fault;
  }

  list(): FaultSpec[] {
    return this.#faults.map(({ regex: _regex, remaining, id: _id, ...spec }) => ({ ...spec, times: remaining }));
  }

  clear(): void {
    this.#faults = [];
  }
}

import type { FastifyRequest } from "fastify";
import { pathOf } from "../common/emulatorServer";
import type { ConfluenceEmulatorContext } from "./emulatorContext";
import { faultBodyFor } from "./errorBodies";

const HOUR_MS = 3600_000;

/**
 * Atlassian's points quota for OAuth apps (docs/references.md#confluence-rate-limits), when the seed sets
 * `pointsQuota`: every answered call costs points (a GET 1 plus one per object it returns, a write 1), counted in a
 * window that resets at the top of the UTC hour and shared by every caller of the app. At the limit every call is
 * refused with 429 until the reset ("no partial throttling"), with `Retry-After`, `RateLimit-Reason` and the
 * `RateLimit` / `RateLimit-Policy` headers (`r` only once more than 80 % is used); an app not yet enforced gets the
 * `Beta-` headers and no 429s.
 */
export class PointsQuota {
  readonly quota: number;
  readonly enforced: boolean;
  #hour = Number.NaN;
  #used = 0;

  constructor(quota: number, enforced: boolean) {
    this.quota = quota;
    this.enforced = enforced;
  }

  #roll(now: number): void {
    const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
    if (hour !== this.#hour) {
      this.#hour = hour;
      this.#used = 0;
    }
  }

  used(now: number): number {
    this.#roll(now);
    return this.#used;
  }

  exhausted(now: number): boolean {
    this.#roll(now);
    return this.enforced && this.#used >= this.quota;
  }

  charge(now: number, points: number): void {
    this.#roll(now);
    this.#used += points;
  }

  /** Seconds until the top of the next UTC hour. */
  resetSeconds(now: number): number {
    return Math.max(1, Math.ceil((Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS - now) / 1000));
  }
}

export function registerPointsQuota(context: ConfluenceEmulatorContext): PointsQuota | undefined {
  const settings = context.seed.pointsQuota;
  if (settings === undefined) return undefined;
  const { server, clock } = context;
  const quota = new PointsQuota(settings.pointsPerHour, settings.enforced);
  const counted = (request: FastifyRequest) =>
    !pathOf(request).startsWith("/_admin/") && !pathOf(request).startsWith("/oauth");
  const prefix = settings.enforced ? "" : "Beta-";
  // What the app spent this hour, for the benchmark (an admin call: not logged, not counted, never faulted).
  server.app.get("/_admin/points", async () => ({ used: quota.used(clock.now()), quota: quota.quota }));

  server.app.addHook("onRequest", async (request, reply) => {
    if (!counted(request) || reply.sent || !quota.exhausted(clock.now())) return;
    const reset = quota.resetSeconds(clock.now());
    reply.header("Retry-After", String(reset));
    reply.header("RateLimit-Reason", "confluence-quota-global-based");
    await reply
      .code(429)
      .type("application/json")
      .send(JSON.stringify(faultBodyFor(429, pathOf(request))));
  });

  server.app.addHook("onSend", async (request, reply, payload) => {
    if (!counted(request)) return payload;
    const now = clock.now();
    if (reply.statusCode >= 200 && reply.statusCode < 300) quota.charge(now, pointsFor(request.method, payload));
    const used = quota.used(now);
    const reset = quota.resetSeconds(now);
    reply.header(`${prefix}RateLimit-Policy`, `"global-app-quota";q=${quota.quota};w=3600`);
    if (used > 0.8 * quota.quota || reply.statusCode === 429)
      reply.header(`${prefix}RateLimit`, `"global-app-quota";r=${Math.max(0, quota.quota - used)};t=${reset}`);
    if (quota.quota - used < 0.2 * quota.quota) reply.header("X-RateLimit-NearLimit", "true");
    return payload;
  });
  return quota;
}

/** A GET costs 1 plus one per object it returns (a single object: 1 + 1); a write costs 1. */
function pointsFor(method: string, payload: unknown): number {
  if (method !== "GET") return 1;
  if (typeof payload !== "string") return 2;
  try {
    const results = (JSON.parse(payload) as { results?: unknown }).results;
    return 1 + (Array.isArray(results) ? results.length : 1);
  } catch {
    return 2;
  }
}

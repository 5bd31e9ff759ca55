import { isConfluenceError, type RateLimitState } from "../../confluence";
import type { EngineServices } from "../engineServices";

/** Longer than this, a `Retry-After` on a 429 is the hourly quota, not a burst limit (docs/pages-mode.md §8). */
const QUOTA_RETRY_AFTER_MS = 60_000;
const HOUR_MS = 3600_000;
/** Atlassian's documented default quota for an app's global pool, until a `RateLimit-Policy` header says otherwise. */
export const DEFAULT_HOURLY_QUOTA = 65_000;

/**
 * Whether a failure is Confluence's points quota refusing every call until its reset: a 429 whose
 * `RateLimit-Reason` names a quota, or whose `Retry-After` reaches beyond a burst. Such a failure is never retried
 * into; the profile's Confluence calls stop until the reset.
 */
export function quotaStop(error: unknown): { message: string; retryAfterMs: number } | undefined {
  if (!isConfluenceError(error) || error.status !== 429) return undefined;
  const retryAfterMs = error.retryAfterMs ?? 0;
  const quota = /quota/i.test(error.rateLimitReason ?? "");
  if (!quota && retryAfterMs <= QUOTA_RETRY_AFTER_MS) return undefined;
  return {
    message: `Confluence's hourly points quota is spent (${error.rateLimitReason ?? "429"}); calls are refused for ${Math.ceil(retryAfterMs / 1000)} s`,
    retryAfterMs,
  };
}

/** When a quota stop ends: its `Retry-After`, else the top of the next UTC hour. */
export function blockedUntil(now: number, retryAfterMs: number): string {
  const nextHour = Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
  return new Date(retryAfterMs > 0 ? now + retryAfterMs : nextHour).toISOString();
}

/** Points a profile spent in one UTC hour, and what it last heard of the app's quota. */
export interface PointsLedger {
  /** The UTC hour (ISO 8601, minutes zero) the count belongs to. */
  readonly hour: string;
  readonly spent: number;
  /** The app's hourly quota (`RateLimit-Policy` `q`), or the documented default. */
  readonly quota: number;
}

/** The ledger for the hour `now` is in: the stored one if it is that hour's, else a fresh one. */
export function ledgerAt(stored: PointsLedger | undefined, now: number): PointsLedger {
  const hour = new Date(Math.floor(now / HOUR_MS) * HOUR_MS).toISOString();
  if (stored?.hour === hour) return stored;
  return { hour, spent: 0, quota: stored?.quota ?? DEFAULT_HOURLY_QUOTA };
}

/** The ledger after spending `points`, learning the quota from the last headers seen. */
export function spend(ledger: PointsLedger, points: number, rateLimit: RateLimitState | undefined): PointsLedger {
  return { ...ledger, spent: ledger.spent + points, quota: rateLimit?.quota ?? ledger.quota };
}

/**
 * Points this profile may still spend this hour: its share of the quota less what it spent, and never more than the
 * app has left when the `RateLimit` header says (the pool is shared by every profile and tenant of the app).
 */
export function pointsLeft(ledger: PointsLedger, share: number, rateLimit: RateLimitState | undefined): number {
  const own = Math.floor(share * (rateLimit?.quota ?? ledger.quota)) - ledger.spent;
  return Math.max(0, Math.min(own, rateLimit?.remaining ?? Number.POSITIVE_INFINITY));
}

/**
 * What fits in the points left (docs/pages-mode.md §8): creates (2 points each: the page and its property) wait
 * first, then page updates (1 each); reads are never deferred, so they are not in the count.
 */
export function fitToBudget(
  left: number,
  work: { readonly updates: number; readonly creates: number },
): { readonly updates: number; readonly creates: number } {
  if (left >= work.updates + 2 * work.creates) return work;
  if (left <= work.updates) return { updates: Math.max(0, left), creates: 0 };
  return { updates: work.updates, creates: Math.floor((left - work.updates) / 2) };
}

/** Stores when the profile's Confluence calls may resume (in its cursor, when it has one); answers that time. */
export async function recordQuotaStop(
  services: EngineServices,
  profileKey: string,
  retryAfterMs: number,
): Promise<string> {
  const until = blockedUntil(services.clock.now(), retryAfterMs);
  const stored = await services.state.cursors.get(profileKey);
  if (stored?.cursor.pages !== undefined)
    await services.state.cursors.save(
      profileKey,
      { ...stored.cursor, pages: { ...stored.cursor.pages, blockedUntil: until } },
      stored.version,
    );
  return until;
}

import { isConfluenceError } from "../../confluence";

/** Longer than this, a `Retry-After` on a 429 is the hourly quota, not a burst limit (docs/pages-mode.md §8). */
const QUOTA_RETRY_AFTER_MS = 60_000;

/**
 * Whether a failure is Confluence's points quota refusing every call until its reset: a 429 whose `Retry-After`
 * reaches beyond a burst. Such a failure is never retried into; the profile's Confluence calls stop until `until`.
 */
export function quotaStop(error: unknown): { message: string; retryAfterMs: number } | undefined {
  if (!isConfluenceError(error) || error.status !== 429) return undefined;
  const retryAfterMs = error.retryAfterMs ?? 0;
  if (retryAfterMs <= QUOTA_RETRY_AFTER_MS) return undefined;
  return {
    message: `Confluence's points quota is spent; calls are refused for ${Math.ceil(retryAfterMs / 1000)} s`,
    retryAfterMs,
  };
}

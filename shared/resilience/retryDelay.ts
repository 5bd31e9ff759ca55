import type { RetryableFailure } from "./retryableFailure";

/** Bounds for one call's retries. Units are milliseconds. */
export interface RetryOptions {
  /** Retries after the first attempt; 0 disables retrying. */
  maxRetries: number;
  /** Delay before the first retry when the server gave no `Retry-After`. */
  initialDelayMs: number;
  /** Cap for the exponential delay. */
  maxDelayMs: number;
  /**
   * Longest `Retry-After` we are willing to sleep through inside one call. A longer instruction ends the call with
   * the failure, so the caller (a Durable activity retry, the next scheduled run) comes back later instead of
   * holding a Functions instance idle.
   */
  maxRetryAfterMs: number;
}

export const defaultRetryOptions: RetryOptions = {
  maxRetries: 4,
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
};

/** Whether a failure deserves another attempt under these options (attempt count is the policy's concern). */
export function isWorthRetrying(failure: RetryableFailure, options: RetryOptions): boolean {
  if (!failure.transient) return false;
  return failure.retryAfterMs === undefined || failure.retryAfterMs <= options.maxRetryAfterMs;
}

/**
 * Delay before retry number `attempt` (1-based). Pure: the same inputs give the same delay.
 *
 * - A `Retry-After` is obeyed as given: Atlassian and SharePoint both answer an early retry with a new, longer wait.
 * - Otherwise exponential backoff with ±30 % jitter (Atlassian's recommended multiplier range), capped at maxDelayMs,
 *   so many instances throttled together do not come back in lockstep.
 */
export function computeRetryDelay(
  attempt: number,
  failure: RetryableFailure,
  options: RetryOptions,
  random: () => number,
): number {
  if (failure.retryAfterMs !== undefined) return failure.retryAfterMs;
  const exponential = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  const jitter = 0.7 + 0.6 * random();
  return Math.min(options.maxDelayMs, Math.round(exponential * jitter));
}

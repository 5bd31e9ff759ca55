import type { Clock } from "../../../shared/runtime";

/** One fixed-window quota decision: whether the call may proceed, what is left, and when the window resets. */
export interface QuotaDecision {
  allowed: boolean;
  remaining: number;
  resetAtMs: number;
}

/**
 * Atlassian's hourly points quota, simplified to one point per call in fixed windows aligned to the clock (the real
 * quota resets at the top of the UTC hour; docs/references.md#confluence-rate-limits). Off unless the seed sets
 * `rateLimit`.
 */
export class RequestQuota {
  readonly limit: number;
  readonly #windowMs: number;
  readonly #clock: Clock;
  #windowStart = Number.NaN;
  #used = 0;

  constructor(limit: number, windowMs: number, clock: Clock) {
    this.limit = limit;
    this.#windowMs = windowMs;
    this.#clock = clock;
  }

  take(): QuotaDecision {
    const now = this.#clock.now();
    const windowStart = Math.floor(now / this.#windowMs) * this.#windowMs;
    if (windowStart !== this.#windowStart) {
      this.#windowStart = windowStart;
      this.#used = 0;
    }
    const resetAtMs = windowStart + this.#windowMs;
    if (this.#used >= this.limit) return { allowed: false, remaining: 0, resetAtMs };
    this.#used += 1;
    return { allowed: true, remaining: this.limit - this.#used, resetAtMs };
  }
}

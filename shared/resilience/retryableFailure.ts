/**
 * What the retry policy needs to know about a failed call. Wire-level error classes (GraphError, ConfluenceError, …)
 * carry these three properties, so one policy serves every client without knowing their error types.
 */
export interface RetryableFailure {
  /** HTTP status, when the call got as far as a response. */
  readonly status?: number;
  /** The server's own instruction (`Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number;
  /** True for faults that may pass by themselves: 429, 503, other 5xx, timeouts, dropped connections. */
  readonly transient: boolean;
}

export function asRetryableFailure(error: unknown): RetryableFailure | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const candidate = error as Partial<RetryableFailure>;
  return typeof candidate.transient === "boolean" ? (candidate as RetryableFailure) : undefined;
}

/** Statuses that say "not now" rather than "never". 408 and 5xx other than 501/505 are worth another try. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

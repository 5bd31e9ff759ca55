import { DelegateBackoff, handleWhen, type IRetryBackoffContext, retry } from "cockatiel";
import { asRetryableFailure, type RetryableFailure } from "./retryableFailure";
import { computeRetryDelay, defaultRetryOptions, isWorthRetrying, type RetryOptions } from "./retryDelay";

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  status?: number;
}

export interface RetryPolicyOptions extends Partial<RetryOptions> {
  /** Source of jitter; tests pass a constant. */
  random?: () => number;
  /** Called before each sleep; clients log it (without request bodies). */
  onRetry?: (event: RetryEvent) => void;
  /**
   * Narrows which transient failures are retried. Writes that are not idempotent pass a predicate that only
   * accepts failures the server certainly did not act on (429 / 503 with Retry-After).
   */
  retryOn?: (failure: RetryableFailure) => boolean;
}

export interface RetryPolicy {
  execute<T>(operation: (attempt: number) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/**
 * The one retry loop for our HTTP calls (cockatiel's), fed by the pure decisions in `retryDelay`.
 * Layering: this retries inside one activity; Durable `RetryOptions` retry whole activities, with small attempt
 * counts, so a throttled API sees at most (1 + maxRetries) × activity attempts calls, never an unbounded storm.
 */
export function createRetryPolicy(options: RetryPolicyOptions = {}): RetryPolicy {
  const resolved: RetryOptions = {
    maxRetries: options.maxRetries ?? defaultRetryOptions.maxRetries,
    initialDelayMs: options.initialDelayMs ?? defaultRetryOptions.initialDelayMs,
    maxDelayMs: options.maxDelayMs ?? defaultRetryOptions.maxDelayMs,
    maxRetryAfterMs: options.maxRetryAfterMs ?? defaultRetryOptions.maxRetryAfterMs,
  };
  const random = options.random ?? Math.random;
  const retryOn = options.retryOn ?? (() => true);

  const shouldRetry = (error: unknown): boolean => {
    const failure = asRetryableFailure(error);
    return failure !== undefined && isWorthRetrying(failure, resolved) && retryOn(failure);
  };

  const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>>((context) => {
    const error = "error" in context.result ? context.result.error : undefined;
    const failure = asRetryableFailure(error) ?? { transient: true };
    const delayMs = computeRetryDelay(context.attempt, failure, resolved, random);
    options.onRetry?.({
      attempt: context.attempt,
      delayMs,
      ...(failure.status !== undefined ? { status: failure.status } : {}),
    });
    return delayMs;
  });

  const policy = retry(handleWhen(shouldRetry), { maxAttempts: resolved.maxRetries, backoff });
  return {
    execute: (operation, signal) => policy.execute((context) => operation(context.attempt), signal),
  };
}

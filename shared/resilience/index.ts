export { parseRetryAfter } from "./retryAfter";
export { asRetryableFailure, isTransientStatus, type RetryableFailure } from "./retryableFailure";
export { computeRetryDelay, defaultRetryOptions, isWorthRetrying, type RetryOptions } from "./retryDelay";
export { createRetryPolicy, type RetryEvent, type RetryPolicy, type RetryPolicyOptions } from "./retryPolicy";

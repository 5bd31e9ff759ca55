export { type RetryableFailure, asRetryableFailure, isTransientStatus } from "./retryableFailure";
export { parseRetryAfter } from "./retryAfter";
export { type RetryOptions, defaultRetryOptions, computeRetryDelay, isWorthRetrying } from "./retryDelay";
export { type RetryPolicy, type RetryPolicyOptions, type RetryEvent, createRetryPolicy } from "./retryPolicy";

import * as df from "durable-functions";

/**
 * Durable retries for whole activities, on top of each client's bounded HTTP retries inside the activity.
 * Small on purpose: 3 attempts × (1 + 4 HTTP retries) bounds the calls a throttled API can see from one step,
 * and the 20 s, 40 s waits give a throttled or restarting service room without holding a run for long.
 */
export function activityRetryOptions(): df.RetryOptions {
  const options = new df.RetryOptions(20_000, 3);
  options.backoffCoefficient = 2;
  options.maxRetryIntervalInMilliseconds = 120_000;
  return options;
}

import type { Clock } from "../../shared/runtime";

const HOUR_MS = 3_600_000;

/**
 * Real time shifted to start one second past the next top of the UTC hour. Confluence's points quota resets at the
 * top of each hour, so a test that spends a quota and expects it to stay spent until it moves the clock itself would
 * fail whenever the wall clock crossed an hour while it ran; starting just past an hour leaves it 59 minutes.
 */
export function hourAlignedClock(): Clock {
  const start = Date.now();
  const shift = HOUR_MS - (start % HOUR_MS) + 1_000;
  return { now: () => Date.now() + shift };
}

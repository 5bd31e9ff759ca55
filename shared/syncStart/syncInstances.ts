/**
 * Orchestration instance ids and states the starters agree on. Profile runs use `syncInstanceId(profileKey)`
 * (`sync-{key}`, from the run contract); the ids here start differently, so no profile key can make them collide.
 */

/** The one instance of the scheduled fan-out: a tick that finds the previous fan-out still going starts nothing. */
export const ALL_PROFILES_INSTANCE_ID = "scheduled-sync";

/** The one follow-up instance of a profile (see `SyncStarter.startFollowUp`). */
export function followUpInstanceId(profileKey: string): string {
  return `followup-${profileKey}`;
}

/**
 * Runtime statuses in which an instance still holds its id: started or about to start. Completed, Failed,
 * Terminated (and Canceled) instances may be replaced by a new start; host.json sets
 * `overridableExistingInstanceStates: NonRunningStates` so the extension itself refuses to replace a busy one.
 */
export const BUSY_RUNTIME_STATUSES: ReadonlySet<string> = new Set([
  "Running",
  "Pending",
  "ContinuedAsNew",
  "Suspended",
]);

export function isBusyRuntimeStatus(runtimeStatus: string): boolean {
  return BUSY_RUNTIME_STATUSES.has(runtimeStatus);
}

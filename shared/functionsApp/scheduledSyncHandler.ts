import type { Timer } from "@azure/functions";
import type { Logger } from "../runtime";
import type { StartOutcome, SyncStarter } from "../syncStart";

/**
 * The scheduled sync: starts `syncAllProfiles` under its fixed instance id, unless the previous tick's fan-out is
 * still running (then this tick does nothing; the running one already covers every profile).
 */
export async function scheduledSync(
  timer: Timer,
  deps: { starter: SyncStarter; logger: Logger },
): Promise<StartOutcome> {
  if (timer.isPastDue)
    deps.logger.warn("scheduled sync is running late (the app was down or busy at the scheduled time)");
  const outcome = await deps.starter.startAllProfilesSync("schedule");
  if (outcome.kind === "busy")
    deps.logger.info("scheduled sync skipped: the previous one is still running", { ...outcome });
  else deps.logger.info("scheduled sync started", { instanceId: outcome.instanceId });
  return outcome;
}

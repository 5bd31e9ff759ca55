import type { SyncProfileInput } from "../engine/run/runContract";
import type { SyncTrigger } from "../engine/run/runReport";

/**
 * The answer to "start this unless it is already going". Being busy is an expected outcome, not an error: a second
 * trigger for a profile must never start a second run next to the first.
 */
export type StartOutcome =
  /** A new orchestration instance was started under `instanceId`. */
  | { kind: "started"; instanceId: string }
  /** `instanceId` is already running or waiting to run; nothing was started. */
  | { kind: "busy"; instanceId: string; runtimeStatus: string };

/**
 * Starts sync orchestrations without ever running one profile twice at once. Every profile has one instance id
 * (`syncInstanceId`), the scheduled fan-out another, and each profile one follow-up; a start is refused (`busy`)
 * while that id is Running or Pending. Implemented over the Durable client in Azure and in-process for the CLI.
 */
export interface SyncStarter {
  /** Starts the profile's `syncProfile` orchestration unless it is busy. */
  startProfileSync(request: SyncProfileInput): Promise<StartOutcome>;
  /** Starts `syncAllProfiles` under its fixed instance id unless the previous fan-out is still busy. */
  startAllProfilesSync(trigger: SyncTrigger): Promise<StartOutcome>;
  /**
   * Arranges one more real run of the profile for when its current run has ended (the "run again" flag): starts the
   * profile's follow-up unless one is already waiting (`busy`), which then covers this request too.
   */
  startFollowUp(profileKey: string, trigger: SyncTrigger): Promise<StartOutcome>;
}

export type CoalescedStart =
  | { kind: "started"; instanceId: string }
  /**
   * A run was already in flight. It may have read SharePoint before the change that caused this request, so a
   * follow-up run is arranged (`scheduled`) or was already waiting (`alreadyWaiting`); either way the change is
   * synced by a run that starts after the current one.
   */
  | { kind: "coalesced"; instanceId: string; followUp: "scheduled" | "alreadyWaiting"; followUpInstanceId: string };

/**
 * Webhook semantics: start the profile's real run, or coalesce into the one in flight and make sure another run
 * follows it, so any number of notifications during a run cost exactly one extra run.
 */
export async function startOrCoalesce(
  starter: SyncStarter,
  profileKey: string,
  trigger: SyncTrigger,
): Promise<CoalescedStart> {
  const started = await starter.startProfileSync({ profileKey, dryRun: false, trigger });
  if (started.kind === "started") return started;
  const followUp = await starter.startFollowUp(profileKey, trigger);
  return {
    kind: "coalesced",
    instanceId: started.instanceId,
    followUp: followUp.kind === "started" ? "scheduled" : "alreadyWaiting",
    followUpInstanceId: followUp.instanceId,
  };
}

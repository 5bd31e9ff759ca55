import type * as df from "durable-functions";
import { activityRetryOptions } from "../engine/orchestration/activityRetry";
import type { SyncProfileInput } from "../engine/run/runContract";
import type { SyncTrigger } from "../engine/run/runReport";
import type { StartOutcome } from "./syncStarter";

/** Function names of the follow-up: its orchestration and the one activity it calls. */
export const SyncFollowUpNames = {
  orchestrator: "syncFollowUp",
  /** Input SyncProfileInput, output StartOutcome: `startProfileSync` through the Durable client. */
  startSyncIfIdle: "startSyncIfIdle",
} as const;

export interface SyncFollowUpInput {
  profileKey: string;
  trigger: SyncTrigger;
}

export type SyncFollowUpResult =
  | { kind: "started"; instanceId: string; checks: number }
  /** The run outlasted the follow-up's patience; the scheduled sync picks the change up instead. */
  | { kind: "gaveUp"; instanceId: string; checks: number };

/** The first wait between checks; each later wait doubles, up to FOLLOW_UP_MAX_DELAY_MS. */
export const FOLLOW_UP_FIRST_DELAY_MS = 10_000;
export const FOLLOW_UP_MAX_DELAY_MS = 60_000;
/** How long a follow-up waits for the run in flight to end, in orchestration time. */
export const FOLLOW_UP_PATIENCE_MS = 60 * 60_000;

/**
 * "Run again when the current run finishes": started (as `followup-{key}`, at most one per profile) when a change
 * notification finds the profile's run already in flight. It asks the activity to start the profile's run, and while
 * that run is still busy waits on a durable timer (10 s, 20 s, 40 s, then every minute) and asks again.
 *
 * It starts the run through the Durable client rather than as a sub-orchestration: a sub-orchestration whose
 * instance id is held by a running instance is not reliably refused, while the client's start is. Deterministic:
 * time comes from `currentUtcDateTime`, the only I/O is the activity (retried like the engine's: the extension or its
 * storage being briefly unavailable should not cost the follow-up).
 */
export function* syncFollowUpOrchestrator(
  context: df.OrchestrationContext,
): Generator<df.Task, SyncFollowUpResult, unknown> {
  const input = context.df.getInput() as SyncFollowUpInput;
  const request: SyncProfileInput = { profileKey: input.profileKey, dryRun: false, trigger: input.trigger };
  const deadline = context.df.currentUtcDateTime.getTime() + FOLLOW_UP_PATIENCE_MS;
  const retry = activityRetryOptions();
  let delay = FOLLOW_UP_FIRST_DELAY_MS;
  for (let checks = 1; ; checks++) {
    const outcome = (yield context.df.callActivityWithRetry(
      SyncFollowUpNames.startSyncIfIdle,
      retry,
      request,
    )) as StartOutcome;
    if (outcome.kind === "started") return { kind: "started", instanceId: outcome.instanceId, checks };
    context.df.setCustomStatus({ waitingFor: outcome.instanceId, runtimeStatus: outcome.runtimeStatus, checks });
    const fireAt = context.df.currentUtcDateTime.getTime() + delay;
    if (fireAt > deadline) return { kind: "gaveUp", instanceId: outcome.instanceId, checks };
    yield context.df.createTimer(new Date(fireAt));
    delay = Math.min(delay * 2, FOLLOW_UP_MAX_DELAY_MS);
  }
}

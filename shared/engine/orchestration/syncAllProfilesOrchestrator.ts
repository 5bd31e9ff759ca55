import type * as df from "durable-functions";
import {
  ActivityName,
  OrchestratorName,
  PROFILE_RUN_DEADLINE_MS,
  type SyncAllProfilesInput,
  type SyncAllProfilesResult,
  type SyncProfileInput,
  syncInstanceId,
} from "../run/runContract";
import type { RunReport } from "../run/runReport";
import { activityRetryOptions } from "./activityRetry";
import { runProblemFrom } from "./runFailure";

/**
 * The scheduled sync: one `syncProfile` sub-orchestration per enabled profile, in parallel, each under its profile's
 * instance id so a profile never runs twice at once.
 *
 * - A profile whose own run was already in flight when the fan-out was started (`busyProfileKeys`, read by the
 *   starter) is reported `alreadyRunning` and not started: a sub-orchestration on a busy id is not reliably refused.
 * - Each child races a durable timer; one that has not answered by the deadline is reported `deadlinePassed`, so a
 *   stuck child cannot keep the fan-out, and with it every later scheduled sync, waiting.
 * - A child whose orchestration failed is `notStarted` with its problem; the others are unaffected.
 */
export function* syncAllProfilesOrchestrator(
  context: df.OrchestrationContext,
): Generator<df.Task, SyncAllProfilesResult, unknown> {
  const input = (context.df.getInput() as SyncAllProfilesInput | undefined) ?? { trigger: "schedule" };
  const activeKeys = (yield context.df.callActivityWithRetry(
    ActivityName.listActiveProfiles,
    activityRetryOptions(),
    null,
  )) as string[];
  const busy = new Set(input.busyProfileKeys ?? []);
  const profileKeys = activeKeys.filter((key) => !busy.has(key));
  context.df.setCustomStatus({
    stage: "syncing",
    profiles: profileKeys.length,
    alreadyRunning: activeKeys.length - profileKeys.length,
  });

  const deadlineMs = input.profileRunDeadlineMs ?? PROFILE_RUN_DEADLINE_MS;
  const deadline = new Date(context.df.currentUtcDateTime.getTime() + deadlineMs);
  const races = profileKeys.map((profileKey) => {
    const child: SyncProfileInput = { profileKey, dryRun: false, trigger: input.trigger };
    const run = context.df.callSubOrchestrator(OrchestratorName.syncProfile, child, syncInstanceId(profileKey));
    const timer = context.df.createTimer(deadline);
    return { profileKey, run, timer, race: context.df.Task.any([run, timer]) };
  });
  // Task.any settles with whichever finished first and never fails itself, so this waits for every profile's answer
  // or deadline, whatever the others do.
  if (races.length > 0) yield context.df.Task.all(races.map((r) => r.race));

  const outcomes = new Map<string, SyncAllProfilesResult["profiles"][number]>();
  for (const { profileKey, run, timer } of races) {
    if (!timer.isCompleted) timer.cancel();
    // isCompleted means succeeded, isFaulted failed; neither: still no answer at the deadline.
    if (!run.isCompleted && !run.isFaulted) {
      outcomes.set(profileKey, {
        profileKey,
        outcome: "deadlinePassed",
        problem: {
          code: "PROFILE_RUN_DEADLINE_PASSED",
          message: `syncProfile for "${profileKey}" gave no answer within ${Math.round(deadlineMs / 60_000)} minute(s); it may still be running (see its own instance, ${syncInstanceId(profileKey)})`,
        },
      });
    } else if (run.isFaulted) {
      outcomes.set(profileKey, {
        profileKey,
        outcome: "notStarted",
        problem: runProblemFrom(`syncProfile for "${profileKey}"`, run.result),
      });
    } else {
      const report = run.result as RunReport;
      outcomes.set(profileKey, {
        profileKey,
        outcome: report.outcome,
        ...(report.problem ? { problem: report.problem } : {}),
      });
    }
  }
  const profiles = activeKeys.map(
    (profileKey) => outcomes.get(profileKey) ?? { profileKey, outcome: "alreadyRunning" as const },
  );
  return { profiles };
}

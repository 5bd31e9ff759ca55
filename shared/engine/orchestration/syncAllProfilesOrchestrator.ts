import type * as df from "durable-functions";
import {
  ActivityName,
  OrchestratorName,
  syncInstanceId,
  type RunReport,
  type SyncAllProfilesInput,
  type SyncAllProfilesResult,
  type SyncProfileInput,
} from "../runContract";
import { activityRetryOptions } from "./activityRetry";
import { runProblemFrom } from "./runFailure";

/**
 * The scheduled sync: one `syncProfile` sub-orchestration per enabled profile, in parallel, each under its profile's
 * instance id so a profile never runs twice at once. A profile whose run could not start (its instance is already
 * running, e.g. from a webhook) is reported as `notStarted`; the others are unaffected.
 */
export function* syncAllProfilesOrchestrator(context: df.OrchestrationContext): Generator<df.Task, SyncAllProfilesResult, unknown> {
  const input = (context.df.getInput() as SyncAllProfilesInput | undefined) ?? { trigger: "schedule" };
  const profileKeys = (yield context.df.callActivityWithRetry(ActivityName.listActiveProfiles, activityRetryOptions(), null)) as string[];
  context.df.setCustomStatus({ stage: "syncing", profiles: profileKeys.length });

  const tasks = profileKeys.map((profileKey) => {
    const child: SyncProfileInput = { profileKey, dryRun: false, trigger: input.trigger };
    return context.df.callSubOrchestrator(OrchestratorName.syncProfile, child, syncInstanceId(profileKey));
  });
  try {
    yield context.df.Task.all(tasks);
  } catch {
    // Some child failed; collect each one's own result below.
  }
  const profiles: SyncAllProfilesResult["profiles"] = [];
  for (const [index, task] of tasks.entries()) {
    const profileKey = profileKeys[index]!;
    try {
      const report = (yield task) as RunReport;
      profiles.push({ profileKey, outcome: report.outcome, ...(report.problem ? { problem: report.problem } : {}) });
    } catch (error) {
      profiles.push({ profileKey, outcome: "notStarted", problem: runProblemFrom(`syncProfile for "${profileKey}"`, error) });
    }
  }
  return { profiles };
}

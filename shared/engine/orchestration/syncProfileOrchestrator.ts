import type * as df from "durable-functions";
import {
  ActivityName,
  type ApplyConfluencePageResult,
  type CommitRunInput,
  type CommitRunResult,
  MAX_RUN_CYCLES,
  type PrepareRunInput,
  type PrepareRunResult,
  type RecordRunFailureInput,
  type SyncProfileInput,
} from "../run/runContract";
import type { RunReport } from "../run/runReport";
import { activityRetryOptions } from "./activityRetry";
import { pagesCycle } from "./pagesCycle";
import { ProgressStatus } from "./progressStatus";
import { runProblemFrom } from "./runFailure";
import { writeSharePointBatches } from "./sharePointBatchStep";

/**
 * One profile's run: prepare (validate, read, plan) → apply the SharePoint batches in parallel → apply the page →
 * commit. A page changed under the run (409) makes another cycle, at most MAX_RUN_CYCLES.
 *
 * Deterministic by construction: time comes from `currentUtcDateTime`, the run id from `newGuid`, and every I/O is
 * an activity. The output is the run report. The custom status is the run's `RunProgress` (docs/engine.md#progress),
 * set from the same history, so a replay sets the same one.
 */
export function* syncProfileOrchestrator(context: df.OrchestrationContext): Generator<df.Task, RunReport, unknown> {
  const input = context.df.getInput() as SyncProfileInput;
  const startedAt = context.df.currentUtcDateTime.toISOString();
  const runId = context.df.newGuid(`${context.df.instanceId}|${startedAt}`);
  const retry = activityRetryOptions();
  let cycle = 1;
  let stage = "prepareRun";
  const status = new ProgressStatus(context);

  try {
    for (; ; cycle++) {
      const ref = { profileKey: input.profileKey, runId, cycle };
      status.cycleStarted({ runId, cycle, startedAt });
      stage = ActivityName.prepareRun;
      const prepareInput: PrepareRunInput = { ...ref, dryRun: input.dryRun, trigger: input.trigger, startedAt };
      const prepared = (yield context.df.callActivityWithRetry(
        ActivityName.prepareRun,
        retry,
        prepareInput,
      )) as PrepareRunResult;
      if (prepared.kind === "plannedPages")
        return yield* pagesCycle(context, ref, prepared, { trigger: input.trigger, startedAt }, status, (next) => {
          stage = next;
        });
      if (prepared.kind !== "planned") return prepared.report;

      stage = ActivityName.applySharePointBatch;
      const failedBatchIds = yield* writeSharePointBatches(
        context,
        ref,
        prepared.sharePointBatchIds,
        status,
        prepared.planned,
      );

      let confluence: CommitRunInput["confluence"] = "notAttempted";
      if (prepared.confluenceWrite) {
        stage = ActivityName.applyConfluencePage;
        status.stage("updatingPage");
        const page = (yield context.df.callActivityWithRetry(
          ActivityName.applyConfluencePage,
          retry,
          ref,
        )) as ApplyConfluencePageResult;
        confluence = page.kind;
      }

      stage = ActivityName.commitRun;
      status.stage("committing");
      const finalCycle = cycle >= MAX_RUN_CYCLES;
      const commitInput: CommitRunInput = {
        ...ref,
        trigger: input.trigger,
        startedAt,
        confluence,
        failedBatchIds,
        finalCycle,
      };
      const committed = (yield context.df.callActivityWithRetry(
        ActivityName.commitRun,
        retry,
        commitInput,
      )) as CommitRunResult;
      if (confluence !== "versionConflict" || finalCycle) return committed.report;
    }
  } catch (error) {
    // An activity failed for good. What was applied and committed stays; the run is recorded as failed.
    const problem = runProblemFrom(stage, error);
    status.stage("recordingFailure");
    const failure: RecordRunFailureInput = {
      profileKey: input.profileKey,
      runId,
      cycle,
      dryRun: input.dryRun,
      trigger: input.trigger,
      startedAt,
      finishedAt: context.df.currentUtcDateTime.toISOString(),
      problem,
    };
    return (yield context.df.callActivityWithRetry(ActivityName.recordRunFailure, retry, failure)) as RunReport;
  }
}

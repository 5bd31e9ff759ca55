import type * as df from "durable-functions";
import {
  ActivityName,
  type ApplyConfluencePageResult,
  type ApplySharePointBatchResult,
  type CommitRunInput,
  type CommitRunResult,
  MAX_RUN_CYCLES,
  type PrepareRunInput,
  type PrepareRunResult,
  type RecordRunFailureInput,
  type SyncProfileInput,
} from "../run/runContract";
import { cycleStarted, type RunProgress, type RunStage, stageStarted, stepsCounted } from "../run/runProgress";
import type { RunReport } from "../run/runReport";
import { activityRetryOptions } from "./activityRetry";
import { runProblemFrom } from "./runFailure";
import { settleEach } from "./settleEach";

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
  let progress: RunProgress | undefined;
  const now = () => context.df.currentUtcDateTime.toISOString();
  const show = (next: RunProgress): void => {
    progress = next;
    context.df.setCustomStatus(next);
  };
  const enter = (next: RunStage): void => {
    if (progress) show(stageStarted(progress, next, now()));
  };

  try {
    for (; ; cycle++) {
      const ref = { profileKey: input.profileKey, runId, cycle };
      show(cycleStarted({ runId, cycle, startedAt }, now()));
      stage = ActivityName.prepareRun;
      const prepareInput: PrepareRunInput = { ...ref, dryRun: input.dryRun, trigger: input.trigger, startedAt };
      const prepared = (yield context.df.callActivityWithRetry(
        ActivityName.prepareRun,
        retry,
        prepareInput,
      )) as PrepareRunResult;
      if (prepared.kind !== "planned") return prepared.report;

      stage = ActivityName.applySharePointBatch;
      const batchIds = prepared.sharePointBatchIds;
      show({
        ...stageStarted(progress!, "writingSharePoint", now()),
        ...(prepared.planned ? { planned: prepared.planned } : {}),
        batches: { done: 0, failed: 0, total: batchIds.length },
        sharePointWritesApplied: 0,
      });
      let applied = 0;
      const failedBatchIds = yield* settleEach(
        context,
        batchIds.map((batchId) =>
          context.df.callActivityWithRetry(ActivityName.applySharePointBatch, retry, { ...ref, batchId }),
        ),
        batchIds,
        {
          onResult: (result) => {
            applied += (result as ApplySharePointBatchResult | undefined)?.applied ?? 0;
          },
          onCount: (count) =>
            show(stepsCounted(progress!, "batches", count, now(), { sharePointWritesApplied: applied })),
        },
      );

      let confluence: CommitRunInput["confluence"] = "notAttempted";
      if (prepared.confluenceWrite) {
        stage = ActivityName.applyConfluencePage;
        enter("updatingPage");
        const page = (yield context.df.callActivityWithRetry(
          ActivityName.applyConfluencePage,
          retry,
          ref,
        )) as ApplyConfluencePageResult;
        confluence = page.kind;
      }

      stage = ActivityName.commitRun;
      enter("committing");
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
    enter("recordingFailure");
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

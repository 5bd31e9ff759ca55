import type * as df from "durable-functions";
import {
  ActivityName,
  type ApplyConfluencePageResult,
  type ApplySharePointBatchInput,
  type ApplySharePointBatchResult,
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
import { runProblemFrom } from "./runFailure";

/**
 * One profile's run: prepare (validate, read, plan) → apply the SharePoint batches in parallel → apply the page →
 * commit. A page changed under the run (409) makes another cycle, at most MAX_RUN_CYCLES.
 *
 * Deterministic by construction: time comes from `currentUtcDateTime`, the run id from `newGuid`, and every I/O is
 * an activity. The output is the run report.
 */
export function* syncProfileOrchestrator(context: df.OrchestrationContext): Generator<df.Task, RunReport, unknown> {
  const input = context.df.getInput() as SyncProfileInput;
  const startedAt = context.df.currentUtcDateTime.toISOString();
  const runId = context.df.newGuid(`${context.df.instanceId}|${startedAt}`);
  const retry = activityRetryOptions();
  let cycle = 1;
  let stage = "prepareRun";

  try {
    for (; ; cycle++) {
      const ref = { profileKey: input.profileKey, runId, cycle };
      context.df.setCustomStatus({ runId, cycle, stage: "preparing" });
      stage = ActivityName.prepareRun;
      const prepareInput: PrepareRunInput = { ...ref, dryRun: input.dryRun, trigger: input.trigger, startedAt };
      const prepared = (yield context.df.callActivityWithRetry(
        ActivityName.prepareRun,
        retry,
        prepareInput,
      )) as PrepareRunResult;
      if (prepared.kind === "plannedPages")
        return yield* pagesCycle(context, ref, prepared, { trigger: input.trigger, startedAt }, (next) => {
          stage = next;
        });
      if (prepared.kind !== "planned") return prepared.report;

      stage = ActivityName.applySharePointBatch;
      context.df.setCustomStatus({
        runId,
        cycle,
        stage: "applying SharePoint batches",
        batches: prepared.sharePointBatchIds.length,
      });
      const failedBatchIds = yield* applyBatches(
        context,
        prepared.sharePointBatchIds.map((batchId) => ({ ...ref, batchId })),
      );

      let confluence: CommitRunInput["confluence"] = "notAttempted";
      if (prepared.confluenceWrite) {
        stage = ActivityName.applyConfluencePage;
        context.df.setCustomStatus({ runId, cycle, stage: "updating the Confluence page" });
        const page = (yield context.df.callActivityWithRetry(
          ActivityName.applyConfluencePage,
          retry,
          ref,
        )) as ApplyConfluencePageResult;
        confluence = page.kind;
      }

      stage = ActivityName.commitRun;
      context.df.setCustomStatus({ runId, cycle, stage: "committing" });
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

/**
 * Runs the batches in parallel and waits for every one of them, returning the ids of those that failed for good.
 * `Task.all` alone would resume at the first failure while other batches are still writing, and the commit that
 * follows must see every batch's outcome.
 */
function* applyBatches(
  context: df.OrchestrationContext,
  inputs: ApplySharePointBatchInput[],
): Generator<df.Task, string[], unknown> {
  if (inputs.length === 0) return [];
  const retry = activityRetryOptions();
  const tasks = inputs.map((batch) =>
    context.df.callActivityWithRetry(ActivityName.applySharePointBatch, retry, batch),
  );
  try {
    yield context.df.Task.all(tasks);
    return [];
  } catch {
    const failed: string[] = [];
    for (const [index, task] of tasks.entries()) {
      try {
        (yield task) as ApplySharePointBatchResult;
      } catch {
        failed.push(inputs[index]!.batchId);
      }
    }
    return failed;
  }
}

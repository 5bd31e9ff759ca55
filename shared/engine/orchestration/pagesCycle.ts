import type * as df from "durable-functions";
import {
  ActivityName,
  type ApplyPageWriteInput,
  type CommitPagesRunInput,
  type CommitRunResult,
  OrchestratorName,
  type PrepareRunResult,
  type RunRef,
  type SyncPageJobsInput,
  type SyncPageJobsResult,
  type SyncTrigger,
} from "../run/runContract";
import type { RunReport } from "../run/runReport";
import { activityRetryOptions } from "./activityRetry";
import type { ProgressStatus } from "./progressStatus";
import { settleEach } from "./settleEach";
import { writeSharePointBatches } from "./sharePointBatchStep";

/**
 * Page jobs per sub-orchestration. A Durable orchestration replays its whole history each time it wakes, so thousands
 * of activities in one would cost replays quadratic in their number; chunks keep each history small (the parent's
 * grows by one event per chunk).
 */
export const PAGE_JOBS_PER_CHUNK = 100;

/**
 * The rest of a pages-mode cycle once `prepareRun` staged it (docs/pages-mode.md §9): the SharePoint batches in
 * parallel, then the page jobs in chunks (one `syncPageJobs` sub-orchestration each, one after the other), each running
 * at most `parallelPageWrites` jobs at a time (Confluence has no bulk write, and burst limits count calls), then the
 * backlinks of created pages, then the commit. Every task is waited for, failed or not: the commit must see every
 * outcome. The custom status is the run's progress (docs/engine.md#progress): the batches as in table mode, then the
 * page jobs, counted as each chunk ends.
 */
export function* pagesCycle(
  context: df.OrchestrationContext,
  ref: RunRef,
  prepared: Extract<PrepareRunResult, { kind: "plannedPages" }>,
  run: { readonly trigger: SyncTrigger; readonly startedAt: string },
  status: ProgressStatus,
  setStage: (stage: string) => void,
): Generator<df.Task, RunReport, unknown> {
  const retry = activityRetryOptions();
  const planned = prepared.pageJobIds.length;

  setStage(ActivityName.applySharePointBatch);
  const failedBatchIds = yield* writeSharePointBatches(
    context,
    ref,
    prepared.sharePointBatchIds,
    status,
    prepared.planned,
  );

  const failedJobIds: string[] = [];
  let done = 0;
  setStage(ActivityName.applyPageWrite);
  status.stage("writingPages", { pages: { done: 0, failed: 0, total: planned } });
  for (let start = 0, chunk = 0; start < planned; start += PAGE_JOBS_PER_CHUNK, chunk += 1) {
    const jobIds = prepared.pageJobIds.slice(start, start + PAGE_JOBS_PER_CHUNK);
    const input: SyncPageJobsInput = { ...ref, jobIds, parallelPageWrites: prepared.parallelPageWrites };
    const instanceId = `${context.df.instanceId}:pages:${ref.runId}:${ref.cycle}:${chunk}`;
    try {
      const result = (yield context.df.callSubOrchestrator(OrchestratorName.syncPageJobs, input, instanceId)) as
        | SyncPageJobsResult
        | undefined;
      failedJobIds.push(...(result?.failedJobIds ?? []));
    } catch {
      // The chunk's orchestration itself failed: its jobs count as not done (the commit marks their items pending).
      failedJobIds.push(...jobIds);
    }
    done += jobIds.length;
    status.counted("pages", { done, failed: failedJobIds.length, total: planned });
  }

  setStage(ActivityName.linkCreatedPages);
  status.stage("linkingPages");
  try {
    yield context.df.callActivityWithRetry(ActivityName.linkCreatedPages, retry, ref);
  } catch {
    // The pages exist and are linked by their property and the link rows; their items get the ids on a later run
    // (the commit marks them pending). Not worth failing the run and its commit for.
  }

  setStage(ActivityName.commitPagesRun);
  status.stage("committing");
  const commit: CommitPagesRunInput = { ...ref, ...run, failedBatchIds, failedJobIds };
  const committed = (yield context.df.callActivityWithRetry(
    ActivityName.commitPagesRun,
    retry,
    commit,
  )) as CommitRunResult;
  return committed.report;
}

/**
 * `syncPageJobs`: one chunk of a pages-mode run's page jobs, each its own activity (idempotent on retry), at most
 * `parallelPageWrites` at a time. Answers the jobs whose activity failed for good.
 */
export function* syncPageJobsOrchestrator(
  context: df.OrchestrationContext,
): Generator<df.Task, SyncPageJobsResult, unknown> {
  const input = context.df.getInput() as SyncPageJobsInput;
  const retry = activityRetryOptions();
  const ref: RunRef = { profileKey: input.profileKey, runId: input.runId, cycle: input.cycle };
  const failedJobIds: string[] = [];
  const window = Math.max(1, input.parallelPageWrites);
  for (let start = 0; start < input.jobIds.length; start += window) {
    const jobIds = input.jobIds.slice(start, start + window);
    const tasks = jobIds.map((jobId) =>
      context.df.callActivityWithRetry(ActivityName.applyPageWrite, retry, {
        ...ref,
        jobId,
      } satisfies ApplyPageWriteInput),
    );
    failedJobIds.push(...(yield* settleEach(context, tasks, jobIds)));
  }
  return { failedJobIds };
}

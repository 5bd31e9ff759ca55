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
 * outcome. The custom status shows how many page jobs are done.
 */
export function* pagesCycle(
  context: df.OrchestrationContext,
  ref: RunRef,
  prepared: Extract<PrepareRunResult, { kind: "plannedPages" }>,
  run: { readonly trigger: SyncTrigger; readonly startedAt: string },
  setStage: (stage: string) => void,
): Generator<df.Task, RunReport, unknown> {
  const retry = activityRetryOptions();
  const planned = prepared.pageJobIds.length;
  const status = (stage: string, done: number) =>
    context.df.setCustomStatus({
      runId: ref.runId,
      cycle: ref.cycle,
      stage,
      batches: prepared.sharePointBatchIds.length,
      pages: { planned, done },
    });

  setStage(ActivityName.applySharePointBatch);
  status("applying SharePoint batches", 0);
  const batchTasks = prepared.sharePointBatchIds.map((batchId) =>
    context.df.callActivityWithRetry(ActivityName.applySharePointBatch, retry, { ...ref, batchId }),
  );
  const failedBatchIds = yield* settleAll(context, batchTasks, prepared.sharePointBatchIds);

  const failedJobIds: string[] = [];
  let done = 0;
  setStage(ActivityName.applyPageWrite);
  status("writing pages", 0);
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
    status("writing pages", done);
  }

  setStage(ActivityName.linkCreatedPages);
  status("writing page ids back to SharePoint", done);
  try {
    yield context.df.callActivityWithRetry(ActivityName.linkCreatedPages, retry, ref);
  } catch {
    // The pages exist and are linked by their property and the link rows; their items get the ids on a later run
    // (the commit marks them pending). Not worth failing the run and its commit for.
  }

  setStage(ActivityName.commitPagesRun);
  status("committing", done);
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
    failedJobIds.push(...(yield* settleAll(context, tasks, jobIds)));
  }
  return { failedJobIds };
}

/** Waits for every task; answers the ids of those that failed for good. */
function* settleAll(
  context: df.OrchestrationContext,
  tasks: df.Task[],
  ids: readonly string[],
): Generator<df.Task, string[], unknown> {
  if (tasks.length === 0) return [];
  try {
    yield context.df.Task.all(tasks);
    return [];
  } catch {
    const failed: string[] = [];
    for (const [index, task] of tasks.entries()) {
      try {
        yield task;
      } catch {
        failed.push(ids[index] ?? "");
      }
    }
    return failed;
  }
}

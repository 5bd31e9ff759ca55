import type * as df from "durable-functions";
import {
  ActivityName,
  type ApplyPageWriteInput,
  type CommitPagesRunInput,
  type CommitRunResult,
  type PrepareRunResult,
  type RunRef,
  type SyncTrigger,
} from "../run/runContract";
import type { RunReport } from "../run/runReport";
import { activityRetryOptions } from "./activityRetry";

/**
 * The rest of a pages-mode cycle once `prepareRun` staged it (docs/pages-mode.md §9): the SharePoint batches in
 * parallel, then the page jobs at most `parallelPageWrites` at a time (Confluence has no bulk write, and burst limits count
 * calls), the backlinks of created pages, then the commit. Every task is waited for, failed or not: the commit must
 * see every outcome. The custom status shows how many page jobs are done.
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
  const window = Math.max(1, prepared.parallelPageWrites);
  for (let start = 0; start < planned; start += window) {
    const jobIds = prepared.pageJobIds.slice(start, start + window);
    const tasks = jobIds.map((jobId) =>
      context.df.callActivityWithRetry(ActivityName.applyPageWrite, retry, {
        ...ref,
        jobId,
      } satisfies ApplyPageWriteInput),
    );
    failedJobIds.push(...(yield* settleAll(context, tasks, jobIds)));
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

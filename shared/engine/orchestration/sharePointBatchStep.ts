import type * as df from "durable-functions";
import { ActivityName, type ApplySharePointBatchResult, type RunRef } from "../run/runContract";
import type { PlannedWrites } from "../run/runProgress";
import { activityRetryOptions } from "./activityRetry";
import type { ProgressStatus } from "./progressStatus";
import { settleEach } from "./settleEach";

/**
 * A cycle's SharePoint batches (both modes): every `applySharePointBatch` at once, each waited for, with the progress
 * in `writingSharePoint`: the plan's writes, the batches done and the writes they applied (docs/engine.md#progress).
 * Answers the ids of the batches that failed for good.
 */
export function* writeSharePointBatches(
  context: df.OrchestrationContext,
  ref: RunRef,
  batchIds: readonly string[],
  status: ProgressStatus,
  planned: PlannedWrites | undefined,
): Generator<df.Task, string[], unknown> {
  const retry = activityRetryOptions();
  let applied = 0;
  status.stage("writingSharePoint", {
    ...(planned ? { planned } : {}),
    batches: { done: 0, failed: 0, total: batchIds.length },
    sharePointWritesApplied: 0,
  });
  return yield* settleEach(
    context,
    batchIds.map((batchId) =>
      context.df.callActivityWithRetry(ActivityName.applySharePointBatch, retry, { ...ref, batchId }),
    ),
    batchIds,
    {
      onResult: (result) => {
        applied += (result as ApplySharePointBatchResult | undefined)?.applied ?? 0;
      },
      onCount: (count) => status.counted("batches", count, { sharePointWritesApplied: applied }),
    },
  );
}

import { findSentWrites } from "./batchRecovery";
import { opOutcome, type PreparedWrite, prepareWrite } from "./batchWrites";
import { stagedCodecs } from "./codecInputs";
import type { EngineServices } from "./engineServices";
import { WRITE_NOT_APPLIED } from "./run/runOutcomes";
import type { BatchProgress, RunContext, StagedOpOutcome } from "./run/stagedDocuments";
import type { StagedRun } from "./run/stagedRun";

/**
 * Settles the cycle's batches that failed for good after their `$batch` may have gone out (progress still `sending`):
 * looks for their writes in the list's changes since the cycle's read, as a retried batch does, and stages what it
 * finds as done and the rest as not applied. Answers every batch's progress.
 *
 * Called before the page update and before the commit, so a create that happened is known to both: the page writes
 * the new item's id into its row (or the state remembers where the row was), instead of the next run taking the item
 * for a person's and creating the row's item again. A cycle whose batches all finished costs nothing here.
 */
export async function settleUnconfirmedBatches(
  services: EngineServices,
  staged: StagedRun,
  context: RunContext,
): Promise<Map<string, BatchProgress>> {
  const progress = await staged.allProgress();
  const unconfirmed = [...progress].flatMap(([batchId, batch]) => (batch.kind === "sending" ? [batchId] : []));
  if (unconfirmed.length === 0) return progress;
  const codecs = stagedCodecs(context.profile, context.codecInputs);
  const client = await services.connections.sharePoint(context.profile);
  for (const batchId of unconfirmed) {
    const callsBefore = client.requestCount;
    const prepared = (await staged.batch(batchId)).ops.map((op) => prepareWrite(op, codecs));
    const found = await findSentWrites(client, staged, context, codecs, batchId, prepared);
    const outcomes = prepared.map((write, index) => found.get(index) ?? notApplied(write));
    await staged.putProgress(batchId, {
      kind: "done",
      outcomes,
      apiCalls: { graph: client.requestCount - callsBefore, confluence: 0 },
      recovered: found.size,
    });
    services.logger.warn("SharePoint batch failed for good after sending; its writes were looked for", {
      profile: context.profile.key,
      batch: batchId,
      found: found.size,
      notFound: outcomes.length - found.size,
    });
  }
  return staged.allProgress();
}

/** A write of an unconfirmed batch that is not in the list: it did not happen (or was changed since); next run. */
function notApplied(write: PreparedWrite): StagedOpOutcome {
  // Nothing was to be sent (every value refused): the outcome of a write that never went out.
  if (write.write === null) return opOutcome(write, undefined);
  const { op, refused } = write;
  if (op.kind === "create")
    return { kind: "create", createRef: op.createRef, result: { ok: false }, refused, problem: WRITE_NOT_APPLIED };
  return {
    kind: op.kind,
    sharePointId: op.sharePointId,
    result: { ok: false, preconditionFailed: false },
    refused,
    problem: WRITE_NOT_APPLIED,
  };
}

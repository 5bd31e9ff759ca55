import type { ItemWriteOutcome } from "../../sharepoint/batchWriter";
import { findSentWrites } from "../batchRecovery";
import { mayHaveActed, opOutcome, prepareWrite, withoutRefusedHyperlinks } from "../batchWrites";
import { stagedCodecs } from "../codecInputs";
import type { EngineServices } from "../engineServices";
import type { ApplySharePointBatchInput, ApplySharePointBatchResult } from "../run/runContract";
import type { BatchProgress, StagedOpOutcome } from "../run/stagedDocuments";
import { StagedRun } from "../run/stagedRun";
import { WritesUnconfirmed } from "../writesUnconfirmed";

/**
 * Applies one staged batch (≤ 20 operations, one Graph `$batch`) and stages what became of each operation.
 *
 * Exactly once under Durable's at-least-once: the batch is marked `sending` before the `$batch` goes out and `done`
 * with the outcomes after; a retry that finds `done` answers from it, and one that finds `sending` first looks for
 * the writes that already happened (`recoverSentWrites`) and sends only the others. Writes Graph may have applied
 * without saying so (no answer, a 5xx) make the activity fail, so the retry looks for them too.
 */
export async function applySharePointBatch(
  services: EngineServices,
  input: ApplySharePointBatchInput,
): Promise<ApplySharePointBatchResult> {
  const staged = new StagedRun(services.state.staging, input, () => new Date(services.clock.now()).toISOString());
  const previous = await staged.progress(input.batchId);
  if (previous?.kind === "done") return summary(input.batchId, previous.outcomes);

  const [context, batch] = await Promise.all([staged.context(), staged.batch(input.batchId)]);
  const codecs = stagedCodecs(context.profile, context.codecInputs);
  const client = await services.connections.sharePoint(context.profile);
  const prepared = batch.ops.map((op) => prepareWrite(op, codecs));

  let recovered = new Map<number, StagedOpOutcome>();
  if (previous?.kind === "sending") {
    recovered = await findSentWrites(client, staged, context, codecs, input.batchId, prepared);
    services.logger.warn("SharePoint batch retried after an unconfirmed attempt", {
      profile: input.profileKey,
      runId: input.runId,
      batch: input.batchId,
      alreadyApplied: recovered.size,
    });
  }

  const toSend = prepared.flatMap((write, index) =>
    recovered.has(index) || write.write === null ? [] : [{ index, write: write.write }],
  );
  await staged.putProgress(input.batchId, { kind: "sending" });
  const answers: (ItemWriteOutcome | undefined)[] =
    toSend.length === 0 ? [] : await client.applyWrites(toSend.map((entry) => entry.write));
  const uncertain = answers.filter((answer) => answer !== undefined && mayHaveActed(answer));
  if (uncertain.length > 0) throw new WritesUnconfirmed(input.profileKey, input.batchId, uncertain.length);

  // A refused hyperlink costs its field, not the item: send those writes again without it, in one more $batch.
  const setting = context.profile.sharePoint.hyperlinkWrite ?? "object";
  const again = toSend.flatMap((entry, position) => {
    const retry = withoutRefusedHyperlinks(prepared[entry.index]!, answers[position], codecs, setting);
    return retry === undefined ? [] : [{ index: entry.index, position, retry }];
  });
  for (const { index, retry } of again) prepared[index] = retry;
  const resend = again.filter((entry) => entry.retry.write !== null);
  for (const entry of again) answers[entry.position] = undefined;
  if (resend.length > 0) {
    const second = await client.applyWrites(resend.map((entry) => entry.retry.write!));
    const unsure = second.filter(mayHaveActed);
    if (unsure.length > 0) throw new WritesUnconfirmed(input.profileKey, input.batchId, unsure.length);
    resend.forEach((entry, position) => {
      answers[entry.position] = second[position];
    });
  }

  const answerOf = new Map(toSend.map((entry, position) => [entry.index, answers[position]]));
  const outcomes = prepared.map((write, index) => recovered.get(index) ?? opOutcome(write, answerOf.get(index)));
  const progress: BatchProgress = {
    kind: "done",
    outcomes,
    apiCalls: { graph: client.requestCount, confluence: 0 },
    recovered: recovered.size,
  };
  await staged.putProgress(input.batchId, progress);
  return summary(input.batchId, outcomes);
}

function summary(batchId: string, outcomes: readonly StagedOpOutcome[]): ApplySharePointBatchResult {
  const applied = outcomes.filter((outcome) => outcome.result.ok).length;
  return { batchId, applied, failed: outcomes.length - applied };
}

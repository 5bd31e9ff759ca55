import { MAX_BATCH_SIZE } from "../sharepoint/batchWriter";
import type { ReadyPlan } from "../sync";
import type { StagedBatch, StagedOp } from "./run/stagedDocuments";

/** `b0001`, `b0002`, …: the batches of one cycle, in plan order. */
export function batchId(index: number): string {
  return `b${String(index + 1).padStart(4, "0")}`;
}

/**
 * The plan's SharePoint writes cut into Graph `$batch`es of at most 20 operations (creates first, then updates, then
 * deletes, each in plan order): k writes cost ⌈k/20⌉ calls.
 */
export function sharePointBatches(plan: ReadyPlan): StagedBatch[] {
  const ops: StagedOp[] = [
    ...plan.sharePoint.creates.map(
      (create): StagedOp => ({
        kind: "create",
        createRef: create.createRef,
        rowRef: create.rowRef,
        fields: create.fields,
      }),
    ),
    ...plan.sharePoint.updates.map(
      (update): StagedOp => ({
        kind: "update",
        sharePointId: update.sharePointId,
        ifMatch: update.ifMatch,
        fields: update.fields,
      }),
    ),
    ...plan.sharePoint.deletes.map(
      (deletion): StagedOp => ({ kind: "delete", sharePointId: deletion.sharePointId, ifMatch: deletion.ifMatch }),
    ),
  ];
  const batches: StagedBatch[] = [];
  for (let start = 0; start < ops.length; start += MAX_BATCH_SIZE) {
    batches.push({ batchId: batchId(batches.length), ops: ops.slice(start, start + MAX_BATCH_SIZE) });
  }
  return batches;
}

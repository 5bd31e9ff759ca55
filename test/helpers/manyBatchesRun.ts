import { expect } from "vitest";
import {
  type CustomStatusUpdate,
  type LocalDurableRegistry,
  runOrchestrationLocally,
} from "../../dev/localHost/localDurableHost";
import { syncProfileOrchestrator } from "../../shared/engine/orchestration";
import {
  ActivityName,
  type CommitRunInput,
  OrchestratorName,
  type PrepareRunResult,
  type SyncProfileInput,
} from "../../shared/engine/run/runContract";
import { asRunProgress, type PlannedWrites } from "../../shared/engine/run/runProgress";
import type { RunReport } from "../../shared/engine/run/runReport";
import { AppError } from "../../shared/errors";
import { createManualClock } from "../../shared/runtime/clock";
import { realSleep } from "../../shared/runtime/sleep";

class Outage extends AppError {
  readonly code = "GRAPH_UNAVAILABLE";
}

export const BATCHES = 40;
export const planned: PlannedWrites = {
  sharePoint: { created: 500, updated: 300, deleted: 0 },
  confluence: { created: 0, updated: 120, deleted: 2 },
  conflicts: 3,
};
export const input: SyncProfileInput = { profileKey: "alpha", dryRun: false, trigger: "cli" };

/**
 * A run with many batches: each batch takes its own time (so they finish roughly in order, as they would in Azure) and
 * moves the clock on by a second, so the history's timestamps give the estimate something to measure; one batch fails
 * for good.
 */
export function manyBatches(prepared: Partial<Extract<PrepareRunResult, { kind: "planned" }>> = {}) {
  const clock = createManualClock(Date.parse("2026-03-01T10:00:00.000Z"));
  const batchIds = Array.from({ length: BATCHES }, (_, index) => `b${index + 1}`);
  const registry: LocalDurableRegistry = {
    orchestrators: { [OrchestratorName.syncProfile]: syncProfileOrchestrator },
    activities: {
      [ActivityName.prepareRun]: () => {
        clock.advance(5_000);
        return { kind: "planned", sharePointBatchIds: batchIds, confluenceWrite: true, planned, ...prepared };
      },
      [ActivityName.applySharePointBatch]: async (raw) => {
        const { batchId } = raw as { batchId: string };
        await realSleep(Number(batchId.slice(1)) * 3);
        clock.advance(1_000);
        if (batchId === "b17") throw new Outage("Graph is down for this batch");
        return { batchId, applied: 20, failed: 0 };
      },
      [ActivityName.applyConfluencePage]: () => ({ kind: "applied", version: 2 }),
      [ActivityName.commitRun]: (raw) => {
        const commit = raw as CommitRunInput;
        return { report: { runId: commit.runId, outcome: "completedWithErrors" } as RunReport };
      },
    },
  };
  return { registry, clock };
}

export async function runWithStatuses(registry: LocalDurableRegistry, clock: ReturnType<typeof createManualClock>) {
  const updates: CustomStatusUpdate[] = [];
  const result = await runOrchestrationLocally(registry, OrchestratorName.syncProfile, input, "sync-alpha", {
    clock,
    delayScale: 0.0001,
    onCustomStatus: (update) => updates.push(update),
  });
  expect(result.status).toBe("Completed");
  return { result, statuses: updates.map((update) => asRunProgress(update.customStatus)!) };
}

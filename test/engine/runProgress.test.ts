import { describe, expect, it } from "vitest";
import { HistoryEventType } from "../../dev/localHost/historyEvent";
import { replayOrchestrator } from "../../dev/localHost/localDurableHost";
import { syncProfileOrchestrator } from "../../shared/engine/orchestration";
import { OrchestratorName } from "../../shared/engine/run/runContract";
import { type RunProgress, secondsLeft } from "../../shared/engine/run/runProgress";
import { BATCHES, input, manyBatches, planned, runWithStatuses } from "../helpers/manyBatchesRun";

describe("a run's progress in the orchestration's custom status", () => {
  it("goes through the stages, counting batches as they finish, with the writes applied and an estimate", async () => {
    const { registry, clock } = manyBatches();
    const { statuses } = await runWithStatuses(registry, clock);
    expect(statuses.every((status) => status !== undefined)).toBe(true);

    const stages = statuses.map((status) => status.stage).filter((stage, i, all) => stage !== all[i - 1]);
    expect(stages).toEqual(["preparing", "writingSharePoint", "updatingPage", "committing"]);
    const first = statuses[0]!;
    expect(first).toEqual({
      runId: expect.any(String),
      cycle: 1,
      stage: "preparing",
      startedAt: "2026-03-01T10:00:00.000Z",
      stageStartedAt: "2026-03-01T10:00:00.000Z",
      updatedAt: "2026-03-01T10:00:00.000Z",
    });

    const writing = statuses.filter((status) => status.stage === "writingSharePoint");
    expect(writing[0]).toMatchObject({
      planned,
      batches: { done: 0, failed: 0, total: BATCHES },
      sharePointWritesApplied: 0,
      stageStartedAt: "2026-03-01T10:00:05.000Z",
    });
    // Counted as they finish, not only at the end: many counts in between, never going back.
    const done = writing.map((status) => status.batches!.done);
    expect(new Set(done).size).toBeGreaterThanOrEqual(10);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    // The episode that sees the last batch finish moves on to the page: that status carries the final count.
    const updating = statuses.find((status) => status.stage === "updatingPage")!;
    expect(updating.batches).toEqual({ done: BATCHES, failed: 1, total: BATCHES });
    expect(updating.sharePointWritesApplied).toBe((BATCHES - 1) * 20);
    expect(updating.secondsLeft).toBeUndefined();

    // The estimate, once a batch is done, is the stage's pace so far times the batches left.
    const midway = writing.filter((status) => status.secondsLeft !== undefined);
    expect(midway.length).toBeGreaterThan(5);
    for (const status of midway) {
      expect(status.secondsLeft).toBe(secondsLeft(status.stageStartedAt, status.updatedAt, status.batches!));
      expect(status.secondsLeft).toBeGreaterThan(0);
    }
    expect(midway[0]!.secondsLeft!).toBeGreaterThan(midway.at(-1)!.secondsLeft!);

    // Later stages keep the counts; the estimate belongs to the batches only.
    const committing = statuses.at(-1)!;
    expect(committing).toMatchObject({ stage: "committing", batches: updating.batches, planned });
    expect(committing.secondsLeft).toBeUndefined();
  });

  it("replays to the same custom status after every episode", async () => {
    const { registry, clock } = manyBatches();
    const { result, statuses } = await runWithStatuses(registry, clock);
    const boundaries = result.history.flatMap((event, index) =>
      event.EventType === HistoryEventType.OrchestratorCompleted ? [index] : [],
    );
    const replayed: unknown[] = [];
    for (const end of boundaries) {
      const { state } = await replayOrchestrator(
        syncProfileOrchestrator,
        OrchestratorName.syncProfile,
        "sync-alpha",
        input,
        result.history.slice(0, end),
      );
      if (JSON.stringify(state.customStatus) !== JSON.stringify(replayed.at(-1))) replayed.push(state.customStatus);
    }
    expect(replayed).toEqual(statuses.slice(0, replayed.length));
    // The last episode ends the orchestration: its status is the one before it, unchanged.
    expect(replayed).toEqual(statuses);
  });

  it("leaves the planned writes out when prepareRun did not count them (a history from before progress)", async () => {
    const { registry, clock } = manyBatches({ planned: undefined });
    const { statuses } = await runWithStatuses(registry, clock);
    expect(statuses.some((status: RunProgress) => "planned" in status)).toBe(false);
    expect(statuses.at(-1)!.batches).toEqual({ done: BATCHES, failed: 1, total: BATCHES });
  });
});

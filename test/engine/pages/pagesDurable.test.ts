import { afterEach, describe, expect, it } from "vitest";
import { HistoryEventType } from "../../../dev/localHost/historyEvent";
import { type CustomStatusUpdate, replayOrchestrator } from "../../../dev/localHost/localDurableHost";
import { syncProfileOrchestrator } from "../../../shared/engine/orchestration";
import { PAGE_JOBS_PER_CHUNK } from "../../../shared/engine/orchestration/pagesCycle";
import { ActivityName, OrchestratorName } from "../../../shared/engine/run/runContract";
import { asRunProgress } from "../../../shared/engine/run/runProgress";
import { type PagesHarness, sampleCustomers, startPagesHarness } from "../../helpers/pagesHarness";

/** The Durable shape of a pages-mode run (docs/pages-mode.md §9). */

let harness: PagesHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("a pages-mode run's orchestration", () => {
  it("runs one activity per page write, at most parallelPageWrites at once, and shows pages planned and done", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(9), target: { parallelPageWrites: 3 } });
    let inFlight = 0;
    let most = 0;
    let calls = 0;
    const write = harness.activities[ActivityName.applyPageWrite];
    harness.activities = {
      ...harness.activities,
      [ActivityName.applyPageWrite]: async (input: unknown) => {
        inFlight += 1;
        calls += 1;
        most = Math.max(most, inFlight);
        try {
          return await write(input);
        } finally {
          inFlight -= 1;
        }
      },
    };
    const run = await harness.run();
    expect(run.status).toBe("Completed");
    // The page writes run in a sub-orchestration (syncPageJobs); the profile's own history schedules that, not them.
    const subOrchestrations = run.history.filter(
      (event) => event.EventType === HistoryEventType.SubOrchestrationInstanceCreated,
    );
    expect(subOrchestrations).toHaveLength(1);
    expect(calls).toBe(9);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(3);
    expect(run.customStatus).toMatchObject({ stage: "committing", pages: { done: 9, failed: 0, total: 9 } });
    expect(harness.childPages()).toHaveLength(9);
  });

  it("writes the page jobs in chunks of PAGE_JOBS_PER_CHUNK, one sub-orchestration each, counting them in the progress", async () => {
    const count = PAGE_JOBS_PER_CHUNK + 1;
    harness = await startPagesHarness({
      items: sampleCustomers(count),
      target: { parallelPageWrites: 16, maxCreatesPerRun: count },
    });
    const updates: CustomStatusUpdate[] = [];
    const run = await harness.run({ onCustomStatus: (update) => updates.push(update) });
    expect(run.status).toBe("Completed");
    const chunks = run.history.filter((event) => event.EventType === HistoryEventType.SubOrchestrationInstanceCreated);
    expect(chunks).toHaveLength(2);
    expect(harness.childPages()).toHaveLength(count);

    // The same progress shape as table mode, from the profile's own orchestration (its chunks set none).
    expect(new Set(updates.map((update) => update.instanceId))).toEqual(new Set([run.instanceId]));
    const statuses = updates.map((update) => asRunProgress(update.customStatus)!);
    const stages = statuses.map((status) => status.stage).filter((stage, i, all) => stage !== all[i - 1]);
    // No SharePoint batch (every item exists): that stage passes within the episode that planned, unpublished.
    expect(stages).toEqual(["preparing", "writingPages", "linkingPages", "committing"]);
    expect(statuses.find((status) => status.stage === "writingPages")).toMatchObject({
      planned: { sharePoint: { created: 0, updated: 0, deleted: 0 }, confluence: { created: count } },
      batches: { done: 0, failed: 0, total: 0 },
    });
    const pages = statuses.filter((status) => status.stage === "writingPages").map((status) => status.pages);
    expect(pages[0]).toEqual({ done: 0, failed: 0, total: count });
    expect(pages.at(-1)).toEqual({ done: PAGE_JOBS_PER_CHUNK, failed: 0, total: count });
    expect(statuses.at(-1)).toMatchObject({ stage: "committing", pages: { done: count, failed: 0, total: count } });
    expect(run.customStatus).toEqual(statuses.at(-1));

    // Replayed from its history, episode by episode, the orchestration publishes the same statuses.
    const boundaries = run.history.flatMap((event, index) =>
      event.EventType === HistoryEventType.OrchestratorCompleted ? [index] : [],
    );
    const replayed: unknown[] = [];
    for (const end of boundaries) {
      const { state } = await replayOrchestrator(
        syncProfileOrchestrator,
        OrchestratorName.syncProfile,
        run.instanceId,
        JSON.parse(run.history[1]!.Input as string),
        run.history.slice(0, end),
      );
      if (JSON.stringify(state.customStatus) !== JSON.stringify(replayed.at(-1))) replayed.push(state.customStatus);
    }
    expect(replayed).toEqual(statuses);
  }, 60_000);

  it("makes one version per page when an update's answer is lost and its activity runs again", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(2) });
    await harness.sync();
    const page = harness.pageOfItem("1")!;
    const before = harness.pageVersion(page.id);
    await harness.editItem("1", { Amount: 99 });
    await harness.confluenceFault({
      method: "PUT",
      path: `/pages/${page.id}$`,
      status: 502,
      afterHandling: true,
      times: 1,
    });
    const report = await harness.sync();
    expect(report.outcome, JSON.stringify(report.items)).toBe("completed");
    expect(harness.pageVersion(page.id)).toBe(before + 1);
    expect(harness.blockValues(page.id).Amount).toBe("99");
  });

  it("re-reads a page saved by a person between the read and the write, without overwriting the person", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(1) });
    await harness.sync();
    const page = harness.pageOfItem("1")!;
    await harness.editItem("1", { Amount: 10 });
    // The person's save lands just before the sync's PUT.
    const write = harness.activities[ActivityName.applyPageWrite];
    let once = true;
    harness.activities = {
      ...harness.activities,
      [ActivityName.applyPageWrite]: async (input: unknown) => {
        if (once) {
          once = false;
          await harness!.editBlock(page.id, { Customer: "<p>Renamed by a person</p>" });
        }
        return write(input);
      },
    };
    const first = await harness.sync();
    expect(first.outcome).toBe("completedWithErrors");
    expect(first.items[0]?.errors).toEqual([expect.objectContaining({ code: "PAGE_VERSION_CONFLICT" })]);
    harness.activities = { ...harness.activities, [ActivityName.applyPageWrite]: write };
    await harness.sync();
    expect(harness.blockValues(page.id)).toMatchObject({ Customer: "Renamed by a person", Amount: "10" });
    expect((await harness.item("1"))?.Title).toBe("Renamed by a person");
  });
});

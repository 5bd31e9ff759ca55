import { describe, expect, it } from "vitest";
import type { LocalDurableRegistry } from "../../dev/localHost/localDurableHost";
import { LocalSyncStarter } from "../../dev/localHost/localSyncStarter";
import { syncAllProfilesOrchestrator, syncProfileOrchestrator } from "../../shared/engine/orchestration";
import { ActivityName, OrchestratorName, type PrepareRunInput } from "../../shared/engine/run/runContract";
import type { RunReport } from "../../shared/engine/run/runReport";
import { startOrCoalesce } from "../../shared/syncStart";

function report(input: PrepareRunInput): RunReport {
  return {
    profile: input.profileKey,
    runId: input.runId,
    dryRun: input.dryRun,
    trigger: input.trigger,
    outcome: "dryRun",
    startedAt: input.startedAt,
    finishedAt: input.startedAt,
    cycles: 1,
    counts: {
      sharePoint: { created: 0, updated: 0, deleted: 0 },
      confluence: { created: 0, updated: 0, deleted: 0 },
      conflicts: 0,
      errors: 0,
    },
    items: [],
    apiCalls: { graph: 0, confluence: 0 },
  };
}

/** The real orchestrators over a prepareRun that holds each run until the test lets it go. */
function gatedRegistry() {
  const prepared: PrepareRunInput[] = [];
  const gates: Array<() => void> = [];
  const waiting: Array<() => void> = [];
  const registry: LocalDurableRegistry = {
    orchestrators: {
      [OrchestratorName.syncProfile]: syncProfileOrchestrator,
      [OrchestratorName.syncAllProfiles]: syncAllProfilesOrchestrator,
    },
    activities: {
      [ActivityName.listActiveProfiles]: () => ["alpha", "beta"],
      [ActivityName.prepareRun]: async (input) => {
        prepared.push(input as PrepareRunInput);
        waiting.splice(0).forEach((notify) => notify());
        await new Promise<void>((release) => gates.push(release));
        return { kind: "dryRun", report: report(input as PrepareRunInput) };
      },
    },
  };
  /** Resolves once `count` runs have reached prepareRun. */
  const prepareCalls = async (count: number): Promise<void> => {
    while (prepared.length < count) await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const releaseAll = (): void => gates.splice(0).forEach((release) => release());
  return { registry, prepared, prepareCalls, releaseAll };
}

describe("LocalSyncStarter (in-process, through the local Durable host)", () => {
  it("runs a profile once at a time and reports the second start busy", async () => {
    const { registry, prepareCalls, releaseAll } = gatedRegistry();
    const starter = new LocalSyncStarter(registry);
    expect(await starter.startProfileSync({ profileKey: "alpha", dryRun: true, trigger: "cli" })).toEqual({
      kind: "started",
      instanceId: "sync-alpha",
    });
    await prepareCalls(1);
    expect(await starter.startProfileSync({ profileKey: "alpha", dryRun: true, trigger: "cli" })).toEqual({
      kind: "busy",
      instanceId: "sync-alpha",
      runtimeStatus: "Running",
    });
    // Another profile is independent.
    expect((await starter.startProfileSync({ profileKey: "beta", dryRun: true, trigger: "cli" })).kind).toBe("started");
    await prepareCalls(2);
    releaseAll();
    await starter.idle();
    expect(
      starter.finished
        .map((run) => [run.instanceId, run.result?.status, (run.result?.output as RunReport | undefined)?.outcome])
        .sort(),
    ).toEqual([
      ["sync-alpha", "Completed", "dryRun"],
      ["sync-beta", "Completed", "dryRun"],
    ]);
  });

  it("runs once more after the current run when changes arrive mid-run, however many arrive", async () => {
    const { registry, prepared, prepareCalls, releaseAll } = gatedRegistry();
    const starter = new LocalSyncStarter(registry);
    expect((await startOrCoalesce(starter, "alpha", "webhook")).kind).toBe("started");
    await prepareCalls(1);
    expect(await startOrCoalesce(starter, "alpha", "webhook")).toMatchObject({
      kind: "coalesced",
      followUp: "scheduled",
    });
    expect(await startOrCoalesce(starter, "alpha", "webhook")).toMatchObject({
      kind: "coalesced",
      followUp: "alreadyWaiting",
    });
    releaseAll();
    await prepareCalls(2);
    releaseAll();
    await starter.idle();
    expect(prepared.map((p) => [p.profileKey, p.dryRun, p.trigger])).toEqual([
      ["alpha", false, "webhook"],
      ["alpha", false, "webhook"],
    ]);
    expect(starter.finished).toHaveLength(2);
  });

  it("keeps single-profile starts out while the scheduled fan-out runs, and the fan-out out while a profile runs", async () => {
    const { registry, prepareCalls, releaseAll } = gatedRegistry();
    const starter = new LocalSyncStarter(registry);
    expect(await starter.startAllProfilesSync("schedule")).toEqual({ kind: "started", instanceId: "scheduled-sync" });
    await prepareCalls(2);
    expect(await starter.startProfileSync({ profileKey: "alpha", dryRun: false, trigger: "manual" })).toMatchObject({
      kind: "busy",
      instanceId: "scheduled-sync",
    });
    releaseAll();
    await starter.idle();
    expect(starter.finished.map((run) => run.instanceId)).toEqual(["scheduled-sync"]);

    await starter.startProfileSync({ profileKey: "alpha", dryRun: false, trigger: "manual" });
    expect(await starter.startAllProfilesSync("schedule")).toMatchObject({ kind: "busy", instanceId: "sync-alpha" });
    await prepareCalls(3);
    releaseAll();
    await starter.idle();
  });

  it("records a run the local host could not run at all instead of losing it", async () => {
    const starter = new LocalSyncStarter({ orchestrators: {}, activities: {} });
    await starter.startProfileSync({ profileKey: "alpha", dryRun: false, trigger: "cli" });
    await starter.idle();
    expect(starter.finished).toEqual([
      expect.objectContaining({ instanceId: "sync-alpha", error: 'no orchestrator named "syncProfile" is registered' }),
    ]);
  });
});

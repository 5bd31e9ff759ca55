import { describe, expect, it } from "vitest";
import { HistoryEventType, historyEvent } from "../../dev/localHost/historyEvent";
import {
  type LocalDurableRegistry,
  replayOrchestrator,
  runOrchestrationLocally,
} from "../../dev/localHost/localDurableHost";
import { syncAllProfilesOrchestrator, syncProfileOrchestrator } from "../../shared/engine/orchestration";
import {
  ActivityName,
  type ApplyConfluencePageResult,
  type CommitRunInput,
  OrchestratorName,
  type PrepareRunInput,
  type PrepareRunResult,
  type RecordRunFailureInput,
  type SyncProfileInput,
} from "../../shared/engine/run/runContract";
import type { RunReport } from "../../shared/engine/run/runReport";
import { AppError } from "../../shared/errors";
import { expectDeterministicReplay } from "../helpers/durableReplay";

class Outage extends AppError {
  readonly code = "GRAPH_UNAVAILABLE";
}

function report(
  profile: string,
  runId: string,
  outcome: RunReport["outcome"],
  extra: Partial<RunReport> = {},
): RunReport {
  return {
    profile,
    runId,
    dryRun: false,
    trigger: "manual",
    outcome,
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:00:01.000Z",
    cycles: 1,
    counts: {
      sharePoint: { created: 0, updated: 0, deleted: 0 },
      confluence: { created: 0, updated: 0, deleted: 0 },
      conflicts: 0,
      errors: 0,
    },
    items: [],
    apiCalls: { graph: 0, confluence: 0 },
    ...extra,
  };
}

interface Script {
  prepare?: (input: PrepareRunInput) => PrepareRunResult;
  batch?: (batchId: string, attempt: number) => void;
  page?: (cycle: number) => ApplyConfluencePageResult;
}

/** Activities that record what the orchestrator asked for and answer from a script. */
function activities(script: Script) {
  const calls: Array<{ name: string; input: unknown }> = [];
  const attempts = new Map<string, number>();
  const registry: LocalDurableRegistry = {
    orchestrators: {
      [OrchestratorName.syncProfile]: syncProfileOrchestrator,
      [OrchestratorName.syncAllProfiles]: syncAllProfilesOrchestrator,
    },
    activities: {
      [ActivityName.listActiveProfiles]: () => ["alpha", "beta", "gamma"],
      [ActivityName.prepareRun]: (input) => {
        calls.push({ name: "prepareRun", input });
        const prepare = input as PrepareRunInput;
        return (
          script.prepare?.(prepare) ?? {
            kind: "planned",
            sharePointBatchIds: ["b1", "b2", "b3"],
            confluenceWrite: true,
          }
        );
      },
      [ActivityName.applySharePointBatch]: (input) => {
        const { batchId } = input as { batchId: string };
        const attempt = (attempts.get(batchId) ?? 0) + 1;
        attempts.set(batchId, attempt);
        calls.push({ name: "applySharePointBatch", input });
        script.batch?.(batchId, attempt);
        return { batchId, applied: 20, failed: 0 };
      },
      [ActivityName.applyConfluencePage]: (input) => {
        calls.push({ name: "applyConfluencePage", input });
        return script.page?.((input as { cycle: number }).cycle) ?? { kind: "applied", version: 2 };
      },
      [ActivityName.commitRun]: (input) => {
        calls.push({ name: "commitRun", input });
        const commit = input as CommitRunInput;
        return {
          report: report(
            commit.profileKey,
            commit.runId,
            commit.failedBatchIds.length ? "completedWithErrors" : "completed",
            { cycles: commit.cycle },
          ),
        };
      },
      [ActivityName.recordRunFailure]: (input) => {
        calls.push({ name: "recordRunFailure", input });
        const failure = input as RecordRunFailureInput;
        return report(failure.profileKey, failure.runId, "failed", { problem: failure.problem });
      },
    },
  };
  return { registry, calls };
}

const fast = { delayScale: 0.0001 };
const profileInput: SyncProfileInput = { profileKey: "alpha", dryRun: false, trigger: "manual" };

describe("syncProfile orchestration", () => {
  it("prepares, fans out the SharePoint batches, updates the page, then commits", async () => {
    const { registry, calls } = activities({});
    const result = await runOrchestrationLocally(
      registry,
      OrchestratorName.syncProfile,
      profileInput,
      "sync-alpha",
      fast,
    );
    expect(result.status).toBe("Completed");
    expect(calls.map((c) => c.name)).toEqual([
      "prepareRun",
      "applySharePointBatch",
      "applySharePointBatch",
      "applySharePointBatch",
      "applyConfluencePage",
      "commitRun",
    ]);
    const commit = calls.at(-1)!.input as CommitRunInput;
    expect(commit).toMatchObject({
      profileKey: "alpha",
      cycle: 1,
      confluence: "applied",
      failedBatchIds: [],
      finalCycle: false,
    });
    expect((result.output as RunReport).outcome).toBe("completed");
    // Activities get references, never payloads.
    expect(Object.keys(calls[1]!.input as object).sort()).toEqual(["batchId", "cycle", "profileKey", "runId"]);
  });

  it("runs another cycle when the page changed under it, and stops after MAX_RUN_CYCLES", async () => {
    const { registry, calls } = activities({ page: () => ({ kind: "versionConflict", currentVersion: 9 }) });
    const result = await runOrchestrationLocally(
      registry,
      OrchestratorName.syncProfile,
      profileInput,
      "sync-alpha",
      fast,
    );
    const commits = calls.filter((c) => c.name === "commitRun").map((c) => c.input as CommitRunInput);
    expect(commits.map((c) => [c.cycle, c.confluence, c.finalCycle])).toEqual([
      [1, "versionConflict", false],
      [2, "versionConflict", false],
      [3, "versionConflict", true],
    ]);
    expect(calls.filter((c) => c.name === "prepareRun")).toHaveLength(3);
    // One run id across its cycles.
    expect(new Set(calls.map((c) => (c.input as { runId: string }).runId)).size).toBe(1);
    expect((result.output as RunReport).cycles).toBe(3);
  });

  it("stops after the second cycle once the page update lands", async () => {
    const { registry, calls } = activities({
      page: (cycle) => (cycle === 1 ? { kind: "versionConflict", currentVersion: 3 } : { kind: "applied", version: 4 }),
    });
    await runOrchestrationLocally(registry, OrchestratorName.syncProfile, profileInput, "sync-alpha", fast);
    expect(calls.filter((c) => c.name === "commitRun")).toHaveLength(2);
  });

  it("retries a batch that fails transiently and commits normally", async () => {
    const { registry, calls } = activities({
      batch: (id, attempt) => {
        if (id === "b2" && attempt === 1) throw new Outage("503 from Graph");
      },
    });
    const result = await runOrchestrationLocally(
      registry,
      OrchestratorName.syncProfile,
      profileInput,
      "sync-alpha",
      fast,
    );
    expect(calls.filter((c) => c.name === "applySharePointBatch")).toHaveLength(4);
    expect((calls.at(-1)!.input as CommitRunInput).failedBatchIds).toEqual([]);
    expect((result.output as RunReport).outcome).toBe("completed");
  });

  it("waits for every batch when one fails for good, then commits with that batch marked failed", async () => {
    const { registry, calls } = activities({
      batch: (id) => {
        if (id === "b1") throw new Outage("Graph is down");
      },
    });
    const result = await runOrchestrationLocally(
      registry,
      OrchestratorName.syncProfile,
      profileInput,
      "sync-alpha",
      fast,
    );
    expect(calls.filter((c) => (c.input as { batchId?: string }).batchId === "b1")).toHaveLength(3); // maxNumberOfAttempts
    const commit = calls.find((c) => c.name === "commitRun")!.input as CommitRunInput;
    expect(commit.failedBatchIds).toEqual(["b1"]);
    // The page update still ran after all batches settled (it skips key write-backs of failed creates itself).
    const order = calls.map((c) => c.name);
    expect(order.lastIndexOf("applySharePointBatch")).toBeLessThan(order.indexOf("applyConfluencePage"));
    expect((result.output as RunReport).outcome).toBe("completedWithErrors");
  });

  it("returns the prepare report when the profile is invalid, stopped or a dry run, without writing", async () => {
    for (const kind of ["invalid", "stopped", "dryRun", "failed"] as const) {
      const { registry, calls } = activities({
        prepare: (input) =>
          ({
            kind,
            missingSecrets: ["ConfluenceRefreshToken"],
            errors: [],
            problem: { code: "X", message: "x" },
            report: report(input.profileKey, input.runId, kind),
          }) as PrepareRunResult,
      });
      const result = await runOrchestrationLocally(
        registry,
        OrchestratorName.syncProfile,
        { ...profileInput, dryRun: kind === "dryRun" },
        "sync-alpha",
        fast,
      );
      expect(calls.map((c) => c.name)).toEqual(["prepareRun"]);
      expect((result.output as RunReport).outcome).toBe(kind);
    }
  });

  it("records the run as failed when an activity fails for good", async () => {
    const { registry, calls } = activities({
      prepare: () => {
        throw new Outage("Confluence is down");
      },
    });
    const result = await runOrchestrationLocally(
      registry,
      OrchestratorName.syncProfile,
      profileInput,
      "sync-alpha",
      fast,
    );
    expect(result.status).toBe("Completed");
    const failure = calls.find((c) => c.name === "recordRunFailure")!.input as RecordRunFailureInput;
    expect(failure.problem.code).toBe("GRAPH_UNAVAILABLE");
    expect(failure.problem.message).toContain("prepareRun failed after its retries");
    expect((result.output as RunReport).outcome).toBe("failed");
  });

  it("is deterministic: every prefix of its history replays to the same actions", async () => {
    const { registry } = activities({
      batch: (id, attempt) => {
        if (id === "b3" && attempt < 3) throw new Outage("flaky");
      },
      page: (cycle) => (cycle === 1 ? { kind: "versionConflict", currentVersion: 2 } : { kind: "applied", version: 3 }),
    });
    const result = await runOrchestrationLocally(
      registry,
      OrchestratorName.syncProfile,
      profileInput,
      "sync-alpha",
      fast,
    );
    const { state } = await expectDeterministicReplay(
      syncProfileOrchestrator,
      OrchestratorName.syncProfile,
      "sync-alpha",
      profileInput,
      result.history,
    );
    expect(state.isDone).toBe(true);
    expect(state.output).toEqual(result.output);
  });

  it("asks for prepareRun first, with retry options, on a hand-built history", async () => {
    const at = "2026-03-01T10:00:00.000Z";
    const history = [
      historyEvent(HistoryEventType.OrchestratorStarted, { Timestamp: at }),
      historyEvent(HistoryEventType.ExecutionStarted, {
        Timestamp: at,
        Name: "syncProfile",
        Input: JSON.stringify(profileInput),
      }),
    ];
    const { state } = await replayOrchestrator(
      syncProfileOrchestrator,
      "syncProfile",
      "sync-alpha",
      profileInput,
      history,
    );
    const [first] = state.actions.flat() as Array<Record<string, unknown>>;
    expect(first).toMatchObject({
      actionType: 1, // CallActivityWithRetry
      functionName: "prepareRun",
      retryOptions: { firstRetryIntervalInMilliseconds: 20_000, maxNumberOfAttempts: 3, backoffCoefficient: 2 },
      input: { profileKey: "alpha", cycle: 1, dryRun: false, startedAt: at },
    });
    expect(state.isDone).toBe(false);
  });
});

describe("syncAllProfiles orchestration", () => {
  it("fans out one syncProfile per active profile under the profile's instance id", async () => {
    const { registry, calls } = activities({});
    const result = await runOrchestrationLocally(
      registry,
      OrchestratorName.syncAllProfiles,
      { trigger: "schedule" },
      "sync-all",
      fast,
    );
    expect(result.output).toEqual({
      profiles: [
        { profileKey: "alpha", outcome: "completed" },
        { profileKey: "beta", outcome: "completed" },
        { profileKey: "gamma", outcome: "completed" },
      ],
    });
    expect(
      new Set(calls.filter((c) => c.name === "prepareRun").map((c) => (c.input as PrepareRunInput).profileKey)),
    ).toEqual(new Set(["alpha", "beta", "gamma"]));
    const created = result.history
      .filter((e) => e.EventType === HistoryEventType.SubOrchestrationInstanceCreated)
      .map((e) => e.InstanceId);
    expect(created).toEqual(["sync-alpha", "sync-beta", "sync-gamma"]);
  });

  it("reports a profile whose run could not complete without affecting the others", async () => {
    const { registry } = activities({});
    // Beta's orchestration itself fails (in Azure: e.g. its instance is already running).
    registry.orchestrators[OrchestratorName.syncProfile] = function* (context) {
      const input = context.df.getInput() as SyncProfileInput;
      if (input.profileKey === "beta") throw new Error("instance sync-beta is already running");
      return yield* syncProfileOrchestrator(context);
    };
    const result = await runOrchestrationLocally(
      registry,
      OrchestratorName.syncAllProfiles,
      { trigger: "schedule" },
      "sync-all",
      fast,
    );
    const profiles = (result.output as { profiles: Array<{ profileKey: string; outcome: string }> }).profiles;
    expect(profiles.map((p) => [p.profileKey, p.outcome])).toEqual([
      ["alpha", "completed"],
      ["beta", "notStarted"],
      ["gamma", "completed"],
    ]);
  });

  it("skips the profiles whose own run was in flight when it was started, and reports them alreadyRunning", async () => {
    const { registry, calls } = activities({});
    const input = { trigger: "schedule", busyProfileKeys: ["beta", "retired"] };
    const result = await runOrchestrationLocally(registry, OrchestratorName.syncAllProfiles, input, "sync-all", fast);
    expect((result.output as { profiles: unknown[] }).profiles).toEqual([
      { profileKey: "alpha", outcome: "completed" },
      { profileKey: "beta", outcome: "alreadyRunning" },
      { profileKey: "gamma", outcome: "completed" },
    ]);
    const created = result.history
      .filter((e) => e.EventType === HistoryEventType.SubOrchestrationInstanceCreated)
      .map((e) => e.InstanceId);
    expect(created).toEqual(["sync-alpha", "sync-gamma"]);
    expect(
      calls
        .filter((c) => c.name === "prepareRun")
        .map((c) => (c.input as PrepareRunInput).profileKey)
        .sort(),
    ).toEqual(["alpha", "gamma"]);
  });

  it("stops waiting for a child that gives no answer by the deadline, reports it, and finishes with the others' results", async () => {
    const { registry } = activities({});
    let finishedChildren = 0;
    let othersFinished!: () => void;
    const othersDone = new Promise<void>((resolve) => (othersFinished = resolve));
    // Beta never answers (in Azure: e.g. its start was dropped because its id was taken after all); alpha and gamma do.
    registry.orchestrators[OrchestratorName.syncProfile] = function* (context) {
      const input = context.df.getInput() as SyncProfileInput;
      if (input.profileKey === "beta")
        yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 24 * 3_600_000));
      const report = yield* syncProfileOrchestrator(context);
      if (++finishedChildren === 2) othersFinished();
      return report;
    };
    // Virtual time: beta's day-long timer never fires; the deadline fires once alpha and gamma have finished (a
    // macrotask later, so their completions are in before it); retry delays pass at once.
    const sleep = (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve) => {
        if (ms > 3_600_000) signal?.addEventListener("abort", () => resolve());
        else if (ms > 60_000) void othersDone.then(() => setImmediate(resolve));
        else resolve();
      });
    const input = { trigger: "schedule", profileRunDeadlineMs: 30 * 60_000 };
    const result = await runOrchestrationLocally(registry, OrchestratorName.syncAllProfiles, input, "sync-all", {
      sleep,
    });
    expect(result.status).toBe("Completed");
    const profiles = (
      result.output as {
        profiles: Array<{ profileKey: string; outcome: string; problem?: { code: string; message: string } }>;
      }
    ).profiles;
    expect(profiles.map((p) => [p.profileKey, p.outcome])).toEqual([
      ["alpha", "completed"],
      ["beta", "deadlinePassed"],
      ["gamma", "completed"],
    ]);
    expect(profiles[1]!.problem).toEqual({
      code: "PROFILE_RUN_DEADLINE_PASSED",
      message:
        'syncProfile for "beta" gave no answer within 30 minute(s); it may still be running (see its own instance, sync-beta)',
    });
    // One deadline timer per child, all for the same moment.
    const timers = result.history.filter((e) => e.EventType === HistoryEventType.TimerCreated);
    expect(timers).toHaveLength(3);
    expect(new Set(timers.map((t) => t.FireAt)).size).toBe(1);
    await expectDeterministicReplay(
      syncAllProfilesOrchestrator,
      OrchestratorName.syncAllProfiles,
      "sync-all",
      input,
      result.history,
    );
  });
});

import { describe, expect, it } from "vitest";
import { RUN_ENDED_EVENT, TOKEN_REFRESH_EVENT } from "../../shared/engine/telemetryEvents";
import { createRecordingTelemetry, type TelemetryEvent } from "../../shared/runtime";
import type { ConflictStore } from "../../shared/state/conflictStore";
import type { StateStores } from "../../shared/state/stateStores";
import { sampleItems, sampleRows } from "../helpers/syncHarness";
import { harnessPerTest } from "../helpers/syncTestRuns";

/**
 * The events operators alert on (docs/operations.md#application-insights), from real runs: the engine, the local
 * Durable host replaying the real orchestrator, the Graph and Confluence emulators and Azurite, with a recording sink
 * in place of Application Insights.
 */

const start = harnessPerTest();

const runEvents = (events: TelemetryEvent[]) => events.filter((event) => event.name === RUN_ENDED_EVENT.name);
const refreshEvents = (events: TelemetryEvent[]) => events.filter((event) => event.name === TOKEN_REFRESH_EVENT.name);

/** The state stores with `conflicts.openSummary` counted (or made to fail). */
function countingOpenSummary(options: { fail?: boolean } = {}) {
  const counter = { calls: 0 };
  const wrapState = (state: StateStores): StateStores => {
    const conflicts = new Proxy(state.conflicts, {
      get(target, key) {
        if (key === "openSummary") {
          return async (...args: Parameters<ConflictStore["openSummary"]>) => {
            counter.calls += 1;
            if (options.fail) throw new Error("table storage is unavailable");
            return target.openSummary(...args);
          };
        }
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    return { ...state, conflicts };
  };
  return { counter, wrapState };
}

describe("the run event", () => {
  it("is emitted once per run, with the report's profile, run id, trigger, outcome, counts per side, calls and duration", async () => {
    const telemetry = createRecordingTelemetry();
    const h = await start({ items: sampleItems(3), rows: sampleRows(3), engine: { telemetry } });
    const first = await h.sync();

    // The first run in a process gets a Confluence token: its own event, never the token.
    const [refresh, ...moreRefreshes] = refreshEvents(telemetry.events);
    expect(moreRefreshes).toEqual([]);
    expect(refresh?.dimensions).toEqual({ Profile: "projects", Outcome: "refreshed", NewExpiry: expect.any(String) });
    expect(refresh?.measurements).toEqual({ DurationMs: expect.any(Number) });
    expect(JSON.stringify(telemetry.events)).not.toContain("refresh-token");

    // People edit both sides: SharePoint's Amount of item 1, Confluence's Title of row 3, and Status of item 2 on
    // both sides differently (a conflict).
    await h.editItem("1", { Amount: 100 });
    await h.editItem("2", { Status: "Done" });
    await h.editRows((rows) =>
      rows.map((row) =>
        row[0] === "2"
          ? [row[0], row[1]!, "Doing", row[3]!]
          : row[0] === "3"
            ? [row[0], "Third", row[2]!, row[3]!]
            : row,
      ),
    );
    const second = await h.sync();
    const third = await h.sync();

    const events = runEvents(telemetry.events);
    expect(events.map((event) => event.dimensions.RunId)).toEqual([first.runId, second.runId, third.runId]);
    const [, event] = events;
    expect(event?.dimensions).toEqual({
      Profile: "projects",
      RunId: second.runId,
      Trigger: "cli",
      Outcome: second.outcome,
      ProblemCode: "",
      OldestOpenConflictAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(second.counts).toMatchObject({
      sharePoint: { updated: 1 },
      confluence: { updated: 1 },
      conflicts: 1,
    });
    expect(event?.measurements).toEqual({
      SharePointCreated: second.counts.sharePoint.created,
      SharePointUpdated: second.counts.sharePoint.updated,
      SharePointDeleted: second.counts.sharePoint.deleted,
      ConfluenceCreated: second.counts.confluence.created,
      ConfluenceUpdated: second.counts.confluence.updated,
      ConfluenceDeleted: second.counts.confluence.deleted,
      ConflictsSeen: 1,
      ConflictsOpened: 1,
      ConflictsOpen: 1,
      ItemErrors: second.counts.errors,
      GraphCalls: second.apiCalls.graph,
      ConfluenceCalls: second.apiCalls.confluence,
      DurationMs: Date.parse(second.finishedAt) - Date.parse(second.startedAt),
      Cycles: 1,
    });
    expect(event?.at).toBe(Date.parse(second.finishedAt));

    // The next run sees the same conflict: still open, opened by an earlier run, as old as before.
    const [, , next] = events;
    expect(next?.measurements).toMatchObject({ ConflictsSeen: 1, ConflictsOpened: 0, ConflictsOpen: 1 });
    expect(next?.dimensions.OldestOpenConflictAt).toBe(event?.dimensions.OldestOpenConflictAt);
    // A run with nothing open says so.
    expect(events[0]?.measurements).toMatchObject({ ConflictsOpen: 0, ConflictsOpened: 0 });
    expect(events[0]?.dimensions).not.toHaveProperty("OldestOpenConflictAt");
  });

  it("is not emitted for a dry run, which records nothing", async () => {
    const telemetry = createRecordingTelemetry();
    const h = await start({ items: sampleItems(2), rows: sampleRows(2), engine: { telemetry } });
    await h.sync();
    const before = runEvents(telemetry.events).length;
    await h.editItem("1", { Amount: 7 });
    const report = await h.sync({ dryRun: true });
    expect(report.outcome).toBe("dryRun");
    expect(runEvents(telemetry.events)).toHaveLength(before);
  });

  it("costs an idle run one Table Storage query and no Graph or Confluence call", async () => {
    const telemetry = createRecordingTelemetry();
    const { counter, wrapState } = countingOpenSummary();
    const h = await start({ items: sampleItems(5), rows: sampleRows(5), engine: { telemetry }, wrapState });
    await h.sync();
    h.clearCalls();
    counter.calls = 0;
    const report = await h.sync();
    expect(h.graphCalls().filter((call) => !call.startsWith("  "))).toEqual(["GET …/items/delta 200"]);
    expect(h.confluenceCalls()).toEqual(["GET /pages/98306 200"]);
    expect(report.apiCalls).toEqual({ graph: 1, confluence: 1 });
    expect(counter.calls).toBe(1);
    expect(runEvents(telemetry.events).at(-1)?.measurements).toMatchObject({ GraphCalls: 1, ConfluenceCalls: 1 });
  });

  it("costs nothing where no sink is configured: no event, no conflict query", async () => {
    const { counter, wrapState } = countingOpenSummary();
    const h = await start({ items: sampleItems(2), rows: sampleRows(2), wrapState });
    await h.sync();
    await h.sync();
    expect(counter.calls).toBe(0);
  });

  it("still comes, without the conflict columns, when the conflicts cannot be counted; the run is unaffected", async () => {
    const telemetry = createRecordingTelemetry();
    const { counter, wrapState } = countingOpenSummary({ fail: true });
    const h = await start({ items: sampleItems(2), rows: sampleRows(2), engine: { telemetry }, wrapState });
    const report = await h.sync();
    expect(report.outcome).toBe("completed");
    expect(counter.calls).toBe(1);
    const [event] = runEvents(telemetry.events);
    expect(event?.dimensions).toMatchObject({ RunId: report.runId, Outcome: "completed" });
    expect(event?.measurements).not.toHaveProperty("ConflictsOpen");
    expect(event?.measurements).not.toHaveProperty("ConflictsOpened");
    expect(h.logs.records).toContainEqual(
      expect.objectContaining({ level: "warn", message: "could not count the open conflicts for the run's event" }),
    );
  });
});

describe("a dead grant", () => {
  it("shows as a failed run with REAUTHORIZATION_REQUIRED and a token refresh that asks for a new consent", async () => {
    const telemetry = createRecordingTelemetry();
    const h = await start({ items: sampleItems(2), rows: sampleRows(2), engine: { telemetry } });
    const revoked = await fetch(`${h.confluence.urls.baseUrl}/_admin/oauth/revoke-all`, { method: "POST" });
    expect(revoked.ok).toBe(true);
    const report = await h.sync();
    expect(report).toMatchObject({ outcome: "failed", problem: { code: "REAUTHORIZATION_REQUIRED" } });
    expect(refreshEvents(telemetry.events).map((event) => event.dimensions)).toEqual([
      { Profile: "projects", Outcome: "reauthorization-required", ErrorCode: "REAUTHORIZATION_REQUIRED" },
    ]);
    expect(runEvents(telemetry.events).map((event) => event.dimensions)).toEqual([
      expect.objectContaining({ Outcome: "failed", ProblemCode: "REAUTHORIZATION_REQUIRED", RunId: report.runId }),
    ]);
  });
});

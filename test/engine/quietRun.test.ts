import { describe, expect, it } from "vitest";
import type { StateStores } from "../../shared/state/stateStores";
import { type SyncHarness, sampleItems, sampleRows } from "../helpers/syncHarness";
import { harnessPerTest } from "../helpers/syncTestRuns";

/**
 * Quiet runs (shared/engine/quietRun.ts): after a run that planned nothing, a run that finds the page at the same
 * version, an empty delta and the same profile ends after its two reads, without loading a single state row. Every
 * way something could have changed must still lead to a full run.
 */

const start = harnessPerTest();

/** A harness whose item-state loads (all of a profile's rows, or some by key) are counted. */
async function counted(options: Parameters<typeof start>[0] = {}): Promise<{ h: SyncHarness; loads: () => number }> {
  let loads = 0;
  const wrapState = (state: StateStores): StateStores => {
    const items = state.items;
    const load = items.load.bind(items);
    const loadSome = items.loadSome.bind(items);
    items.load = (...args: Parameters<typeof load>) => {
      loads += 1;
      return load(...args);
    };
    items.loadSome = (...args: Parameters<typeof loadSome>) => {
      loads += 1;
      return loadSome(...args);
    };
    return state;
  };
  const h = await start({ items: sampleItems(8), rows: sampleRows(8), ...options, wrapState });
  return { h, loads: () => loads };
}

/** Syncs until a run planned nothing (the first sync pairs, the next one finds nothing), then once more. */
async function settle(h: SyncHarness): Promise<void> {
  await h.sync();
  const second = await h.sync();
  expect(second.items).toEqual([]);
}

describe("quiet runs", () => {
  it("skip the state after a run that planned nothing: the same two calls, no state row loaded, only the delta link moves", async () => {
    const { h, loads } = await counted();
    await settle(h);
    const before = (await h.state.cursors.get(h.profile.key))!;
    expect(before.cursor.quiet).toMatchObject({ pageVersion: h.pageVersion() });
    const loadsBefore = loads();
    h.clearCalls();
    const report = await h.sync();
    expect(loads()).toBe(loadsBefore);
    expect(report).toMatchObject({ outcome: "completed", items: [], apiCalls: { graph: 1, confluence: 1 } });
    expect(h.writes()).toEqual({ graph: [], confluence: [] });
    const after = (await h.state.cursors.get(h.profile.key))!;
    expect(after.cursor.quiet).toEqual(before.cursor.quiet);
    expect(after.cursor.runId).toBe(report.runId);
    // The run is on record like any other.
    expect((await h.state.runs.recent(h.profile.key, 1))[0]).toMatchObject({
      runId: report.runId,
      outcome: "completed",
    });
  });

  it("still sync a person's edit on the page: a new page version means a full run", async () => {
    const { h, loads } = await counted();
    await settle(h);
    await h.editRows((rows) => rows.map((row) => (row[0] === "3" ? [row[0], row[1]!, "Done", row[3]!] : row)));
    const loadsBefore = loads();
    const report = await h.sync();
    expect(loads()).toBe(loadsBefore + 1);
    expect(report.counts.sharePoint.updated).toBe(1);
    expect((await h.listItems()).get("3")).toMatchObject({ Status: "Done" });
  });

  it("still sync an edit in SharePoint: a delta with an item in it means a full run", async () => {
    const { h } = await counted();
    await settle(h);
    await h.editItem("5", { Amount: 5000 });
    const report = await h.sync();
    expect(report.counts.confluence.updated).toBe(1);
    expect(h.rowOf("5")).toMatchObject({ Amount: "5000" });
  });

  it("still sync a deletion in SharePoint", async () => {
    const { h } = await counted({ profile: { deletes: { toConfluence: "delete" } } });
    await settle(h);
    await h.deleteItem("2");
    const report = await h.sync();
    expect(report.counts.confluence.deleted).toBe(1);
    expect(h.rowOf("2")).toBeUndefined();
  });

  it("run in full after the profile changed (another mapping may plan differently)", async () => {
    const { h, loads } = await counted();
    await settle(h);
    await h.updateProfile({ conflictPolicy: "sharepoint-wins" });
    const loadsBefore = loads();
    await h.sync();
    expect(loads()).toBe(loadsBefore + 1);
  });

  it("never start from a run that left an open conflict: it is reported again each run", async () => {
    const { h, loads } = await counted();
    await settle(h);
    await h.editItem("4", { Status: "Blocked" });
    await h.editRows((rows) => rows.map((row) => (row[0] === "4" ? [row[0], row[1]!, "Done", row[3]!] : row)));
    const first = await h.sync();
    expect(first.counts.conflicts).toBe(1);
    const loadsBefore = loads();
    const again = await h.sync();
    expect(again.counts.conflicts).toBe(1);
    expect(loads()).toBe(loadsBefore + 1);
    expect((await h.state.cursors.get(h.profile.key))!.cursor.quiet).toBeUndefined();
  });

  it("never apply to a dry run, which plans in full and writes nothing, its cursor included", async () => {
    const { h, loads } = await counted();
    await settle(h);
    const before = (await h.state.cursors.get(h.profile.key))!;
    const loadsBefore = loads();
    const report = await h.sync({ dryRun: true });
    expect(report.outcome).toBe("dryRun");
    expect(loads()).toBe(loadsBefore + 1);
    expect((await h.state.cursors.get(h.profile.key))!.version).toBe(before.version);
  });
});

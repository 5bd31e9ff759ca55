import { describe, expect, it } from "vitest";
import type { StateStores } from "../../shared/state/stateStores";
import type { StateCommit } from "../../shared/sync";
import { type SyncHarness, sampleItems, sampleRows } from "../helpers/syncHarness";
import { harnessPerTest } from "../helpers/syncTestRuns";

/**
 * What a run reads and writes of the item state (docs/engine.md#settled-pairs, docs/engine.md#commit-after-writes):
 * a state row is written once per run unless a write it waits for can change it, and a run loads the state rows of
 * the pairs it has to plan, not the list's.
 */

const start = harnessPerTest();

interface StateTraffic {
  /** Rows written by each commit, in order. */
  commits: number[];
  /** Every state row, loaded in full. */
  fullLoads: number;
  /** Ids loaded by key, per load. */
  byKey: string[][];
}

async function traced(options: Parameters<typeof start>[0] = {}): Promise<{ h: SyncHarness; traffic: StateTraffic }> {
  const traffic: StateTraffic = { commits: [], fullLoads: 0, byKey: [] };
  const wrapState = (state: StateStores): StateStores => {
    const items = state.items;
    const commit = items.commit.bind(items);
    const load = items.load.bind(items);
    const loadSome = items.loadSome.bind(items);
    items.commit = (profileKey: string, commits: readonly StateCommit[], versions) => {
      traffic.commits.push(commits.filter((entry) => entry.kind !== "none").length);
      return commit(profileKey, commits, versions);
    };
    items.load = (...args: Parameters<typeof load>) => {
      traffic.fullLoads += 1;
      return load(...args);
    };
    items.loadSome = (profileKey: string, ids: readonly string[]) => {
      traffic.byKey.push([...ids].sort((a, b) => Number(a) - Number(b)));
      return loadSome(profileKey, ids);
    };
    return state;
  };
  const h = await start({ ...options, wrapState });
  return { h, traffic };
}

/** Forgets what was counted so far. */
function reset(traffic: StateTraffic): void {
  traffic.commits.length = 0;
  traffic.fullLoads = 0;
  traffic.byKey.length = 0;
}

describe("the state a run reads and writes", () => {
  it("a first sync onto a filled page writes each state row once, in phase 0", async () => {
    const { h, traffic } = await traced({ items: sampleItems(30), rows: sampleRows(30) });
    const report = await h.sync();
    expect(report.outcome).toBe("completed");
    // Every pair is found by its key with equal values: nothing awaits a write, so phase 0 is final.
    expect(traffic.commits).toEqual([30, 0]);
  });

  it("a first sync onto an empty page writes each row twice: before the page update and after it", async () => {
    const { h, traffic } = await traced({ items: sampleItems(30), rows: [] });
    const report = await h.sync();
    expect(report.counts.confluence.created).toBe(30);
    // Phase 0 remembers each item as awaiting its row; phase 1 (after the SharePoint writes, there are none) writes
    // nothing; phase 2 makes each pair active once the page update landed.
    expect(traffic.commits).toEqual([30, 0, 30]);
  });

  it("a run with edits loads the state rows of the edited pairs by key, and no other", async () => {
    const { h, traffic } = await traced({ items: sampleItems(40), rows: sampleRows(40) });
    await h.sync();
    await h.sync();
    reset(traffic);
    await h.editItem("7", { Amount: 700 });
    await h.editRows((rows) => rows.map((row) => (row[0] === "23" ? [row[0], row[1]!, "Done", row[3]!] : row)));
    const report = await h.sync();
    expect(report.counts).toMatchObject({ sharePoint: { updated: 1 }, confluence: { updated: 1 } });
    expect(traffic.fullLoads).toBe(0);
    expect(traffic.byKey).toEqual([["7", "23"]]);
    expect(h.rowOf("7")).toMatchObject({ Amount: "700" });
    expect((await h.listItems()).get("23")).toMatchObject({ Status: "Done" });
  });

  it("a removed row's pair is loaded (its row is gone to the planner only by its absence); the others stay settled", async () => {
    const { h, traffic } = await traced({
      items: sampleItems(12),
      rows: sampleRows(12),
      profile: { deletes: { toSharePoint: "delete" } },
    });
    await h.sync();
    await h.sync();
    reset(traffic);
    // Row 4 is removed: its item's state is loaded (its row is gone), the item deleted.
    await h.editRows((rows) => rows.filter((row) => row[0] !== "4"));
    const report = await h.sync();
    expect(report.counts.sharePoint.deleted).toBe(1);
    expect(traffic.byKey).toEqual([["4"]]);
  });

  it("without a usable pair digest index a run loads every state row and builds the index; the next loads by key", async () => {
    const { h, traffic } = await traced({ items: sampleItems(20), rows: sampleRows(20) });
    await h.sync();
    await h.sync();
    expect(await h.state.items.digests(h.profile.key)).toBeDefined();
    // An operator's reset of the state, say: the index goes with the rows.
    await h.state.items.clear(h.profile.key);
    expect(await h.state.items.digests(h.profile.key)).toBeUndefined();
    reset(traffic);
    await h.state.cursors.delete(h.profile.key);
    await h.sync();
    expect(traffic.fullLoads).toBe(1);
    reset(traffic);
    await h.editItem("3", { Status: "Done" });
    await h.sync();
    expect(traffic.fullLoads).toBe(0);
    expect(traffic.byKey).toEqual([["3"]]);
  });
});

import { describe, expect, it } from "vitest";
import { RunStagingStore } from "../../shared/state/runStagingStore";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";

const at = "2026-01-01T00:00:00.000Z";
const open = () => RunStagingStore.open(azuriteLocation(), `${uniqueTablePrefix("stg")}SyncRunStaging`);

describe("RunStagingStore", () => {
  it("stores documents by run and name, small ones in one row and large ones in parts", async () => {
    const store = await open();
    const run = { profileKey: "hr/eu", runId: "run-1" };
    const large = { rows: Array.from({ length: 30_000 }, (_, i) => ({ i, text: `row ${i} "quoted" ✓` })) };
    await store.put(run, "c1.context", { page: 7 }, at);
    await store.put(run, "c1.plan", large, at);
    expect(await store.get(run, "c1.context")).toEqual({ page: 7 });
    expect(await store.get(run, "c1.plan")).toEqual(large);
    expect(await store.get(run, "c1.missing")).toBeUndefined();
    expect(await store.get({ ...run, runId: "run-2" }, "c1.context")).toBeUndefined();
    // A rewrite replaces the whole document, whatever its size was.
    await store.put(run, "c1.plan", { small: true }, at);
    expect(await store.get(run, "c1.plan")).toEqual({ small: true });
    await store.put(run, "c1.plan", large, at);
    expect(await store.get(run, "c1.plan")).toEqual(large);
  });

  it("lists a family of documents by prefix, in name order", async () => {
    const store = await open();
    const run = { profileKey: "p", runId: "r" };
    await store.put(run, "c1.outcome.b0002", { batch: 2 }, at);
    await store.put(run, "c1.outcome.b0001", { batch: 1 }, at);
    await store.put(run, "c2.outcome.b0001", { batch: "other cycle" }, at);
    await store.put(run, "c1.plan", {}, at);
    expect(await store.list(run, "c1.outcome.")).toEqual([
      { name: "c1.outcome.b0001", value: { batch: 1 } },
      { name: "c1.outcome.b0002", value: { batch: 2 } },
    ]);
  });

  it("clears a committed run and sweeps old abandoned ones, bounded", async () => {
    const store = await open();
    const done = { profileKey: "p", runId: "done" };
    const kept = { profileKey: "p", runId: "running" };
    const abandoned = { profileKey: "p", runId: "abandoned" };
    await store.put(done, "c1.plan", { rows: "x".repeat(900_000) }, at);
    await store.put(kept, "c1.plan", {}, "2026-01-03T00:00:00.000Z");
    for (let i = 0; i < 5; i++) await store.put(abandoned, `c1.batch.b${i}`, { i }, "2025-12-01T00:00:00.000Z");
    expect(await store.clearRun(done)).toBe(4);
    expect(await store.get(done, "c1.plan")).toBeUndefined();
    expect(await store.sweep("p", "2026-01-02T00:00:00.000Z", 3)).toBe(3);
    expect(await store.sweep("p", "2026-01-02T00:00:00.000Z", 100)).toBe(2);
    expect(await store.list(abandoned, "c1.")).toEqual([]);
    expect(await store.get(kept, "c1.plan")).toEqual({});
  });
});

import { describe, expect, it } from "vitest";
import { summarizeRun } from "../../shared/diagnostics/profileDiagnostics";
import { StagedRun } from "../../shared/engine/run/stagedRun";
import { RunStagingStore } from "../../shared/state/runStagingStore";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";

// Documents written before the JSON settled on `kind` for union tags and `sharePoint` for the side are still read
// the new way: a run record stays readable in diagnostics, and a run in flight across an upgrade still sees that its
// batch was being sent (so it looks for the writes before sending again).
describe("records written by earlier versions", () => {
  it("summarises a run record whose counts spell the side `sharepoint`", () => {
    const counts = {
      sharepoint: { created: 1, updated: 2, deleted: 3 },
      confluence: { created: 0, updated: 4, deleted: 0 },
      conflicts: 1,
      errors: 0,
    };
    const summary = summarizeRun({ runId: "r1", outcome: "completed", startedAt: "a", finishedAt: "b", counts });
    expect(summary.counts).toEqual({
      sharePoint: { created: 1, updated: 2, deleted: 3 },
      confluence: { created: 0, updated: 4, deleted: 0 },
      conflicts: 1,
      errors: 0,
    });
  });

  it("reads a staged batch progress tagged `status` as one tagged `kind`", async () => {
    const store = await RunStagingStore.open(azuriteLocation(), `${uniqueTablePrefix("leg")}SyncRunStaging`);
    const ref = { profileKey: "p", runId: "r", cycle: 1 };
    await store.put(ref, "c1.progress.b0001", { status: "sending" }, "2026-01-01T00:00:00.000Z");
    await store.put(
      ref,
      "c1.progress.b0002",
      { status: "done", outcomes: [], apiCalls: { graph: 1, confluence: 0 }, recovered: 0 },
      "2026-01-01T00:00:00.000Z",
    );
    const staged = new StagedRun(store, ref, () => "2026-01-01T00:00:00.000Z");
    expect(await staged.progress("b0001")).toEqual({ kind: "sending" });
    expect(Object.fromEntries(await staged.allProgress())).toEqual({
      b0001: { kind: "sending" },
      b0002: { kind: "done", outcomes: [], apiCalls: { graph: 1, confluence: 0 }, recovered: 0 },
    });
  });
});

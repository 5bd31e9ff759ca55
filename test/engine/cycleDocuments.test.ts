import { describe, expect, it } from "vitest";
import { PagesStagedRun } from "../../shared/engine/pages/pagesStage";
import { CycleDocuments } from "../../shared/engine/run/cycleDocuments";
import { StagedRun } from "../../shared/engine/run/stagedRun";
import { RunStagingStore } from "../../shared/state/runStagingStore";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";

const open = () => RunStagingStore.open(azuriteLocation(), `${uniqueTablePrefix("cyc")}SyncRunStaging`);
const now = () => "2026-01-01T00:00:00.000Z";

describe("CycleDocuments", () => {
  it("keeps each cycle's documents apart and lists them by the rest of their name", async () => {
    const store = await open();
    const cycle1 = new CycleDocuments(store, { profileKey: "hr/eu", runId: "run-1", cycle: 1 }, now);
    const cycle2 = new CycleDocuments(store, { profileKey: "hr/eu", runId: "run-1", cycle: 2 }, now);
    await cycle1.put("progress.b0001", { kind: "sent" });
    await cycle1.put("progress.b0002", { kind: "done" });
    await cycle2.put("progress.b0001", { kind: "planned" });
    expect(await cycle1.list("progress.")).toEqual(
      new Map([
        ["b0001", { kind: "sent" }],
        ["b0002", { kind: "done" }],
      ]),
    );
    expect(await cycle2.get("progress.b0001")).toEqual({ kind: "planned" });
    expect(await store.get({ profileKey: "hr/eu", runId: "run-1" }, "c2.progress.b0001")).toEqual({ kind: "planned" });
  });

  it("names the profile, run, document and cycle when a required document is missing", async () => {
    const store = await open();
    const documents = new CycleDocuments(store, { profileKey: "hr/eu", runId: "run-7", cycle: 3 }, now);
    await expect(documents.required("plan")).rejects.toMatchObject({
      code: "RUN_STAGING_MISSING",
      message: expect.stringMatching(/profile "hr\/eu": run run-7 has no staged plan of cycle 3/),
    });
  });

  it("is one naming for both modes: a pages run's documents are cleared with the run, by either view", async () => {
    const store = await open();
    const ref = { profileKey: "p", runId: "run-9", cycle: 1 };
    const pages = new PagesStagedRun(store, ref, now);
    const backlinks = { written: [{ itemId: "7", eTag: '"e,2"', modifiedAt: null }], failed: [], apiCalls: {} };
    await pages.putBacklinks(backlinks as never);
    expect(await store.get({ profileKey: "p", runId: "run-9" }, "c1.backlinks")).toEqual(backlinks);
    await new StagedRun(store, ref, now).clear();
    expect(await pages.backlinks()).toBeUndefined();
  });
});

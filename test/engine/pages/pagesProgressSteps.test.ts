import { afterEach, describe, expect, it } from "vitest";
import { ActivityProgressRelay } from "../../../dev/localHost/liveProgress";
import type { ActivityProgress, ActivityStep } from "../../../shared/engine/run/activityProgress";
import { type PagesHarness, sampleCustomers, startPagesHarness } from "../../helpers/pagesHarness";

/** Pages mode's prepareRun reports its reading loops and its planning (docs/engine.md#progress). */

let harness: PagesHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("the steps of a pages-mode prepareRun", () => {
  it("reads SharePoint page by page, then Confluence (the changed pages, then those it needs), then plans", async () => {
    const relay = new ActivityProgressRelay();
    const steps: ActivityProgress[] = [];
    relay.listen((progress) => steps.push(progress));
    harness = await startPagesHarness({
      items: sampleCustomers(12),
      graphSettings: { maxPageSize: 5 },
      engine: { progress: relay.sink },
    });
    await harness.sync();
    for (const id of ["1", "2", "3"]) await harness.editItem(id, { Amount: 7 });
    steps.length = 0;
    expect((await harness.sync()).outcome).toBe("completed");

    const preparing = steps.filter((step) => step.stage === "preparing").map((step) => step.step);
    const kinds = preparing.map((step) => step.kind).filter((kind, i, all) => kind !== all[i - 1]);
    expect(kinds).toEqual(["readingSharePoint", "readingConfluence", "planning"]);
    const reading = preparing.filter((step) => step.kind === "readingSharePoint");
    // The delta also brings back the page ids the first run wrote into the items.
    expect(reading.at(-1)).toMatchObject({ items: 12, pages: 3 });
    const confluence = preparing.filter(
      (step): step is Extract<ActivityStep, { kind: "readingConfluence" }> => step.kind === "readingConfluence",
    );
    expect(confluence[0]).toEqual({ kind: "readingConfluence", of: "pages" });
    const last = confluence.at(-1)?.pages;
    expect(last?.total).toBeGreaterThanOrEqual(3);
    expect(last?.done).toBe(last?.total);
  });

  it("reports a first sync's delta pages as it reads them", async () => {
    const relay = new ActivityProgressRelay();
    const steps: ActivityProgress[] = [];
    relay.listen((progress) => steps.push(progress));
    harness = await startPagesHarness({
      items: sampleCustomers(12),
      graphSettings: { maxPageSize: 5 },
      engine: { progress: relay.sink },
    });
    await harness.sync();
    const pages = steps.flatMap((step) => (step.step.kind === "readingSharePoint" ? [step.step.pages] : []));
    expect(pages).toEqual([0, 1, 2, 3]);
    // Nothing to read by id on a first run: no count of pages at all, rather than "0/0".
    expect(steps.some((step) => step.step.kind === "readingConfluence" && step.step.pages !== undefined)).toBe(false);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { type PagesHarness, sampleCustomers, startPagesHarness } from "../../helpers/pagesHarness";

/** Change detection at the lower bound and the points budget (docs/pages-mode.md §7 and docs/pages-mode.md §8). */

let harness: PagesHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const count = (calls: string[], pattern: RegExp) => calls.filter((call) => pattern.test(call)).length;

describe("the Confluence feed", () => {
  it("reads k changed pages in ⌈k/250⌉ batched reads after one feed, and skips its own writes", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(260), target: { maxCreatesPerRun: 300 } });
    await harness.sync();
    await harness.sync(); // the backlinks' echo: every item is in the delta once
    for (const page of harness.childPages()) await harness.editBlock(page.id, { Amount: "<p>5</p>" });
    harness.clearCalls();
    const report = await harness.sync();
    expect(report.counts.sharePoint.updated).toBe(260);
    const calls = harness.confluenceCalls();
    expect(count(calls, /^GET \/api\/v2\/pages 200$/)).toBe(2);
    expect(count(calls, /\/rest\/api\/search/)).toBe(3); // 100 hits a call
    expect(calls.filter((call) => !call.startsWith("GET"))).toEqual([]);
    // The next runs read nothing: the edits are known by version (the search lists them while the overlap lasts,
    // a point each), and the list's echo of the run's own writes is known by eTag.
    harness.clearCalls();
    await harness.sync();
    expect(harness.confluenceCalls().every((call) => /\/rest\/api\/search/.test(call))).toBe(true);
    // Once a feed read began more than the overlap after the edits, the search lists nothing.
    harness.advance(20 * 60);
    await harness.sync();
    harness.advance(5 * 60);
    harness.clearCalls();
    await harness.sync();
    expect(harness.confluenceCalls()).toEqual([expect.stringMatching(/^GET \/rest\/api\/search 200$/)]);
  });

  it("sees an edit the search index shows late, within the overlap, and never trusts a stale version", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(2), confluenceSeed: { searchIndexLagSeconds: 90 } });
    await harness.sync();
    harness.advance(120);
    await harness.sync();
    const page = harness.pageOfItem("1")!;
    await harness.editBlock(page.id, { Amount: "<p>77</p>" });
    await harness.sync(); // the index still shows the version before the edit
    expect((await harness.item("1"))?.Amount).toBe(1000);
    harness.advance(120);
    await harness.sync();
    expect((await harness.item("1"))?.Amount).toBe(77);
  });

  it("finds a page the index shows later than the overlap reaches through the sweep", async () => {
    harness = await startPagesHarness({
      items: sampleCustomers(1),
      target: { overlapMinutes: 1, sweepEveryMinutes: 30 },
      confluenceSeed: { searchIndexLagSeconds: 600 },
    });
    await harness.sync();
    const extra = await harness.createPage("Walk-in customer", "<p>no block</p>");
    harness.advance(60 * 5);
    expect((await harness.sync()).items).toEqual([]); // not indexed yet
    harness.advance(60 * 10);
    expect((await harness.sync()).items).toEqual([]); // indexed, but older than the last feed read minus the overlap
    harness.advance(60 * 20);
    const swept = await harness.sync();
    expect(swept.items).toEqual([
      expect.objectContaining({ errors: [expect.objectContaining({ code: "PAGE_UNLINKED" })] }),
    ]);
    expect(swept.items[0]?.note).toContain(extra);
  });
});

describe("the points budget", () => {
  it("defers creates beyond the profile's share of the hourly quota to the next hour", async () => {
    harness = await startPagesHarness({
      items: sampleCustomers(30),
      target: { pointsPerHourShare: 0.5, maxCreatesPerRun: 100 },
      confluenceSeed: { pointsQuota: { pointsPerHour: 100 } },
    });
    const first = await harness.sync();
    const created = harness.childPages().length;
    expect(created).toBeGreaterThan(0);
    expect(created).toBeLessThan(30);
    expect(first.items.filter((item) => item.errors.some((error) => error.code === "POINTS_DEFERRED")).length).toBe(
      30 - created,
    );
    await harness.sync();
    expect(harness.childPages()).toHaveLength(created);
    harness.advance(3600);
    await harness.sync();
    harness.advance(3600);
    await harness.sync();
    expect(harness.childPages()).toHaveLength(30);
    expect(harness.confluence.points?.used(harness.confluence.clock.now())).toBeLessThanOrEqual(50);
  });

  it("stops calling Confluence after a quota 429 until the reset, and loses nothing", async () => {
    harness = await startPagesHarness({
      items: sampleCustomers(3),
      target: { pointsPerHourShare: 1 },
      confluenceSeed: { pointsQuota: { pointsPerHour: 1000 } },
    });
    await harness.sync();
    await harness.sync();
    const page = harness.pageOfItem("2")!;
    await harness.editItem("2", { Amount: 42 });
    // Another tenant of the app spends the rest of the shared pool.
    harness.confluence.points?.charge(harness.confluence.clock.now(), 1000);
    const refused = await harness.sync();
    expect(refused.problem?.code).toBe("CONFLUENCE_QUOTA_EXHAUSTED");
    harness.clearCalls();
    const waiting = await harness.sync();
    expect(waiting.problem?.code).toBe("CONFLUENCE_QUOTA_EXHAUSTED");
    expect(harness.confluenceCalls()).toEqual([]);
    harness.advance(3600);
    await harness.sync();
    expect(harness.blockValues(page.id).Amount).toBe("42");
  });
});

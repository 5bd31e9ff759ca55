import { describe, expect, it } from "vitest";
import { runSyncBench } from "../../bench/syncBench";
import { syncBenchText } from "../../bench/syncBenchText";

/**
 * The sync benchmark's code on tiny lists, so it cannot rot between `npm run bench` runs. Nothing here is timed:
 * the numbers are `npm run bench`'s business; this checks that every scenario runs, does what it is meant to, and
 * is reported.
 */
describe("sync benchmark (smoke)", () => {
  it("runs every scenario and the naive baseline, on a page holding the whole list and on one holding part of it", { timeout: 120_000 }, async () => {
    // ~20 rows fit in 2,000 bytes: the 12-item list fits on the page, the 30-item one does not.
    const result = await runSyncBench({ sizes: [12, 30], edits: [3], latency: { graphMs: 1, confluenceMs: 1 }, naiveConcurrency: 2, pageBudgetBytes: 2000 });

    const [whole, part] = result.sizes;
    expect(whole).toMatchObject({ size: 12, rowsOnPage: 12, pageHoldsPart: false });
    expect(part?.pageHoldsPart).toBe(true);
    expect(part?.rowsOnPage).toBeGreaterThan(3);
    expect(part?.rowsOnPage).toBeLessThan(30);

    for (const size of result.sizes) {
      expect(size.scenarios.map((s) => s.scenario)).toEqual(["first sync, page empty", "first sync, page filled", "idle", "3 SharePoint edits", "3 Confluence edits"]);
      for (const { scenario, engine } of size.scenarios) {
        expect(engine.check, `${size.size} items, ${scenario}`).toMatchObject({ ok: true });
        expect({ scenario, graph: engine.calls.graph, confluence: engine.calls.confluence }).toEqual({ scenario, graph: engine.bound.graph, confluence: engine.bound.confluence });
        expect(engine.planned?.stateRows, scenario).toBeGreaterThanOrEqual(0);
        expect(engine.activitySpans.prepareRun).toBeGreaterThan(0);
      }
      const idle = size.scenarios.find((s) => s.scenario === "idle")!.engine;
      expect(idle.planned).toMatchObject({ stateRows: size.size, pageRows: size.rowsOnPage, sharePointItems: 0 });
      for (const naive of [size.naive.first, size.naive.steady]) {
        expect(naive.summary).toEqual({ itemsRead: size.size, rowsRead: size.rowsOnPage, itemsWritten: size.size, writesFailed: 0, rowsWritten: size.rowsOnPage });
        // Every item in $batch calls of 20, the page read and saved.
        expect(naive.calls.batchedOperations).toBe(size.size);
        expect(naive.calls.confluence).toBe(2);
      }
    }

    const text = syncBenchText(result);
    expect(text).toContain("## 12 items; the page holds all of them");
    expect(text).toMatch(/## 30 items; the page holds the first \d+/);
    expect(text).toContain("no more than one page of items plus the state rows it needs");
    expect(text).not.toContain("CHECK FAILED");
  });
});

import { describe, expect, it } from "vitest";
import { runSyncBench, type SizeResult, type SyncBenchOptions } from "../../bench/syncBench";
import { syncBenchText } from "../../bench/syncBenchText";

/**
 * The sync benchmark's code on tiny lists, so it cannot rot between `npm run bench` runs, and what it measures about
 * the engine: invariant 5's call counts from the emulators' request logs. Nothing here is timed: wall time and memory
 * are `npm run bench`'s business.
 */
describe("sync benchmark (smoke)", () => {
  it("runs every scenario and the naive baseline, with the engine's calls within invariant 5's bound", { timeout: 120_000 }, async () => {
    // ~20 rows fit in 2,000 bytes: the 12-item list fits on the page, the 30-item one does not (only rows are synced).
    // Each size has its own emulators, Azurite and engine, and nothing here is timed, so the two run side by side.
    const options: Omit<SyncBenchOptions, "sizes"> = { edits: [3], latency: { graphMs: 1, confluenceMs: 1 }, naiveConcurrency: 2, pageBudgetBytes: 2000 };
    const [whole, part] = await Promise.all([runSyncBench({ ...options, sizes: [12] }), runSyncBench({ ...options, sizes: [30] })]);
    const sizes = [...whole!.sizes, ...part!.sizes];

    expect(sizes[0]).toMatchObject({ size: 12, rowsOnPage: 12, pageHoldsPart: false });
    expect(sizes[1]).toMatchObject({ size: 30, pageHoldsPart: true });
    expect(sizes[1]!.rowsOnPage).toBeGreaterThan(3);
    expect(sizes[1]!.rowsOnPage).toBeLessThan(30);

    for (const size of sizes) {
      expect(size.scenarios.map((s) => s.scenario)).toEqual(["first sync, page empty", "first sync, page filled", "idle", "3 SharePoint edits", "3 Confluence edits"]);
      for (const { scenario, engine } of size.scenarios) {
        const where = `${size.size} items, ${scenario}`;
        // The run wrote what the scenario calls for, and no more calls than invariant 5 allows, per service.
        expect(engine.check, where).toMatchObject({ ok: true });
        expect(engine.calls.graph, where).toBeLessThanOrEqual(engine.bound.graph);
        expect(engine.calls.confluence, where).toBeLessThanOrEqual(engine.bound.confluence);
        expect(engine.withinBound, where).toBe(true);
        expect(engine.activitySpans.prepareRun, where).toBeGreaterThan(0);
      }
      // The cost rules, from the request logs: an idle run is 1 delta + 1 page read, no write.
      expect(kinds(size, "idle")).toEqual({ graph: { delta: 1 }, confluence: { "page read": 1 } });
      // 3 SharePoint edits: 1 delta, 1 page read, 1 page PUT; 3 Confluence edits: 1 delta, 1 $batch, 1 page read.
      expect(kinds(size, "3 SharePoint edits")).toEqual({ graph: { delta: 1 }, confluence: { "page read": 1, "page update": 1 } });
      expect(kinds(size, "3 Confluence edits")).toEqual({ graph: { delta: 1, $batch: 1 }, confluence: { "page read": 1 } });
      const idle = scenario(size, "idle");
      expect(idle.planned).toMatchObject({ stateRows: size.size, pageRows: size.rowsOnPage, sharePointItems: 0 });

      for (const naive of [size.naive.first, size.naive.steady]) {
        expect(naive.summary).toEqual({ itemsRead: size.size, rowsRead: size.rowsOnPage, itemsWritten: size.size, writesFailed: 0, rowsWritten: size.rowsOnPage });
        // Every item in $batch calls of 20, the page read and saved: it costs the same whatever changed.
        expect(naive.calls.batchedOperations).toBe(size.size);
        expect(naive.calls.confluence).toBe(2);
        expect(naive.calls.graph + naive.calls.confluence).toBeGreaterThan(idle.calls.graph + idle.calls.confluence);
      }
    }

    const text = syncBenchText({ ...whole!, sizes });
    expect(text).toContain("## 12 items; the page holds all of them");
    expect(text).toMatch(/## 30 items; the page holds the first \d+/);
    expect(text).toContain("no more than one page of items plus the state rows it needs");
    expect(text).toContain("invariant 5 (API calls): met — 10 of 10 engine runs within their bound");
    expect(text).not.toContain("CHECK FAILED");
  });
});

function scenario(size: SizeResult, name: string) {
  const found = size.scenarios.find((s) => s.scenario === name);
  if (found === undefined) throw new Error(`no scenario "${name}" at ${size.size} items`);
  return found.engine;
}

/** The run's calls by kind, sign-in and token calls left out. */
function kinds(size: SizeResult, name: string): { graph: Record<string, number>; confluence: Record<string, number> } {
  const auth = new Set(["sign-in", "token refresh", "site lookup"]);
  const byKind = (list: readonly { kind: string; calls: number }[]) => Object.fromEntries(list.filter((kind) => !auth.has(kind.kind)).map((kind) => [kind.kind, kind.calls]));
  const { kinds } = scenario(size, name).calls;
  return { graph: byKind(kinds.graph), confluence: byKind(kinds.confluence) };
}

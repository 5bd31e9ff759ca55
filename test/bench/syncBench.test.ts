import { describe, expect, it } from "vitest";
import { BenchSite } from "../../bench/benchSite";
import type { EmulatorUrls } from "../../bench/emulatorProcess";
import { runSyncBench, type SizeResult } from "../../bench/syncBench";
import { syncBenchText } from "../../bench/syncBenchText";
import { findTables, parseStorage } from "../../shared/mapping";

/**
 * The sync benchmark's code on a tiny list, so it cannot rot between `npm run bench` runs, and what it measures about
 * the engine: invariant 5's call counts, from the emulators' request logs. Nothing here is timed: wall time and memory
 * are `npm run bench`'s business.
 */
describe("sync benchmark (smoke)", () => {
  it("runs every scenario and the naive baseline, the engine's calls within invariant 5's bound", {
    timeout: 60_000,
  }, async () => {
    const result = await runSyncBench({
      sizes: [12],
      edits: [3],
      latency: { graphMs: 1, confluenceMs: 1 },
      naiveConcurrency: 2,
      pageBudgetBytes: 10_000,
    });
    const size = result.sizes[0]!;

    expect(size).toMatchObject({ size: 12, rowsOnPage: 12, pageHoldsPart: false });
    expect(size.scenarios.map((s) => s.scenario)).toEqual([
      "first sync, page empty",
      "first sync, page filled",
      "idle, first after changes",
      "idle",
      "3 SharePoint edits",
      "3 Confluence edits",
    ]);
    for (const { scenario, engine } of size.scenarios) {
      // The run wrote what the scenario calls for, and made no more calls than invariant 5 allows, per service.
      expect(engine.check, scenario).toMatchObject({ ok: true });
      expect(engine.calls.graph, scenario).toBeLessThanOrEqual(engine.bound.graph);
      expect(engine.calls.confluence, scenario).toBeLessThanOrEqual(engine.bound.confluence);
      expect(engine.withinBound, scenario).toBe(true);
      expect(engine.activitySpans.prepareRun, scenario).toBeGreaterThan(0);
    }
    // The cost rules, call by call: an idle run is 1 delta + 1 page read and writes nothing; SharePoint edits
    // cost one page PUT; 3 Confluence edits one `$batch`.
    expect(kinds(size, "idle")).toEqual({ graph: { delta: 1 }, confluence: { "page read": 1 } });
    expect(kinds(size, "3 SharePoint edits")).toEqual({
      graph: { delta: 1 },
      confluence: { "page read": 1, "page update": 1 },
    });
    expect(kinds(size, "3 Confluence edits")).toEqual({
      graph: { delta: 1, $batch: 1 },
      confluence: { "page read": 1 },
    });
    expect(kinds(size, "idle, first after changes")).toEqual({ graph: { delta: 1 }, confluence: { "page read": 1 } });
    // The first idle run after changes plans, but every pair is settled: it loads no state row and gives the planner
    // the rows by position only. The steady one after it is quiet: it plans nothing at all.
    expect(scenario(size, "idle, first after changes").planned).toMatchObject({
      stateRows: 0,
      pageRows: 12,
      settledRows: 12,
      sharePointItems: 0,
    });
    // A run with edits loads the states of the edited pairs, by key, and nothing else.
    expect(scenario(size, "3 SharePoint edits").planned).toMatchObject({ stateRows: 3, settledRows: 9 });
    expect(scenario(size, "3 Confluence edits").planned).toMatchObject({ stateRows: 3, settledRows: 9 });
    const idle = scenario(size, "idle");
    expect(idle.planned).toBeNull();
    expect(idle.measure.memory.heapHeld).not.toBeNull();

    for (const naive of [size.naive.first, size.naive.steady]) {
      expect(naive.summary).toEqual({
        itemsRead: 12,
        rowsRead: 12,
        itemsWritten: 12,
        writesFailed: 0,
        rowsWritten: 12,
      });
      // Every item written in `$batch` calls, the page read and saved: the same cost whatever changed.
      expect(naive.calls.batchedOperations).toBe(12);
      expect(naive.calls.confluence).toBe(2);
      expect(naive.calls.graph + naive.calls.confluence).toBeGreaterThan(idle.calls.graph + idle.calls.confluence);
    }

    const text = syncBenchText(result);
    expect(text).toContain("## 12 items; the page holds all of them");
    expect(text).toContain("no more than one page of items plus the state rows it needs");
    expect(text).toContain("invariant 5 (API calls): met — 6 of 6 engine runs within their bound");
    expect(text).not.toContain("CHECK FAILED");
  });

  it("gives a list larger than a page can hold a pre-filled page of its first items and a profile that syncs rows only", () => {
    // ~20 rows fit in 2,000 bytes of storage.
    const site = new BenchSite(30, 2000);
    expect(site.pageHoldsPart).toBe(true);
    expect(site.rowsOnPage).toBeGreaterThan(3);
    expect(site.rowsOnPage).toBeLessThan(30);

    const seed = site.seed() as {
      confluence: { pages: { title: string; body: string }[] };
      graph: { sites: { lists: { items: unknown[] }[] }[] };
    };
    expect(seed.graph.sites[0]!.lists.map((list) => list.items.length)).toEqual([30, 30]);
    const filled = seed.confluence.pages.find((page) => page.title === "Projects")!;
    expect(filled.body.length).toBeLessThanOrEqual(2000);
    const parsed = parseStorage(filled.body, { pageId: "bench" });
    if (!parsed.ok) throw parsed.error;
    const ids = findTables(parsed.document)[0]!.bodyRows.map((row) => row.slots[0]?.content.text);
    expect(ids).toEqual(Array.from({ length: site.rowsOnPage }, (_, index) => String(index + 1)));

    // New SharePoint items get no row; rows are synced both ways, field by field.
    const profile = site.profile("engine", {
      graphBaseUrl: "https://127.0.0.1:1",
      authorityHost: "https://127.0.0.1:1",
      confluenceAuthBaseUrl: "https://127.0.0.1:2",
      confluenceApiBaseUrl: "https://127.0.0.1:2",
    } as EmulatorUrls);
    expect(profile.direction).toBe("toSharePoint");
    expect(profile.fields.every((field) => field.direction === "both")).toBe(true);
    expect(site.spreadIds(5).every((id) => id >= 1 && id <= site.rowsOnPage)).toBe(true);
    expect(new BenchSite(12, 10_000).pageHoldsPart).toBe(false);
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
  const byKind = (list: readonly { kind: string; calls: number }[]) =>
    Object.fromEntries(list.filter((kind) => !auth.has(kind.kind)).map((kind) => [kind.kind, kind.calls]));
  const { kinds } = scenario(size, name).calls;
  return { graph: byKind(kinds.graph), confluence: byKind(kinds.confluence) };
}

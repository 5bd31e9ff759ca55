import { describe, expect, it } from "vitest";
import { benchSize } from "../../bench/pagesBench";

/**
 * The pages-mode benchmark's code on 80 pages, so it cannot rot between `npm run bench` runs, and what it measures:
 * each run's calls within its lower bound (docs/pages-mode.md §8), counted from the emulators' request logs, and the
 * points an idle hour costs against the naive scan. Nothing here is timed.
 */
describe("pages benchmark (smoke)", () => {
  it("runs every scenario and the naive scan, each run's calls within its bound", { timeout: 120_000 }, async () => {
    const result = await benchSize(80, () => {});
    expect(result.runs.map((run) => run.scenario)).toEqual([
      "first sync: create 80 pages",
      "idle",
      "10 pages edited in Confluence",
      "10 items edited in SharePoint",
      "idle, with the hourly sweep",
    ]);
    for (const run of result.runs) {
      expect(run.calls.graph, run.scenario).toBeLessThanOrEqual(run.bound.graph);
      expect(run.calls.confluence, run.scenario).toBeLessThanOrEqual(run.bound.confluence);
      expect(run.withinBound, run.scenario).toBe(true);
    }
    const idle = result.runs.find((run) => run.scenario === "idle")!;
    expect(idle.calls).toMatchObject({ graph: 1, confluence: 1 });
    expect(idle.points).toBe(1);
    expect(result.naive.calls.confluence).toBeGreaterThan(2 * 80);
    expect(result.pointsPerHourIdle).toBeLessThan(result.naivePointsPerHour / 10);
  });
});

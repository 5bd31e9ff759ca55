import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { PLAIN_GAP_MS, PLAIN_REPEAT_MS, type ProgressTarget, progressDisplay } from "../../cli/progressDisplay";
import { ActivityProgressRelay, liveRunProgress } from "../../dev/localHost/liveProgress";
import { runProfileSyncLocally, syncRegistry } from "../../dev/localHost/localEngine";
import { runProgressText } from "../../shared/diagnostics/runProgressText";
import type { ActivityProgress } from "../../shared/engine/run/activityProgress";
import type { RunProgress } from "../../shared/engine/run/runProgress";
import type { RunReport } from "../../shared/engine/run/runReport";
import { type SyncHarness, sampleItems, startSyncHarness } from "../helpers/syncHarness";

/**
 * The steps `prepareRun` and `commitRun` report from inside (docs/engine.md#progress), merged into the custom status
 * as the CLI does it (`liveRunProgress`), from a real first sync of 250 items through the real orchestrator: the Graph
 * emulator pages the delta by 60 (5 pages), and the state commit goes in transactions of 100 rows (3).
 */

const ITEMS = 250;
const DELTA_PAGE = 60;
const DELTA_PAGES = Math.ceil(ITEMS / DELTA_PAGE);

let harness: SyncHarness | undefined;
const relay = new ActivityProgressRelay();
const steps: ActivityProgress[] = [];
const shown: { progress: RunProgress; from: "status" | "step" }[] = [];
let report: RunReport;
let historyStatuses: string[] = [];

beforeAll(async () => {
  harness = await startSyncHarness({
    items: sampleItems(ITEMS),
    rows: [],
    graphSettings: { maxPageSize: DELTA_PAGE },
    engine: { progress: relay.sink },
  });
  const stopRaw = relay.listen((progress) => steps.push(progress));
  const live = liveRunProgress(relay, harness.profile.key, (progress, from) => shown.push({ progress, from }));
  try {
    const run = await runProfileSyncLocally(
      syncRegistry(harness.activities),
      { profileKey: harness.profile.key, dryRun: false, trigger: "cli" },
      { ...live.options, delayScale: 0.0001 },
    );
    expect(run.status).toBe("Completed");
    report = run.output as RunReport;
    historyStatuses = run.history.map((event) => JSON.stringify(event));
  } finally {
    live.stop();
    stopRaw();
  }
}, 60_000);
afterAll(async () => {
  await harness?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

/** `values` never go down. */
function expectRising(values: readonly number[]): void {
  expect(values).toEqual([...values].sort((a, b) => a - b));
}

describe("the steps of a run's activities", () => {
  it("reading Confluence, reading SharePoint page by page, planning, committing the state in transactions", () => {
    expect(report.outcome).toBe("completed");
    expect(report.counts.confluence.created).toBe(ITEMS);
    const preparing = steps.filter((step) => step.stage === "preparing");
    const kinds = preparing.map((step) => step.step.kind).filter((kind, i, all) => kind !== all[i - 1]);
    expect(kinds[0]).toBe("readingConfluence");
    expect(kinds.slice(1, 3)).toEqual(["readingSharePoint", "planning"]);

    const reading = preparing.flatMap((step) => (step.step.kind === "readingSharePoint" ? [step.step] : []));
    expect(reading.map((step) => step.pages)).toEqual(Array.from({ length: DELTA_PAGES + 1 }, (_, i) => i));
    expectRising(reading.map((step) => step.items));
    expect(reading.at(-1)).toEqual({ kind: "readingSharePoint", items: ITEMS, pages: DELTA_PAGES });

    // commitRun writes every pair (the rows were appended to the page): 3 transactions, counted as each finishes.
    const committing = steps.filter((step) => step.stage === "committing");
    const rows = committing.flatMap((step) => (step.step.kind === "committingState" ? [step.step] : []));
    expect(rows.length).toBeGreaterThanOrEqual(1 + Math.ceil(ITEMS / 100));
    expectRising(rows.map((step) => step.rows));
    expect(rows[0]).toEqual({ kind: "committingState", rows: 0, total: ITEMS });
    expect(rows.at(-1)).toEqual({ kind: "committingState", rows: ITEMS, total: ITEMS });
    for (const step of steps) expect(step).toMatchObject({ profileKey: harness!.profile.key, cycle: 1 });
  });

  it("shows each step in the stage it belongs to, and never in the orchestration's custom status or history", () => {
    const statuses = shown.filter((entry) => entry.from === "status").map((entry) => entry.progress);
    const stages = statuses.map((status) => status.stage).filter((stage, i, all) => stage !== all[i - 1]);
    expect(stages).toEqual(["preparing", "updatingPage", "committing"]);
    for (const entry of shown.filter((entry) => entry.from === "step")) expect(entry.progress.step).toBeDefined();
    for (const event of historyStatuses) expect(event).not.toContain('"step"');

    const texts = shown.map((entry) => runProgressText(entry.progress));
    expect(texts).toContain("reading Confluence: the page");
    expect(texts).toContain(`reading SharePoint: ${ITEMS} items (${DELTA_PAGES} pages)`);
    expect(texts).toContain("planning");
    expect(texts).toContain(`staging: 100/${ITEMS} state rows`);
    expect(texts).toContain(`committing: 100/${ITEMS} state rows`);
    expect(texts).toContain(`committing: ${ITEMS}/${ITEMS} state rows`);
    // The page update (no step of its own) is shown as the status says, not with prepareRun's last step.
    expect(texts).toContain("updating the Confluence page");
    expect(texts.indexOf("updating the Confluence page")).toBeLessThan(
      texts.indexOf(`committing: ${ITEMS}/${ITEMS} state rows`),
    );
  });
});

/** Feeds what the run showed to a display `stepMs` apart on a fake clock; answers the texts it drew or printed. */
function play(target: Omit<ProgressTarget, "write" | "now">, stepMs: number): string[] {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  const writes: string[] = [];
  const display = progressDisplay({ ...target, write: (text) => writes.push(text), now: () => Date.now() }, "sync a");
  for (const entry of shown) {
    display.update(entry.progress);
    vi.advanceTimersByTime(stepMs);
  }
  display.stop();
  return writes;
}

/** The counts `pattern` finds in `texts`, in order. */
function counts(texts: readonly string[], pattern: RegExp): number[] {
  return texts.flatMap((text) => pattern.exec(text)?.[1] ?? []).map((count) => Number(count.replace(/,/g, "")));
}

describe("the steps on the CLI's displays", () => {
  it("a terminal redraws the line through each step, its counts never going back", () => {
    const texts = play({ isTTY: true, ci: false, columns: 200 }, 150)
      .filter((write) => write !== "\r\x1b[2K")
      .map((write) => write.replace("\r\x1b[2K", "").replace(/ · \d+\.\d s$/, ""));
    const stepTexts = texts.filter((text, i, all) => text !== all[i - 1]);
    expect(stepTexts.slice(0, 2)).toEqual([
      "sync a: reading SharePoint and Confluence, planning",
      "sync a: reading Confluence: the page",
    ]);
    const items = counts(texts, /reading SharePoint: ([\d,]+) items/);
    expect(items.length).toBeGreaterThanOrEqual(DELTA_PAGES);
    expectRising(items);
    expect(texts).toContain("sync a: planning");
    for (const stage of [/staging: ([\d,]+)\/250 state rows/, /committing: ([\d,]+)\/250 state rows/]) {
      const rows = counts(texts, stage);
      expect(rows.length).toBeGreaterThanOrEqual(3);
      expectRising(rows);
      expect(rows.at(-1)).toBe(ITEMS);
    }
  });

  it("a pipe gets a plain line per step at most every few seconds, the counts never going back", () => {
    const lines = play({ isTTY: false, ci: false }, PLAIN_REPEAT_MS + 100)
      .join("")
      .split("\n")
      .slice(0, -1);
    for (const line of lines) expect(line).toMatch(/^sync a: .+ \([\d.]+ (s|min \d+ s)\)$/);
    const texts = lines.map((line) => line.replace(/^sync a: /, "").replace(/ \([^)]*\)$/, ""));
    expect(texts).toContain("reading Confluence: the page");
    expect(texts).toContain("planning");
    expect(texts).toContain("updating the Confluence page");
    const items = counts(texts, /reading SharePoint: ([\d,]+) items/);
    expect(items.at(-1)).toBe(ITEMS);
    expectRising(items);
    const rows = counts(texts, /committing: ([\d,]+)\/250 state rows/);
    expect(rows.at(-1)).toBe(ITEMS);
    expectRising(rows);

    // Fed fast, a pipe still gets no two lines closer than the gap: the steps are throttled at the display.
    const fast = play({ isTTY: false, ci: false }, 10).join("").split("\n").slice(0, -1);
    expect(fast.length).toBeLessThanOrEqual(1 + Math.ceil((shown.length * 10) / PLAIN_GAP_MS));
  });
});

import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  PLAIN_GAP_MS,
  PLAIN_REPEAT_MS,
  type ProgressTarget,
  progressDisplay,
  TERMINAL_REDRAW_MS,
} from "../../cli/progressDisplay";
import { runProgressText } from "../../shared/diagnostics/runProgressText";
import type { RunProgress } from "../../shared/engine/run/runProgress";
import { BATCHES, manyBatches, runWithStatuses } from "../helpers/manyBatchesRun";

const ERASE = "\r\x1b[2K";

/** The custom statuses a real run of the orchestrator with 40 batches published, in order. */
let statuses: RunProgress[] = [];
beforeAll(async () => {
  const { registry, clock } = manyBatches();
  statuses = (await runWithStatuses(registry, clock)).statuses;
  expect(statuses.length).toBeGreaterThan(15);
});
afterEach(() => {
  vi.useRealTimers();
});

/** Feeds the statuses to a display `stepMs` apart on a fake clock, then ends the run; answers what it wrote. */
function play(
  target: Omit<ProgressTarget, "write" | "now">,
  stepMs: number,
): { writes: string[]; at: number[]; latest: (RunProgress | undefined)[] } {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  const writes: string[] = [];
  const at: number[] = [];
  const latest: (RunProgress | undefined)[] = [];
  let fed: RunProgress | undefined;
  const display = progressDisplay(
    {
      ...target,
      write: (text) => {
        writes.push(text);
        at.push(Date.now());
        latest.push(fed);
      },
      now: () => Date.now(),
    },
    "sync alpha",
  );
  for (const status of statuses) {
    fed = status;
    display.update(status);
    vi.advanceTimersByTime(stepMs);
  }
  display.stop();
  vi.advanceTimersByTime(60_000); // nothing may come after the end
  return { writes, at, latest };
}

describe("progress on a terminal", () => {
  it("is one line redrawn in place, at most every 100 ms, cut to the width, erased at the end", () => {
    const { writes, at } = play({ isTTY: true, ci: false, columns: 72 }, 40);
    expect(writes.at(-1)).toBe(ERASE);
    const lines = writes.slice(0, -1);
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) {
      expect(line.startsWith(ERASE)).toBe(true);
      expect(line).not.toContain("\n");
      expect([...line.slice(ERASE.length)].length).toBeLessThan(72);
    }
    for (let i = 1; i < lines.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(TERMINAL_REDRAW_MS);
    const texts = lines.map((line) => line.slice(ERASE.length));
    expect(texts[0]).toMatch(/^sync alpha: reading SharePoint and Confluence, planning · 0\.0 s$/);
    const counts = texts.flatMap((text) => /writing SharePoint: (\d+)\/40 batches/.exec(text)?.[1] ?? []).map(Number);
    expect(counts.length).toBeGreaterThan(3);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(texts.some((text) => /, about \d+(\.\d)? s left/.test(text) || text.endsWith("…"))).toBe(true);
    expect(texts.at(-1)).toMatch(/^sync alpha: committing · \d+\.\d s$/);
  });

  it("shows the whole line when the terminal is wide enough: counts, writes and the estimate", () => {
    const { writes } = play({ isTTY: true, ci: false, columns: 200 }, 40);
    const withEstimate = writes.find((line) => line.includes("left"));
    expect(withEstimate).toMatch(
      /^\r\x1b\[2Ksync alpha: writing SharePoint: \d+\/40 batches( \(1 failed\))?, \d+\/800 items written, about \d+ s left · \d+\.\d s$/,
    );
  });

  it("keeps the elapsed time moving while a long stage gives no news", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    const writes: string[] = [];
    const display = progressDisplay(
      { isTTY: true, ci: false, write: (text) => writes.push(text), now: () => Date.now() },
      "sync alpha",
    );
    display.update(statuses[0]!);
    vi.advanceTimersByTime(12_500);
    display.stop();
    expect(writes.at(-2)).toBe(`${ERASE}sync alpha: reading SharePoint and Confluence, planning · 12 s`);
  });

  it("gets out of the way of other output and comes back", () => {
    const writes: string[] = [];
    const display = progressDisplay({ isTTY: true, ci: false, write: (text) => writes.push(text) }, "sync alpha");
    display.update(statuses[0]!);
    display.around(() => writes.push("Sync 1: …\n"));
    display.stop();
    expect(writes.slice(1)).toEqual([ERASE, "Sync 1: …\n", expect.stringMatching(/^\r\x1b\[2Ksync alpha: /), ERASE]);
  });
});

describe("progress in a pipe or CI", () => {
  it("is a plain line per stage, never two within a few seconds, only the latest kept", () => {
    // 120 ms between statuses: about 6 s for the whole run.
    const { writes, at, latest } = play({ isTTY: false, ci: false }, 120);
    expect(writes.length).toBeGreaterThanOrEqual(2);
    for (const line of writes) {
      expect(line).toMatch(/^sync alpha: [^\r\x1b]+ \(\d+\.\d s\)\n$/);
    }
    for (let i = 1; i < writes.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(PLAIN_GAP_MS);
    expect(writes[0]).toBe("sync alpha: reading SharePoint and Confluence, planning (0.0 s)\n");
    expect(writes[1]).toMatch(/^sync alpha: writing SharePoint: \d+\/40 batches/);
    // Each line says what was true when it was printed: the latest status then, not the one that was held back.
    for (const [i, line] of writes.entries()) expect(line).toContain(`: ${runProgressText(latest[i]!)} (`);
  });

  it("repeats a stage's line only when its counts changed, at most every 5 s", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    const writes: string[] = [];
    const display = progressDisplay(
      { isTTY: false, ci: false, write: (text) => writes.push(text), now: () => Date.now() },
      "sync alpha",
    );
    const writing = statuses.filter((status) => status.stage === "writingSharePoint");
    display.update(writing[0]!);
    vi.advanceTimersByTime(20_000); // no news: nothing more
    expect(writes).toHaveLength(1);
    display.update(writing[1]!);
    expect(writes).toHaveLength(2); // the last line is older than 5 s: printed at once
    display.update(writing[2]!);
    vi.advanceTimersByTime(PLAIN_REPEAT_MS - 1);
    display.update(writing[3]!);
    expect(writes).toHaveLength(2); // held back
    vi.advanceTimersByTime(1);
    expect(writes).toHaveLength(3); // 5 s after the last line: the latest count, writing[2]'s never printed
    expect(writes[2]).toContain(`writing SharePoint: ${writing[3]!.batches!.done}/${BATCHES} batches`);
    display.stop();
  });

  it("is plain on a terminal too when CI is set", () => {
    const { writes } = play({ isTTY: true, ci: true }, 120);
    expect(writes.join("")).not.toContain("\x1b");
    expect(writes.every((line) => line.endsWith("\n"))).toBe(true);
  });
});

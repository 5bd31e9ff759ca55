import { describe, expect, it } from "vitest";
import { durationText, runProgressText } from "../../shared/diagnostics/runProgressText";
import { type RunProgress, secondsLeft } from "../../shared/engine/run/runProgress";

const base: RunProgress = {
  runId: "r",
  cycle: 1,
  stage: "preparing",
  startedAt: "2026-03-01T10:00:00.000Z",
  stageStartedAt: "2026-03-01T10:00:00.000Z",
  updatedAt: "2026-03-01T10:00:00.000Z",
};

describe("the progress in words", () => {
  it("names each stage with its counts, failures and the estimate", () => {
    expect(runProgressText(base)).toBe("reading SharePoint and Confluence, planning");
    expect(
      runProgressText({
        ...base,
        stage: "writingSharePoint",
        planned: {
          sharePoint: { created: 30, updated: 10, deleted: 0 },
          confluence: { created: 0, updated: 0, deleted: 0 },
          conflicts: 0,
        },
        batches: { done: 1, failed: 1, total: 2 },
        sharePointWritesApplied: 0,
        secondsLeft: 75,
      }),
    ).toBe("writing SharePoint: 1/2 batches (1 failed), 0/40 items written, about 1 min 15 s left");
    expect(runProgressText({ ...base, stage: "writingSharePoint", batches: { done: 0, failed: 0, total: 1 } })).toBe(
      "writing SharePoint: 0/1 batch",
    );
    expect(
      runProgressText({ ...base, cycle: 2, stage: "writingPages", pages: { done: 100, failed: 0, total: 4000 } }),
    ).toBe("cycle 2: writing pages: 100/4000 pages");
    expect(runProgressText({ ...base, stage: "updatingPage" })).toBe("updating the Confluence page");
    expect(runProgressText({ ...base, stage: "linkingPages" })).toBe("writing page ids back to SharePoint");
    expect(runProgressText({ ...base, stage: "recordingFailure" })).toBe("recording the failure");
  });

  it("says durations as a person reads them", () => {
    expect(durationText(420)).toBe("0.4 s");
    expect(durationText(12_400)).toBe("12 s");
    expect(durationText(185_000)).toBe("3 min 05 s");
    expect(durationText(3_720_000)).toBe("1 h 02 min");
  });

  it("estimates the time left from the stage's pace, and only once something is done and something is left", () => {
    const count = (done: number, total: number) => ({ done, failed: 0, total });
    expect(secondsLeft("2026-03-01T10:00:00.000Z", "2026-03-01T10:00:30.000Z", count(10, 40))).toBe(90);
    expect(secondsLeft("2026-03-01T10:00:00.000Z", "2026-03-01T10:00:00.100Z", count(39, 40))).toBe(1);
    expect(secondsLeft("2026-03-01T10:00:00.000Z", "2026-03-01T10:00:30.000Z", count(0, 40))).toBeUndefined();
    expect(secondsLeft("2026-03-01T10:00:00.000Z", "2026-03-01T10:00:30.000Z", count(40, 40))).toBeUndefined();
  });
});

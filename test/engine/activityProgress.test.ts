import { describe, expect, it } from "vitest";
import {
  type ActivityProgress,
  PROGRESS_LOG_INTERVAL_MS,
  progressLog,
  silentProgress,
  stepReporter,
} from "../../shared/engine/run/activityProgress";
import { cycleStarted, stageStarted, withActivityStep } from "../../shared/engine/run/runProgress";
import { createLogger, type LogRecord } from "../../shared/runtime";

const run = { profileKey: "alpha", runId: "run-1", cycle: 1 };
const reading = (items: number): ActivityProgress => ({
  ...run,
  stage: "preparing",
  step: { kind: "readingSharePoint", items, pages: items / 100 },
});

describe("the Functions app's progress log (in-activity steps in Azure)", () => {
  it("writes nothing for an activity shorter than the interval, then a line per interval with the latest step", () => {
    const records: LogRecord[] = [];
    let now = 0;
    const sink = progressLog(
      createLogger((record) => records.push(record)),
      () => now,
    );
    for (let items = 0; items <= 1000; items += 100) {
      sink(reading(items));
      now += PROGRESS_LOG_INTERVAL_MS / 4;
    }
    // 11 steps over 2.75 intervals: the first starts the clock, then one line per interval.
    expect(records.map((record) => record.fields.step)).toEqual([
      { kind: "readingSharePoint", items: 400, pages: 4 },
      { kind: "readingSharePoint", items: 800, pages: 8 },
    ]);
    expect(records[0]).toMatchObject({
      level: "info",
      message: "run progress",
      fields: { profile: "alpha", runId: "run-1", cycle: 1, stage: "preparing" },
    });

    const short: LogRecord[] = [];
    const quick = progressLog(
      createLogger((record) => short.push(record)),
      () => now,
    );
    for (let items = 0; items <= 1000; items += 100) quick(reading(items));
    expect(short).toEqual([]);
  });

  it("a silent sink costs the activity nothing: its reporter is a shared no-op", () => {
    expect(stepReporter(silentProgress, run, "preparing")).toBe(stepReporter(silentProgress, run, "committing"));
  });
});

describe("a step merged into the custom status (local hosts)", () => {
  it("only into the stage, run and cycle it belongs to", () => {
    const preparing = cycleStarted(
      { runId: "run-1", cycle: 1, startedAt: "2026-03-01T10:00:00.000Z" },
      "2026-03-01T10:00:00.000Z",
    );
    expect(withActivityStep(preparing, reading(300)).step).toEqual({ kind: "readingSharePoint", items: 300, pages: 3 });
    const writing = stageStarted(preparing, "writingSharePoint", "2026-03-01T10:00:05.000Z");
    expect(withActivityStep(writing, reading(300))).toEqual(writing);
    expect(withActivityStep(preparing, { ...reading(300), cycle: 2 })).toEqual(preparing);
    expect(withActivityStep(preparing, { ...reading(300), runId: "run-0" })).toEqual(preparing);
    // A step left over from an earlier merge goes when the next status has none of its own.
    expect(withActivityStep({ ...writing, step: { kind: "planning" } }, undefined)).toEqual(writing);
  });
});

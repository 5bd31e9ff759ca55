import { afterEach, expect } from "vitest";
import { type SyncHarness, type SyncHarnessOptions, startSyncHarness } from "./syncHarness";

/** For a test file: `start(options)` gives the calling test a harness, closed after that test. */
export function harnessPerTest(): (options?: SyncHarnessOptions) => Promise<SyncHarness> {
  let current: SyncHarness | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options = {}) => (current = await startSyncHarness(options));
}

/** Runs the sync and checks it wrote nothing on either side (echo-free, quiet): the emulators' logs show no write. */
export async function expectQuietRun(h: SyncHarness): Promise<void> {
  h.clearCalls();
  const report = await h.sync();
  expect(h.writes()).toEqual({ graph: [], confluence: [] });
  expect(report.counts.sharePoint).toEqual({ created: 0, updated: 0, deleted: 0 });
  expect(report.counts.confluence).toEqual({ created: 0, updated: 0, deleted: 0 });
}

import { rm } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { cliProfileFor } from "../helpers/cliProfile";
import { type SyncHarness, sampleItems, sampleRows, startSyncHarness } from "../helpers/syncHarness";

/** `confluence-sync check` end to end: its own config store, the emulators of a sync harness, its exit code. */

let harness: SyncHarness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await harness?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  harness = undefined;
  dir = undefined;
});

async function cliFor(h: SyncHarness) {
  const cli = await cliProfileFor(h, { keyPrefix: "check" });
  dir = cli.dir;
  return { key: cli.key, run: (...args: string[]) => cli.run("check", ...args) };
}

describe("confluence-sync check", () => {
  it("prints one line per check with its verdict; exit 0 when nothing blocks syncing", async () => {
    harness = await startSyncHarness({ items: sampleItems(2), rows: sampleRows(2) });
    const cli = await cliFor(harness);
    const result = await cli.run(cli.key);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Checking profile ${cli.key}`);
    expect(result.stdout).toMatch(/✓ list +readable: \d+ columns, 2 items sampled/);
    expect(result.stdout).toContain("Ready to sync");
  });

  it("--json, and exit 1 naming the failed checks when something blocks syncing", async () => {
    harness = await startSyncHarness({ items: sampleItems(1), rows: sampleRows(1), graphRoles: ["Sites.Selected"] });
    const cli = await cliFor(harness);
    const result = await cli.run(cli.key, "--json");
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ profileKey: cli.key, ok: false });
    expect(result.stderr).toContain(`profile "${cli.key}" cannot sync as things are: list failed`);
  });
});

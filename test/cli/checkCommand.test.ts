import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EMULATOR_ENDPOINT_SETTINGS } from "../../dev/emulators/emulatorEndpoints";
import { openConfigServices, readAppSettings } from "../../shared/config";
import { runCliInProcess } from "../helpers/cli";
import {
  harnessSecretValues,
  type SyncHarness,
  sampleItems,
  sampleRows,
  startSyncHarness,
} from "../helpers/syncHarness";
import { azuriteLocation } from "../helpers/tables";

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
  dir = await mkdtemp(path.join(os.tmpdir(), "cs-check-"));
  const location = azuriteLocation();
  const env = {
    CONFLUENCE_SYNC_HOME: "home",
    AzureWebJobsStorage: location.kind === "connectionString" ? location.connectionString : "",
    ...EMULATOR_ENDPOINT_SETTINGS,
  };
  const key = `check-${randomBytes(4).toString("hex")}`;
  const config = await openConfigServices(readAppSettings(env, dir));
  try {
    await config.profiles.save({ ...h.profile, key } as never);
    // Its own consent: the CLI's grant ledger (in the shared Azurite) refuses a refresh token another profile exchanged.
    const secrets = { ...harnessSecretValues(), ConfluenceRefreshToken: h.confluence.tokens.consent() };
    for (const [name, value] of Object.entries(secrets)) await config.secrets.set(key, name as never, value);
  } finally {
    config.close();
  }
  const cwd = dir;
  return { key, run: (...args: string[]) => runCliInProcess(["check", ...args], { env, cwd }) };
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

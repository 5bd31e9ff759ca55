import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EMULATOR_ENDPOINT_SETTINGS } from "../../dev/emulators/emulatorEndpoints";
import { openConfigServices, type ProfileInput, readAppSettings } from "../../shared/config";
import { runCliInProcess } from "../helpers/cli";
import { TEST_CLIENT_SECRET as CONFLUENCE_CLIENT_SECRET, TEST_REFRESH_TOKEN } from "../helpers/confluenceSite";
import { TEST_CLIENT_SECRET } from "../helpers/graphSeed";
import { harnessSecretValues, type SyncHarness, sampleItems, startSyncHarness } from "../helpers/syncHarness";
import { azuriteLocation } from "../helpers/tables";

/**
 * `confluence-sync sync` end to end: its own config (SQLite under a temporary CONFLUENCE_SYNC_HOME), the state tables
 * in Azurite, the emulators of a sync harness, the real orchestrator in-process.
 */

const SECRET_VALUES = [TEST_CLIENT_SECRET, CONFLUENCE_CLIENT_SECRET, TEST_REFRESH_TOKEN];

let harness: SyncHarness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await harness?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  harness = undefined;
  dir = undefined;
});

/** A CLI environment with the harness's profile stored under a fresh key (the tables are shared with other files). */
async function cliFor(h: SyncHarness, overrides: Partial<ProfileInput> = {}) {
  dir = await mkdtemp(path.join(os.tmpdir(), "cs-sync-"));
  const location = azuriteLocation();
  const env = {
    CONFLUENCE_SYNC_HOME: "home",
    AzureWebJobsStorage: location.kind === "connectionString" ? location.connectionString : "",
    ...EMULATOR_ENDPOINT_SETTINGS,
  };
  const key = `cli-${randomBytes(4).toString("hex")}`;
  const config = await openConfigServices(readAppSettings(env, dir));
  try {
    await config.profiles.save({ ...h.profile, ...overrides, key } as never);
    // Its own consent: the CLI's grant ledger (in the shared Azurite) refuses a refresh token another profile exchanged.
    const secrets = { ...harnessSecretValues(), ConfluenceRefreshToken: h.confluence.tokens.consent() };
    for (const [name, value] of Object.entries(secrets)) await config.secrets.set(key, name as never, value);
  } finally {
    config.close();
  }
  const cwd = dir;
  return {
    key,
    run: (...args: string[]) => runCliInProcess(["sync", ...args], { env, cwd }),
    /** The same, with stderr a terminal 100 columns wide, or `CI` set. */
    runIn: (where: { terminalColumns?: number; ci?: boolean }, ...args: string[]) =>
      runCliInProcess(["sync", ...args], {
        env: { ...env, ...(where.ci ? { CI: "true" } : {}) },
        cwd,
        ...(where.terminalColumns !== undefined ? { terminalColumns: where.terminalColumns } : {}),
      }),
  };
}

describe("confluence-sync sync", () => {
  it("--json prints the run report: counts, per-item decisions and API calls; exit 0", async () => {
    harness = await startSyncHarness({ items: sampleItems(2), rows: [["", "From Confluence", "Doing", "9"]] });
    const cli = await cliFor(harness);
    const result = await cli.run(cli.key, "--json");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining(["profile", "runId", "dryRun", "counts", "items", "apiCalls"]),
    );
    expect(report).toMatchObject({
      profile: cli.key,
      dryRun: false,
      outcome: "completed",
      counts: {
        sharePoint: { created: 1, updated: 0, deleted: 0 },
        confluence: { created: 2, updated: 1, deleted: 0 },
        conflicts: 0,
        errors: 0,
      },
      apiCalls: { graph: 3, confluence: 2 },
    });
    expect(report.items.map((item: { action: string }) => item.action).sort()).toEqual([
      "appendToConfluence",
      "appendToConfluence",
      "createInSharePoint",
    ]);
    for (const value of SECRET_VALUES) expect(result.stdout + result.stderr).not.toContain(value);

    const again = await cli.run(cli.key, "--json");
    expect(JSON.parse(again.stdout).counts).toEqual({
      sharePoint: { created: 0, updated: 0, deleted: 0 },
      confluence: { created: 0, updated: 0, deleted: 0 },
      conflicts: 0,
      errors: 0,
    });
  });

  it("prints a readable summary: what changed where, conflicts with both values, errors", async () => {
    harness = await startSyncHarness({
      items: sampleItems(3),
      rows: [
        ["1", "Item 1", "Open", "1"],
        ["2", "Item 2", "Open", "2"],
        ["3", "Item 3", "Open", "3"],
      ],
    });
    const cli = await cliFor(harness);
    expect((await cli.run(cli.key)).code).toBe(0);
    await harness.editItem("1", { Status: "Done" });
    await harness.editItem("2", { Status: "Done" });
    await harness.editRows((rows) =>
      rows.map((row) =>
        row[0] === "2" ? [row[0], row[1]!, "Doing", row[3]!] : row[0] === "3" ? [row[0], row[1]!, row[2]!, "x3"] : row,
      ),
    );
    const result = await cli.run(cli.key);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Sync of profile "${cli.key}"`);
    expect(result.stdout).toContain("completed with errors");
    expect(result.stdout).toMatch(/item 1 \(row 1\) Status: → Confluence "Done"/);
    expect(result.stdout).toMatch(
      /item 2 \(row 2\) Status: SharePoint "Done" vs Confluence "Doing", was "Open" — flagged/,
    );
    expect(result.stdout).toMatch(/item 3 \(row 3\) Amount: FIELD_VALUE_INVALID/);
    // Each command is a new process: the list's columns are read once (then the delta), the page read and updated.
    expect(result.stdout).toMatch(/API calls: Graph 2, Confluence 2/);
  });

  it("shows progress on stderr: a line redrawn on a terminal, plain lines in a pipe, none with --quiet", async () => {
    // 45 rows without an ID: 45 creates in SharePoint, in 3 batches, then their IDs written into the page.
    const rows = Array.from({ length: 45 }, (_, i) => ["", `Row ${i + 1}`, "Open", String(i)]);
    harness = await startSyncHarness({ items: sampleItems(2), rows });
    const cli = await cliFor(harness);
    const onTerminal = await cli.runIn({ terminalColumns: 100 }, cli.key, "--dry-run", "--json");
    expect(onTerminal.code).toBe(0);
    // stdout is the report alone, as without progress.
    expect(JSON.parse(onTerminal.stdout)).toMatchObject({ outcome: "dryRun", counts: { sharePoint: { created: 45 } } });
    const drawn = onTerminal.stderr.split("\r\x1b[2K").filter((part) => part !== "");
    expect(drawn[0]).toMatch(
      new RegExp(`^sync ${cli.key}: reading SharePoint and Confluence, planning · \\d+\\.\\d s$`),
    );
    expect(onTerminal.stderr.endsWith("\r\x1b[2K")).toBe(true); // erased before the report
    expect(onTerminal.stderr).not.toContain("\n");

    const inPipe = await cli.run(cli.key);
    expect(inPipe.code).toBe(0);
    expect(inPipe.stdout).toContain(`Sync of profile "${cli.key}"`);
    expect(inPipe.stderr).not.toContain("\x1b");
    expect(inPipe.stderr).toMatch(
      new RegExp(`^sync ${cli.key}: reading SharePoint and Confluence, planning \\(\\d+\\.\\d s\\)\n`),
    );
    expect(harness.writes().graph.length).toBeGreaterThan(0);

    const inCi = await cli.runIn({ terminalColumns: 100, ci: true }, cli.key, "--json");
    expect(inCi.stderr).not.toContain("\x1b");
    expect(inCi.stderr).toMatch(/^sync [^\n]+ \(\d+\.\d s\)\n/);

    const quiet = await cli.runIn({ terminalColumns: 100 }, cli.key, "--quiet", "--json");
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
    expect(JSON.parse(quiet.stdout).outcome).toBe("completed");
  });

  it("--dry-run writes nothing and says so", async () => {
    harness = await startSyncHarness({ items: sampleItems(2) });
    const cli = await cliFor(harness);
    const version = harness.pageVersion();
    const result = await cli.run(cli.key, "--dry-run", "--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      dryRun: true,
      outcome: "dryRun",
      counts: { confluence: { created: 2 } },
    });
    expect(harness.pageVersion()).toBe(version);
    expect(harness.writes()).toEqual({ graph: [], confluence: [] });
  });

  it("exit 1 with the reason on stderr when the run is stopped, the profile is invalid or unknown", async () => {
    harness = await startSyncHarness({
      items: sampleItems(5),
      rows: [
        ["1", "Item 1", "Open", "1"],
        ["2", "Item 2", "Open", "2"],
        ["3", "Item 3", "Open", "3"],
        ["4", "Item 4", "Open", "4"],
        ["5", "Item 5", "Open", "5"],
      ],
    });
    const cli = await cliFor(harness, { deletes: { toConfluence: "delete", toSharePoint: "delete" } });
    expect((await cli.run(cli.key)).code).toBe(0);
    await harness.deleteItem("1");
    await harness.deleteItem("2");
    const stopped = await cli.run(cli.key, "--json");
    expect(stopped.code).toBe(1);
    expect(JSON.parse(stopped.stdout)).toMatchObject({ outcome: "stopped", problem: { code: "MASS_DELETE_LIMIT" } });
    expect(stopped.stderr).toContain("MASS_DELETE_LIMIT: ");

    const unknown = await cli.run("nobody");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('profile "nobody" not found');
  });

  it("exit 1 for a page the sync cannot work on, naming the problem", async () => {
    harness = await startSyncHarness({ items: sampleItems(1), headers: ["ID", "Title", "Amount"] });
    const cli = await cliFor(harness);
    const result = await cli.run(cli.key);
    expect(result.code).toBe(1);
    // After the progress line (stderr is not a terminal here), the reason on a line of its own.
    expect(result.stderr).toMatch(/^COLUMN_MISSING: Confluence page 98306: table 1 has no column "Status"/m);
  });
});

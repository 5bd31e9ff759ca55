import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAzuriteTable, startAzuriteTable } from "../../dev/emulators/azuriteTable";
import { EMBEDDED_AZURITE_FOLDER, EMBEDDED_LOCK_FILE, openStateStorage } from "../../dev/localHost/stateStorage";
import { openConfigServices, readAppSettings } from "../../shared/config";
import { openStateStores } from "../../shared/state/stateStores";
import { type CliResult, runCliInProcess } from "../helpers/cli";
import { SEEDED_SECRET_VALUES, seedDiagnostics } from "../helpers/diagnosticsSeed";

function expectNoSecretIn(result: CliResult): void {
  for (const value of SEEDED_SECRET_VALUES) expect(result.stdout + result.stderr).not.toContain(value);
}

async function seed(env: NodeJS.ProcessEnv, cwd: string): Promise<void> {
  const settings = readAppSettings(env, cwd);
  const config = await openConfigServices(settings);
  const storage = await openStateStorage(settings);
  try {
    await seedDiagnostics({
      profiles: config.profiles,
      secrets: config.secrets,
      state: await openStateStores(storage.location),
    });
  } finally {
    config.close();
    await storage.close();
  }
}

describe("confluence-sync diagnostics", () => {
  // Its own Azurite: the command uses the default table names, which no other test file shares this way.
  let azurite: RunningAzuriteTable;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCliInProcess(["diagnostics", ...args], { env, cwd: dir });

  beforeAll(async () => {
    azurite = await startAzuriteTable();
    dir = await mkdtemp(path.join(os.tmpdir(), "cs-diag-"));
    env = { CONFLUENCE_SYNC_HOME: "home", AzureWebJobsStorage: azurite.connectionString };
    await seed(env, dir);
  });
  afterAll(async () => {
    await azurite.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("lists every profile as a table", async () => {
    const result = await cli();
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^PROFILE\s+ENABLED\s+VALID\s+LAST RUN\s+AT\s+OPEN CONFLICTS$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/)[0])).toEqual(["hr", "paused", "projects"]);
    expect(result.stdout).toContain("no (missing ConfluenceRefreshToken, GraphClientSecret)");
    expect(lines[3]).toMatch(/^projects\s+yes\s+yes\s+completedWithErrors\s+2026-03-01T08:10:07.000Z\s+2$/);
    expectNoSecretIn(result);
  });

  it("prints the endpoints' JSON with --json", async () => {
    const result = await cli("--json");
    expect(result.code).toBe(0);
    const { profiles } = JSON.parse(result.stdout);
    expect(
      profiles.map((p: { key: string; valid: boolean; openConflicts: number }) => [p.key, p.valid, p.openConflicts]),
    ).toEqual([
      ["hr", false, 0],
      ["paused", true, 0],
      ["projects", true, 2],
    ]);
  });

  it("shows one profile in detail with its open conflicts, both values each", async () => {
    const json = JSON.parse((await cli("projects", "--json")).stdout);
    expect(json.recentRuns.map((r: { runId: string }) => r.runId)).toEqual(["run-3", "run-2", "run-1"]);
    expect(json.subscriptions).toHaveLength(1);
    expect(json.tokenRefreshes.map((t: { outcome: string }) => t.outcome)).toEqual([
      "reauthorization-required",
      "refreshed",
    ]);
    expect(json.conflicts.map((c: { id: string; values: unknown }) => [c.id, c.values])).toEqual([
      ["7/Status", { sharePoint: "Done", confluence: "Blocked", base: "Open" }],
      ["7/Amount", { sharePoint: 12.5, confluence: 13, base: 10 }],
    ]);

    const human = await cli("projects");
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("profile projects (Contoso projects)");
    expect(human.stdout).toContain("2026-03-01T08:05:00.000Z  failed [schedule]");
    expect(human.stdout).toContain("GRAPH_THROTTLED: prepareRun failed after its retries: throttled");
    expect(human.stdout).toMatch(/expires in 3\d(\.\d)? h/);
    expect(human.stdout).toContain("reauthorization-required REAUTHORIZATION_REQUIRED");
    expect(human.stdout).toContain('    SharePoint: "Done"\n    Confluence: "Blocked"\n    last synced: "Open"');
    expectNoSecretIn(human);
    expect(human.stdout).not.toContain("clientState");
  });

  it("fails with PROFILE_NOT_FOUND for an unknown profile", async () => {
    const result = await cli("nobody");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error PROFILE_NOT_FOUND: profile "nobody" not found\n');
  });
});

describe("confluence-sync diagnostics without a configured storage account", () => {
  it("uses an embedded Azurite persisted under CONFLUENCE_SYNC_HOME/azurite, one process at a time", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "cs-diag-local-"));
    try {
      const env = { CONFLUENCE_SYNC_HOME: "home" };
      await seed(env, dir);
      // A lock left behind by a process that is gone (a crashed command) is taken over.
      const lock = path.join(dir, "home", EMBEDDED_AZURITE_FOLDER, EMBEDDED_LOCK_FILE);
      await writeFile(lock, "999999999");

      // The next command finds what the seeding one persisted.
      const result = await runCliInProcess(["diagnostics", "projects", "--json"], { env, cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stderr).toBe(`using the local state store in ${path.dirname(lock)}\n`);
      expect(JSON.parse(result.stdout).recentRuns).toHaveLength(3);

      // While another live process holds the store, a command is told so instead of corrupting it.
      await writeFile(lock, String(process.ppid));
      const busy = await runCliInProcess(["diagnostics"], { env, cwd: dir });
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain(
        `error LOCAL_STATE_BUSY: the local state store in ${path.dirname(lock)} is in use by another confluence-sync process (pid ${process.ppid})`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { once } from "node:events";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_ENDPOINT_SETTINGS } from "../../dev/emulators/emulatorEndpoints";
import type { DemoResult } from "../../dev/sandbox/demoResult";
import {
  SANDBOX_CONFLUENCE_CLIENT_SECRET,
  SANDBOX_CONFLUENCE_REFRESH_TOKEN,
} from "../../dev/sandbox/scenario/sandboxConfluenceSeed";
import { SANDBOX_GRAPH_CLIENT_SECRET } from "../../dev/sandbox/scenario/sandboxGraphSeed";
import { openConfigServices, readAppSettings } from "../../shared/config";
import { type CliResult, repoRoot, runCliInProcess, spawnCli } from "../helpers/cli";

const SEEDED_SECRETS = [
  SANDBOX_GRAPH_CLIENT_SECRET,
  SANDBOX_CONFLUENCE_CLIENT_SECRET,
  SANDBOX_CONFLUENCE_REFRESH_TOKEN,
];

/** `npx confluence-sync demo` as a newcomer runs it: the built command in its own process. */
async function spawnDemo(env: NodeJS.ProcessEnv): Promise<CliResult> {
  const child = spawnCli(["demo"], { env });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code: code ?? -1, stdout, stderr };
}

/** The body of a report line, whatever the column padding. */
const line = (label: string, text: string): RegExp =>
  new RegExp(`^  ${label.replace(/[$()]/g, "\\$&")} +${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m");

describe("npm run demo", () => {
  let tmp: string;
  let result: CliResult;

  beforeAll(async () => {
    // Its own temp folder, to see that the demo leaves nothing behind.
    tmp = await mkdtemp(path.join(os.tmpdir(), "demo-test-"));
    result = await spawnDemo({ TMPDIR: tmp, TMP: tmp, TEMP: tmp });
  }, 60_000);
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("exits 0, says nothing on stderr but where each sync is, and removes its temporary home", async () => {
    // stderr is a pipe here: a plain progress line per stage, at most every few seconds (each sync takes less).
    const lines = result.stderr.split("\n").filter((l) => l !== "");
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const l of lines) expect(l).toMatch(/^Sync [1-4]: [a-zA-Z ,:/0-9()]+ \(\d+\.\d s\)$/);
    expect(result.code).toBe(0);
    expect(await readdir(tmp)).toEqual([]);
  });

  it("first sync: pairs the 40 rows on the page, appends the 10 missing items and fills blanks both ways", () => {
    const first = result.stdout.slice(result.stdout.indexOf("Sync 1:"), result.stdout.indexOf("Meanwhile"));
    expect(first).toMatch(line("paired", "40 rows with their items, by the ID column"));
    expect(first).toMatch(line("appended", "10 items the page did not have: #41 Opal claims triage"));
    expect(first).toMatch(line("list → page", "#14 Nimbus cloud migration: Progress = 25%"));
    expect(first).toMatch(line("page → list", "#22 Vega sales dashboards: Tags = Data, Web"));
    expect(first).not.toContain("conflict");
  });

  it("second sync: both non-conflicting edits land, the conflict is reported with both values, the new row is created, the deletion follows the policy", () => {
    const second = result.stdout.slice(result.stdout.indexOf("Sync 2:"), result.stdout.indexOf("Sync 3:"));
    expect(second).toMatch(line("list → page", "#7 Garnet support chatbot: Budget = 135000"));
    expect(second).toMatch(line("page → list", "#7 Garnet support chatbot: Due = 2026-06-12"));
    expect(second).toMatch(
      line("conflict", '#12 Lumen GDPR records, Status: SharePoint "Blocked" vs Confluence "On track" (was "At risk")'),
    );
    expect(second).toContain("flagged: nothing written on either side, both values kept in the conflict log");
    expect(second).toMatch(
      line("created", "#51 Orchid supplier onboarding in SharePoint, from the new row; ID 51 written into the row"),
    );
    expect(second).toMatch(
      line("deleted", "#33 Glacier archive cleanup, deleted in SharePoint: row removed (deletes.toConfluence: delete)"),
    );
    expect(second).toMatch(line("API calls", "Graph 2: delta 1, $batch 1 (2 writes)"));
  });

  it("third sync is quiet: no writes, one delta call and one page read", () => {
    const third = result.stdout.slice(result.stdout.indexOf("Sync 3:"), result.stdout.indexOf("A person settles"));
    expect(third).toMatch(line("quiet", "nothing to write on either side; the conflict on #12 Status stays open"));
    expect(third).toMatch(line("API calls", "Graph 1: delta 1"));
    expect(third).toMatch(/^ +Confluence 1: page read 1$/m);
  });

  it("a person settles the conflict through conflicts resolve, and the fourth sync writes the chosen value", () => {
    const settled = result.stdout.slice(result.stdout.indexOf("A person settles"), result.stdout.indexOf("Sync 4:"));
    expect(settled).toContain(
      'A person settles the conflict: confluence-sync conflicts resolve sandbox-projects "item 12|Status" --take confluence',
    );
    expect(settled).toMatch(
      line("settled", `#12 Lumen GDPR records, Status: Diego Siciliani takes Confluence's "On track"`),
    );
    const fourth = result.stdout.slice(result.stdout.indexOf("Sync 4:"), result.stdout.indexOf("Checked against"));
    expect(fourth).toMatch(line("page → list", "#12 Lumen GDPR records: Status = On track"));
    expect(fourth).toMatch(line("settled", 'the conflict on #12 Status is closed: both sides hold "On track"'));
    expect(fourth).toMatch(line("API calls", "Graph 2: delta 1, $batch 1 (1 write)"));
  });

  it("checks the outcome against both services, and every check passes", () => {
    const checks = result.stdout
      .slice(result.stdout.indexOf("Checked against"))
      .split("\n")
      .filter((l) => /^ {2}[✓✗]/.test(l));
    expect(checks).toHaveLength(6);
    expect(checks.every((l) => l.startsWith("  ✓"))).toBe(true);
    expect(result.stdout).toMatch(
      /^Done in \d+\.\d s: 50 items in the list, 50 rows on the page \(now version \d+\), no open conflicts\.$/m,
    );
  });

  it("prints what the README's excerpt shows (times aside)", async () => {
    const readme = await readFile(path.join(repoRoot, "README.md"), "utf8");
    const excerpt = /```text\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(excerpt).toBeDefined();
    const withoutTimes = (text: string): string => text.replace(/\(\d+\.\d s\)/g, "(… s)");
    const printed = withoutTimes(result.stdout);
    for (const excerptLine of withoutTimes(excerpt!)
      .split("\n")
      .filter((l) => l.trim() !== ""))
      expect(printed).toContain(excerptLine);
  });

  it("never prints a secret", () => {
    for (const secret of SEEDED_SECRETS) expect(result.stdout + result.stderr).not.toContain(secret);
  });
});

describe("confluence-sync demo --json --keep", () => {
  let output: CliResult;
  let demo: DemoResult;

  beforeAll(async () => {
    output = await runCliInProcess(["demo", "--json", "--keep"]);
    demo = JSON.parse(output.stdout) as DemoResult;
  }, 60_000);
  afterAll(async () => {
    if (demo?.keptHome) await rm(demo.keptHome, { recursive: true, force: true });
  });

  it("reports four runs of the real orchestrator: the third writes nothing, the fourth the settled value", () => {
    expect(output.code).toBe(0);
    expect(demo.runs.map((run) => run.report.outcome)).toEqual(["completed", "completed", "completed", "completed"]);
    expect(demo.runs.map((run) => run.report.counts.sharePoint)).toEqual([
      { created: 0, updated: 2, deleted: 0 },
      { created: 1, updated: 1, deleted: 0 },
      { created: 0, updated: 0, deleted: 0 },
      { created: 0, updated: 1, deleted: 0 },
    ]);
    expect(demo.runs.map((run) => run.report.counts.confluence)).toEqual([
      { created: 10, updated: 3, deleted: 0 },
      { created: 0, updated: 2, deleted: 1 },
      { created: 0, updated: 0, deleted: 0 },
      { created: 0, updated: 0, deleted: 0 },
    ]);
    expect(demo.settlement).toMatchObject({
      person: "Diego Siciliani",
      conflictId: "item 12|Status",
      take: "confluence",
      value: "On track",
    });
    expect(demo.runs[3]!.report.items.find((item) => item.sharePointId === "12")).toMatchObject({
      changes: [{ field: "Status", to: "sharePoint", value: "On track" }],
      settlements: [{ conflictId: "item 12|Status", outcome: "applied", writtenTo: ["sharePoint"] }],
    });
    // The emulators served what the run reports say the clients sent (the logs add sign-ins and token refreshes).
    const last = demo.runs[2]!;
    expect({ graph: last.calls.graph.total, confluence: last.calls.confluence.total }).toEqual(last.report.apiCalls);
    expect(demo.outcome.checks.filter((check) => !check.ok)).toEqual([]);
    expect(demo.openConflicts).toEqual([]);
  });

  it("keeps each sync's progress as its orchestration published it, one run id per sync", () => {
    const stages = demo.runs.map((run) =>
      run.progress.map((status) => status.stage).filter((stage, i, all) => stage !== all[i - 1]),
    );
    expect(stages).toEqual([
      ["preparing", "writingSharePoint", "updatingPage", "committing"],
      ["preparing", "writingSharePoint", "updatingPage", "committing"],
      ["preparing", "committing"],
      ["preparing", "writingSharePoint", "committing"],
    ]);
    for (const run of demo.runs)
      expect(new Set(run.progress.map((status) => status.runId))).toEqual(new Set([run.report.runId]));
    expect(demo.runs[1]!.progress.at(-1)).toMatchObject({
      planned: { sharePoint: { created: 1, updated: 1, deleted: 0 }, conflicts: 1 },
      batches: { done: 1, failed: 0, total: 1 },
      sharePointWritesApplied: 2,
    });
    // The JSON is stdout alone; stderr had the progress lines (not a terminal here: plain ones).
    expect(output.stderr).toMatch(/^Sync 1: reading SharePoint and Confluence, planning \(\d+\.\d s\)$/m);
  });

  it("keeps its CONFLUENCE_SYNC_HOME, where the CLI finds the profile, its rotated secrets and the state", async () => {
    const home = demo.keptHome!;
    expect((await stat(path.join(home, "config.db"))).isFile()).toBe(true);
    const diagnostics = await runCliInProcess(["diagnostics", "sandbox-projects", "--json"], {
      env: { CONFLUENCE_SYNC_HOME: home, ...EMULATOR_ENDPOINT_SETTINGS },
    });
    expect(diagnostics.code).toBe(0);
    const detail = JSON.parse(diagnostics.stdout) as { valid: boolean; openConflicts: number; recentRuns: unknown[] };
    expect(detail).toMatchObject({ valid: true, openConflicts: 0 });
    expect(detail.recentRuns).toHaveLength(4);

    // Atlassian rotated the refresh token on the first run; the new one was stored, and none is ever printed.
    const config = await openConfigServices(readAppSettings({ CONFLUENCE_SYNC_HOME: home }));
    try {
      const rotated = await config.secrets.get("sandbox-projects", "ConfluenceRefreshToken");
      expect(rotated).toBeDefined();
      expect(rotated).not.toBe(SANDBOX_CONFLUENCE_REFRESH_TOKEN);
      for (const secret of [...SEEDED_SECRETS, rotated!])
        expect(output.stdout + output.stderr + diagnostics.stdout).not.toContain(secret);
    } finally {
      config.close();
    }
  });
});

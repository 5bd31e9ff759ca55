import { once } from "node:events";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PagesDemoResult } from "../../dev/sandbox/pagesDemo";
import { type CliResult, spawnCli } from "../helpers/cli";

/** `npm run demo -- --pages` as a newcomer runs it: the built command in its own process (docs/pages-mode.md). */
async function spawnDemo(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const child = spawnCli(["demo", "--pages", ...args], { env });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code: code ?? -1, stdout, stderr };
}

describe("npm run demo -- --pages", () => {
  let tmp: string;
  let result: CliResult;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "pages-demo-test-"));
    result = await spawnDemo(["--json"], { TMPDIR: tmp, TMP: tmp, TEMP: tmp });
  }, 60_000);
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("exits 0, says nothing on stderr but where each sync is, and leaves nothing behind", async () => {
    // stderr is a pipe: a plain progress line per stage, at most every few seconds (each sync takes less).
    const lines = result.stderr.split("\n").filter((l) => l !== "");
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const l of lines) expect(l).toMatch(/^Sync [1-4]: [a-zA-Z ,:/0-9()]+ \(\d+\.\d s\)$/);
    expect(result.code).toBe(0);
    expect(await readdir(tmp)).toEqual([]);
  });

  it("creates a page for each of the 28 customers whose gate is open, then shows each outcome, then is quiet", () => {
    const demo = JSON.parse(result.stdout) as PagesDemoResult;
    const [first, second, third] = demo.runs;
    expect(first?.report.counts.confluence.created).toBe(28);
    expect(first?.calls.confluence.kinds).toEqual(
      expect.arrayContaining([
        { kind: "page create", calls: 28 },
        { kind: "link property write", calls: 28 },
      ]),
    );
    const actions = new Map(second?.report.items.map((item) => [item.sharePointId, item]));
    expect(actions.get("12")?.conflicts).toEqual([expect.objectContaining({ field: "Status", resolution: "flagged" })]);
    expect(actions.get("15")?.action).toBe("held");
    expect(actions.get("20")?.action).toBe("keepDeleted");
    expect(actions.get("29")?.action).toBe("appendToConfluence");
    expect(second?.report.items.some((item) => item.errors.some((error) => error.code === "PAGE_COPY"))).toBe(true);
    expect(third?.calls.graph.total).toBe(1);
    expect(third?.calls.confluence.total).toBe(1);
    expect(demo.checks.filter((check) => !check.ok)).toEqual([]);
  });

  it("checks the pages profile before the first sync, and settles the conflict in a fourth sync", () => {
    const demo = JSON.parse(result.stdout) as PagesDemoResult;
    expect(demo.check.ok).toBe(true);
    expect(demo.check.checks.find((check) => check.id === "page")).toMatchObject({
      verdict: "ok",
      detail: expect.stringContaining("pages mode"),
    });
    expect(demo.settlement).toMatchObject({ conflictId: "item 12|Status", take: "sharePoint", value: "Blocked" });
    const fourth = demo.runs[3];
    expect(demo.runs).toHaveLength(4);
    expect(fourth?.report.items.find((item) => item.sharePointId === "12")?.settlements).toEqual([
      expect.objectContaining({ conflictId: "item 12|Status", outcome: "applied", writtenTo: ["confluence"] }),
    ]);
    expect(fourth?.report.counts.confluence.updated).toBe(1);
    expect(fourth?.report.counts.sharePoint.updated).toBe(0);
    expect(demo.checks.map((check) => check.expectation)).toContainEqual(
      expect.stringContaining("#12's conflicting Status, settled"),
    );
  });

  it("keeps each sync's progress in the same shape as table mode: the page jobs counted", () => {
    const demo = JSON.parse(result.stdout) as PagesDemoResult;
    const first = demo.runs[0]!.progress;
    const stages = first.map((status) => status.stage).filter((stage, i, all) => stage !== all[i - 1]);
    expect(stages).toEqual(["preparing", "writingPages", "linkingPages", "committing"]);
    expect(first.find((status) => status.stage === "writingPages")!.pages).toEqual({ done: 0, failed: 0, total: 28 });
    expect(first.at(-1)).toMatchObject({
      stage: "committing",
      runId: demo.runs[0]!.report.runId,
      planned: { confluence: { created: 28 } },
      pages: { done: 28, failed: 0, total: 28 },
    });
    expect(demo.runs[2]!.progress.map((status) => status.stage)).toEqual(["preparing"]);
  });
});

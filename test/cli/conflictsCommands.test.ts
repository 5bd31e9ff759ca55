import { rm } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { cliProfileFor } from "../helpers/cliProfile";
import { type SyncHarness, sampleItems, sampleRows, startSyncHarness } from "../helpers/syncHarness";

/**
 * `confluence-sync conflicts list` and `conflicts resolve` end to end: the CLI's own config, the state in Azurite, the
 * emulators of a sync harness, the real orchestrator in-process for `--sync`.
 */

let harness: SyncHarness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await harness?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  harness = undefined;
  dir = undefined;
});

/** A profile of the harness under a fresh key, synced once, then Status of item 1 edited differently on both sides. */
async function conflictedCli(
  conflict: (h: SyncHarness) => Promise<void> = async (h) => {
    await h.editItem("1", { Status: "Done" });
    await h.editRows((rows) => rows.map((row) => (row[0] === "1" ? [row[0], row[1]!, "Doing", row[3]!] : row)));
  },
) {
  harness = await startSyncHarness({
    items: sampleItems(3),
    rows: sampleRows(3),
    profile: { massDeleteLimitPercent: 50 },
  });
  const h = harness;
  const cli = await cliProfileFor(h, { keyPrefix: "cli" });
  dir = cli.dir;
  const { key, run } = cli;
  expect((await run("sync", key)).code).toBe(0);
  await conflict(h);
  expect((await run("sync", key)).code).toBe(0);
  return { key, run, h };
}

describe("confluence-sync conflicts", () => {
  it("list shows each open conflict with its id and both values; resolve --sync settles it and the run writes it", async () => {
    const { key, run, h } = await conflictedCli();
    const listed = await run("conflicts", "list", key);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("id: item 1|Status");
    expect(listed.stdout).toContain('SharePoint: "Done"');
    expect(listed.stdout).toContain('Confluence: "Doing"');

    const resolved = await run(
      "conflicts",
      "resolve",
      key,
      "item 1|Status",
      "--take",
      "sharePoint",
      "--by",
      "ada",
      "--sync",
    );
    expect(resolved.code).toBe(0);
    expect(resolved.stdout).toContain('settled item 1|Status: take sharePoint\'s value "Done" (by ada)');
    expect(h.rowOf("1")?.Status).toBe("Done");

    const after = JSON.parse((await run("conflicts", "list", key, "--json")).stdout);
    expect(after).toEqual({ profileKey: key, conflicts: [] });
  });

  it("--value is read like a cell; a value the column cannot hold exits 1 naming the field", async () => {
    const { key, run } = await conflictedCli();
    const bad = await run("conflicts", "resolve", key, "item 1|Status", "--value", "Blocked");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/SETTLEMENT_VALUE_INVALID: .*field "Status"/);
    const good = await run("conflicts", "resolve", key, "item 1|Status", "--value", "open", "--json");
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout).settled[0].settlement).toMatchObject({ take: "value", value: "Open", via: "cli" });
  });

  it("refuses unclear requests: no id and no --all, both --take and --value, an unknown side, an unknown id", async () => {
    const { key, run } = await conflictedCli();
    expect((await run("conflicts", "resolve", key, "--take", "sharePoint")).stderr).toContain("--all");
    expect(
      (await run("conflicts", "resolve", key, "item 1|Status", "--take", "sharePoint", "--value", "Open")).code,
    ).toBe(1);
    expect((await run("conflicts", "resolve", key, "item 1|Status", "--take", "both")).stderr).toContain("--take");
    const unknown = await run("conflicts", "resolve", key, "item 7|Status", "--take", "confluence");
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining("CONFLICT_NOT_FOUND")]);
  });

  it("resolve --take <the deleting side> settles a delete-vs-edit conflict: --sync deletes the edited item", async () => {
    const { key, run, h } = await conflictedCli(async (h) => {
      await h.editItem("1", { Status: "Done" });
      await h.editRows((rows) => rows.filter((row) => row[0] !== "1"));
    });
    const survivor = await run("conflicts", "resolve", key, "item 1|(item)", "--take", "sharePoint");
    expect([survivor.code, survivor.stderr]).toEqual([1, expect.stringContaining("CONFLICT_NOT_SETTLEABLE")]);
    const resolved = await run(
      "conflicts",
      "resolve",
      key,
      "item 1|(item)",
      "--take",
      "confluence",
      "--by",
      "ada",
      "--sync",
    );
    expect(resolved.code).toBe(0);
    expect(resolved.stdout).toContain("settled item 1|(item): take the deletion in confluence (by ada)");
    expect((await h.listItems()).has("1")).toBe(false);
    expect(JSON.parse((await run("conflicts", "list", key, "--json")).stdout)).toEqual({
      profileKey: key,
      conflicts: [],
    });
  });
});

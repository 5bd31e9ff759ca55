import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EMULATOR_ENDPOINT_SETTINGS } from "../../dev/emulators/emulatorEndpoints";
import { openConfigServices, readAppSettings, tableProfile } from "../../shared/config";
import { runCliInProcess } from "../helpers/cli";
import { harnessSecretValues, sampleItems, startSyncHarness } from "../helpers/syncHarness";
import { azuriteLocation } from "../helpers/tables";
import { fixturesDir } from "../mapping/fixtures";

describe("confluence-sync inspect-page", () => {
  it("shows tables, headers, rows with text and typed readings, and warnings", async () => {
    const result = await runCliInProcess(["inspect-page", "--file", path.join(fixturesDir, "cloud-managed-table.xml")]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("1 table");
    expect(result.stdout).toContain("columns: 1. ID | 2. Title | 3. Status | 4. Due | 5. Owner | 6. Link");
    expect(result.stdout).toContain('Status: "In progress"  [status "In progress" Blue]');
    expect(result.stdout).toContain('Due: "2026-03-31"  [date 2026-03-31]');
    expect(result.stdout).toContain("[mention 557058:aaaa-1111]");
    const merged = await runCliInProcess([
      "inspect-page",
      "--file",
      path.join(fixturesDir, "thead-merged-entities.xml"),
    ]);
    expect(merged.stdout).toContain("warning: row 3, column 3: merged cell (colspan 1, rowspan 2)");
  });

  it("prints JSON with --json, and reads a page JSON from the REST API", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "inspect-page-"));
    const file = path.join(dir, "page.json");
    await writeFile(
      file,
      JSON.stringify({
        id: "98765",
        title: "T",
        body: {
          storage: {
            value: "<table><tbody><tr><th>ID</th></tr><tr><td>1</td></tr></tbody></table>",
            representation: "storage",
          },
        },
      }),
    );
    const result = await runCliInProcess(["inspect-page", "--file", file, "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      pageId: string;
      tables: Array<{ headers: string[]; rows: Array<{ cells: Array<{ text: string }> }> }>;
    };
    expect(report.pageId).toBe("98765");
    expect(report.tables[0]?.headers).toEqual(["ID"]);
    expect(report.tables[0]?.rows[1]?.cells[0]?.text).toBe("1");
  });

  it("exits 1 with a clear message when the file is not storage format", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "inspect-page-"));
    const file = path.join(dir, "broken.xml");
    await writeFile(file, "<table>\n<tr><td>1</td></tr>\n<tr><td>2</tr>\n</table>");
    const result = await runCliInProcess(["inspect-page", "--file", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /broken\.xml is not Confluence storage format: .*not well-formed storage XHTML: .*\(line 3, column \d+\)/,
    );
    const json = path.join(dir, "other.json");
    await writeFile(json, '{"results": []}');
    const notPage = await runCliInProcess(["inspect-page", "--file", json]);
    expect(notPage.code).toBe(1);
    expect(notPage.stderr).toContain("body.storage.value");
  });

  it("reads a profile's live page through its Confluence connection (one page read, no write, no secret printed)", async () => {
    const harness = await startSyncHarness({ items: sampleItems(2), rows: [["1", "Existing", "Doing", "3"]] });
    const dir = await mkdtemp(path.join(tmpdir(), "inspect-page-"));
    try {
      const location = azuriteLocation();
      const env = {
        CONFLUENCE_SYNC_HOME: "home",
        AzureWebJobsStorage: location.kind === "connectionString" ? location.connectionString : "",
        ...EMULATOR_ENDPOINT_SETTINGS,
      };
      const key = `inspect-${randomBytes(4).toString("hex")}`;
      const config = await openConfigServices(readAppSettings(env, dir));
      try {
        await config.profiles.save({ ...harness.profile, key } as never);
        // Its own consent: the CLI's grant ledger (in the shared Azurite) refuses a token another profile exchanged.
        const secrets = { ...harnessSecretValues(), ConfluenceRefreshToken: harness.confluence.tokens.consent() };
        for (const [name, value] of Object.entries(secrets)) await config.secrets.set(key, name as never, value);
      } finally {
        config.close();
      }
      harness.clearCalls();
      const result = await runCliInProcess(["inspect-page", "--profile", key, "--json"], { env, cwd: dir });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as {
        source: string;
        pageId: string;
        tables: Array<{ headers: string[]; rows: Array<{ cells: Array<{ text: string }> }> }>;
      };
      expect(report.pageId).toBe(tableProfile(harness.profile).confluence.target.pageId);
      expect(report.source).toContain(`profile ${key}`);
      expect(report.tables[0]?.rows.some((row) => row.cells.some((cell) => cell.text === "Existing"))).toBe(true);
      const pageCalls = harness.confluenceCalls().filter((call) => call.includes("/pages/"));
      expect(pageCalls).toEqual([expect.stringMatching(/^GET \/pages\/\d+ 200$/)]);
      for (const secret of Object.values(harnessSecretValues())) expect(result.stdout).not.toContain(secret);
    } finally {
      await harness.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("needs exactly one of --file and --profile; an unknown profile is an error", async () => {
    expect((await runCliInProcess(["inspect-page"])).stderr).toContain("exactly one of --file");
    const dir = await mkdtemp(path.join(tmpdir(), "inspect-page-"));
    const unknown = await runCliInProcess(["inspect-page", "--profile", "nobody"], {
      env: { CONFLUENCE_SYNC_HOME: "home" },
      cwd: dir,
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("nobody");
    await rm(dir, { recursive: true, force: true });
  });
});

describe("inspect-page for a pages-mode profile", () => {
  it("shows an item page's block as the sync reads it: values, the unset placeholder, the gate, the link", async () => {
    const { startPagesHarness, sampleCustomers } = await import("../helpers/pagesHarness.js");
    const harness = await startPagesHarness({ items: sampleCustomers(1) });
    const dir = await mkdtemp(path.join(tmpdir(), "inspect-page-"));
    try {
      await harness.sync();
      const page = harness.pageOfItem("1")!;
      const location = azuriteLocation();
      const env = {
        CONFLUENCE_SYNC_HOME: "home",
        AzureWebJobsStorage: location.kind === "connectionString" ? location.connectionString : "",
        ...EMULATOR_ENDPOINT_SETTINGS,
      };
      const key = `pages-${randomBytes(4).toString("hex")}`;
      const config = await openConfigServices(readAppSettings(env, dir));
      try {
        await config.profiles.save({ ...harness.profile, key } as never);
        // Its own consent: the CLI's grant ledger (in the shared Azurite) refuses a token another profile exchanged.
        const secrets = { ...harnessSecretValues(), ConfluenceRefreshToken: harness.confluence.tokens.consent() };
        for (const [name, value] of Object.entries(secrets)) await config.secrets.set(key, name as never, value);
      } finally {
        config.close();
      }
      const result = await runCliInProcess(["inspect-page", "--profile", key, "--page", page.id, "--json"], {
        env,
        cwd: dir,
      });
      expect(result.stderr).toBe("");
      const report = JSON.parse(result.stdout) as {
        link: { itemId: string };
        block: {
          location: string;
          fields: { field: string; placeholder: boolean; value: { ok: boolean; value?: unknown } }[];
          gate: { kind: string };
        };
      };
      expect(report.link.itemId).toBe("1");
      expect(report.block.location).toContain('macro "details"');
      expect(report.block.fields).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: "Title", placeholder: false, value: { ok: true, value: "Customer 1" } }),
          expect.objectContaining({ field: "GoLive", placeholder: true, value: { ok: true, value: null } }),
        ]),
      );
      expect(report.block.gate).toEqual({ kind: "open" });
      const text = await runCliInProcess(["inspect-page", "--profile", key, "--page", page.id], {
        env,
        cwd: dir,
      });
      expect(text.stdout).toContain('Go-live (GoLive): "" → unset (the template\'s placeholder)');
    } finally {
      await harness.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { describe, expect, it } from "vitest";
import { type CheckLine, checkProfile, type ProfileCheckReport } from "../../shared/diagnostics";
import { checkProfileHandler } from "../../shared/functionsApp";
import type { ColumnDefinition } from "../../shared/mapping";
import { createMemoryLogger } from "../../shared/runtime";
import {
  TEST_CLIENT_ID as CONFLUENCE_CLIENT_ID,
  TEST_CLIENT_SECRET as CONFLUENCE_CLIENT_SECRET,
  TEST_REFRESH_TOKEN,
} from "../helpers/confluenceSiteValues";
import { get, readResponse } from "../helpers/functionsApp";
import { TEST_CLIENT_ID } from "../helpers/graphSeed";
import { HARNESS_PROFILE, harnessColumns, sampleItems, sampleRows } from "../helpers/syncHarness";
import { harnessPerTest } from "../helpers/syncTestRuns";

/**
 * `confluence-sync check` against the emulators, each behaving one of the unkind ways the real services do
 * (docs/emulators.md): read-only, one line per check, and `ok: false` exactly when something blocks syncing.
 */

const start = harnessPerTest();
const WEBHOOK = "https://func-confluence.azurewebsites.net/api/webhooks/sharepoint";

function line(report: ProfileCheckReport, id: CheckLine["id"]): CheckLine | undefined {
  return report.checks.find((check) => check.id === id);
}

describe("confluence-sync check", () => {
  it("a healthy profile: every check passes, and nothing is written anywhere", async () => {
    const h = await start({ items: sampleItems(3), rows: sampleRows(3) });
    h.clearCalls();
    const report = await checkProfile(h.services, HARNESS_PROFILE, { webhookUrl: WEBHOOK });
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => [check.id, check.verdict])).toEqual([
      ["profile", "ok"],
      ["secrets", "ok"],
      ["graphToken", "ok"],
      ["list", "ok"],
      ["columns", "ok"],
      ["sharePointWrite", "ok"],
      ["confluenceGrant", "ok"],
      ["page", "ok"],
      ["webhook", "ok"],
      ["timeZone", "skip"],
      ["hyperlinks", "skip"],
    ]);
    expect(line(report, "graphToken")?.detail).toContain("Sites.ReadWrite.All");
    expect(line(report, "page")?.detail).toBe(
      '"Projects" v1: table 1 has the key column "ID" and the 3 mapped columns, 3 rows',
    );
    expect(h.writes()).toEqual({ graph: [], confluence: [] });
  });

  it("a missing secret fails at once, naming it", async () => {
    const h = await start({ items: sampleItems(1), rows: sampleRows(1) });
    await h.secrets.delete(HARNESS_PROFILE, "GraphClientSecret");
    const report = await checkProfile(h.services, HARNESS_PROFILE);
    expect(report.ok).toBe(false);
    expect(line(report, "secrets")).toMatchObject({
      verdict: "fail",
      detail: "missing: GraphClientSecret",
      action: expect.stringContaining("secrets set projects"),
    });
  });

  it("Sites.Selected without a grant: the list is unreadable (GRAPH_FORBIDDEN naming the grant); the rest is skipped", async () => {
    const h = await start({ items: sampleItems(1), rows: sampleRows(1), graphRoles: ["Sites.Selected"] });
    const report = await checkProfile(h.services, HARNESS_PROFILE, { webhookUrl: WEBHOOK });
    expect(report.ok).toBe(false);
    expect(line(report, "list")).toMatchObject({
      verdict: "fail",
      detail: expect.stringMatching(/GRAPH_FORBIDDEN: .*403 accessDenied.*Sites\.Selected with a read grant/),
    });
    expect(line(report, "columns")?.verdict).toBe("skip");
    expect(line(report, "sharePointWrite")?.verdict).toBe("warn");
    expect(line(report, "webhook")).toMatchObject({ verdict: "warn", detail: expect.stringContaining("403") });
  });

  it("a read-only app permission: item writes would be refused (fail), found without writing", async () => {
    const h = await start({ items: sampleItems(1), rows: sampleRows(1), graphRoles: ["Sites.Read.All"] });
    const report = await checkProfile(h.services, HARNESS_PROFILE);
    expect(report.ok).toBe(false);
    expect(line(report, "sharePointWrite")).toMatchObject({
      verdict: "fail",
      action: "grant Sites.ReadWrite.All, or Sites.Selected with a write grant on the site",
    });
    expect(line(report, "webhook")?.verdict).toBe("skip");
  });

  it("content approval without Sites.Manage.All is a warning that says what happens to pending items", async () => {
    const h = await start({ items: sampleItems(1), rows: sampleRows(1), contentApproval: true });
    const report = await checkProfile(h.services, HARNESS_PROFILE);
    expect(report.ok).toBe(true);
    expect(line(report, "contentApproval")).toMatchObject({
      verdict: "warn",
      detail: expect.stringContaining("ITEM_NOT_VISIBLE"),
      action: expect.stringContaining("Sites.Manage.All"),
    });
  });

  it("a grant without the write scope fails, naming the scope", async () => {
    const h = await start({
      items: sampleItems(1),
      rows: sampleRows(1),
      confluenceSeed: {
        oauth: {
          clientId: CONFLUENCE_CLIENT_ID,
          clientSecret: CONFLUENCE_CLIENT_SECRET,
          refreshTokens: [TEST_REFRESH_TOKEN],
          scopes: ["read:page:confluence", "read:space:confluence", "offline_access"],
        },
      },
    });
    const report = await checkProfile(h.services, HARNESS_PROFILE);
    expect(line(report, "confluenceGrant")).toMatchObject({
      verdict: "fail",
      detail: expect.stringContaining("lacks write:page:confluence"),
    });
  });

  it("a page without the profile's table fails with the mapper's code", async () => {
    const h = await start({ items: sampleItems(1), rows: sampleRows(1) });
    await h.savePage("<p>The table was deleted by someone.</p>");
    const report = await checkProfile(h.services, HARNESS_PROFILE);
    expect(report.ok).toBe(false);
    expect(line(report, "page")).toMatchObject({
      verdict: "fail",
      detail: expect.stringContaining("TABLE_NOT_FOUND"),
      action: expect.stringContaining("inspect-page"),
    });
  });

  it("date-only values stored in another zone than the profile says: a warning naming the likely zone", async () => {
    const h = await start({
      columns: harnessColumns,
      headers: ["ID", "Title", "Due"],
      siteTimeZone: "Europe/Berlin",
      items: [
        { id: "1", fields: { Title: "Alpha", Due: "2026-03-01T23:00:00Z" } },
        { id: "2", fields: { Title: "Beta", Due: "2026-07-09T22:00:00Z" } },
      ],
      rows: [["1", "Alpha", ""]],
      profile: {
        fields: [
          { sharePoint: "Title", confluence: "Title" },
          { sharePoint: "Due", confluence: "Due" },
        ],
      },
    });
    const report = await checkProfile(h.services, HARNESS_PROFILE);
    expect(report.ok).toBe(true);
    expect(line(report, "timeZone")).toMatchObject({
      verdict: "warn",
      detail: expect.stringMatching(/2 of 2 date-only values are not midnight in UTC .*UTC\+01:00: .*Europe\/Berlin/),
      action: expect.stringContaining("likely Europe/"),
    });
  });

  it("names the hyperlink write mode, and that only a write shows whether the tenant takes it", async () => {
    const columns: ColumnDefinition[] = [
      ...harnessColumns,
      { name: "Link", displayName: "Link", hyperlinkOrPicture: { isPicture: false } },
    ];
    const h = await start({
      columns,
      headers: ["ID", "Title", "Link"],
      items: [{ id: "1", fields: { Title: "Alpha", Link: { Url: "https://a.example", Description: "A" } } }],
      rows: [["1", "Alpha", "A"]],
      profile: {
        fields: [
          { sharePoint: "Title", confluence: "Title" },
          { sharePoint: "Link", confluence: "Link" },
        ],
      },
    });
    const report = await checkProfile(h.services, HARNESS_PROFILE);
    expect(line(report, "hyperlinks")).toMatchObject({
      verdict: "ok",
      detail: expect.stringMatching(
        /Link written as \{Url, Description\} with Prefer: apiversion=2\.1 .*HYPERLINK_WRITE_REFUSED/,
      ),
    });
    expect(line(report, "columns")?.detail).toBe("2 mapped columns, all there and of types the sync supports");
  });

  it("Sites.Selected with a write grant: reads and syncs, warns that writes depend on the grant and webhooks are refused", async () => {
    const h = await start({
      items: sampleItems(1),
      rows: sampleRows(1),
      graphRoles: ["Sites.Selected"],
      sitePermissions: [{ appId: TEST_CLIENT_ID, roles: ["write"] }],
    });
    const report = await checkProfile(h.services, HARNESS_PROFILE, { webhookUrl: WEBHOOK });
    expect(report.ok).toBe(true);
    expect(line(report, "list")?.verdict).toBe("ok");
    expect(line(report, "sharePointWrite")?.verdict).toBe("warn");
    expect(line(report, "webhook")?.verdict).toBe("warn");
  });

  it("GET /api/profiles/{key}/check answers the same report as JSON", async () => {
    const h = await start({ items: sampleItems(2), rows: sampleRows(2) });
    const response = await readResponse(
      await checkProfileHandler(
        get("https://func.example/api/profiles/projects/check", { profileKey: HARNESS_PROFILE }),
        {
          engine: async () => h.services,
          webhookUrl: undefined,
          logger: createMemoryLogger(),
        },
      ),
    );
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ profileKey: HARNESS_PROFILE, ok: true });
    expect(response.json.checks.find((check: CheckLine) => check.id === "webhook")).toMatchObject({ verdict: "skip" });
  });
});

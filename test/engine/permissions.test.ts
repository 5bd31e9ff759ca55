import { describe, expect, it } from "vitest";
import { EMULATOR_ENDPOINTS } from "../../dev/emulators/emulatorEndpoints";
import { SharePointClient } from "../../shared/sharepoint";
import { TEST_CLIENT_ID, TEST_LIST_ID, TEST_SITE_ID } from "../helpers/graphSeed";
import { sampleItems, sampleRows } from "../helpers/syncHarness";
import { harnessPerTest } from "../helpers/syncTestRuns";

/**
 * The Graph emulator answers 403 as the app's application permissions say
 * (docs/emulators.md#graph-permissions-and-content-approval): older live reports show 403 on item writes and on
 * app-only list subscriptions with `Sites.Selected`. Each refusal reaches the operator as GRAPH_FORBIDDEN naming the permission to grant.
 */

const start = harnessPerTest();

describe("permissions", () => {
  it("Sites.Selected without a grant on the site: the run fails before any write, naming what to grant", async () => {
    const h = await start({ items: sampleItems(2), rows: sampleRows(2), graphRoles: ["Sites.Selected"] });
    const run = await h.run();
    const report = run.output as { outcome: string; problem?: { code: string; message: string } };
    expect(report.outcome).toBe("failed");
    expect(report.problem?.code).toBe("GRAPH_FORBIDDEN");
    expect(report.problem?.message).toMatch(/403 accessDenied.*Sites\.Read\.All.*Sites\.Selected with a read grant/);
    expect(h.writes()).toEqual({ graph: [], confluence: [] });
  });

  it("a read-only permission: the item write is refused per item with GRAPH_FORBIDDEN naming Sites.ReadWrite.All", async () => {
    const h = await start({ items: sampleItems(2), rows: sampleRows(2), graphRoles: ["Sites.Read.All"] });
    await h.sync();
    await h.editRows((rows) => rows.map((row) => (row[0] === "1" ? [row[0], row[1]!, "Done", row[3]!] : row)));
    const report = await h.sync();
    expect(report.outcome).toBe("completedWithErrors");
    expect(report.items.find((item) => item.sharePointId === "1")?.errors).toEqual([
      expect.objectContaining({
        code: "GRAPH_FORBIDDEN",
        message: expect.stringContaining("writing list items needs the application permission Sites.ReadWrite.All"),
      }),
    ]);
    expect((await h.listItems()).get("1")?.Status).toBe("Open");
  });

  it("Sites.Selected with a write grant syncs, but may not subscribe to the list: GRAPH_FORBIDDEN naming the permission", async () => {
    const h = await start({
      items: sampleItems(2),
      rows: sampleRows(2),
      graphRoles: ["Sites.Selected"],
      sitePermissions: [{ appId: TEST_CLIENT_ID, roles: ["write"] }],
    });
    await h.sync();
    await h.editRows((rows) => rows.map((row) => (row[0] === "1" ? [row[0], row[1]!, "Done", row[3]!] : row)));
    const report = await h.sync();
    expect(report.items.flatMap((item) => item.errors)).toEqual([]);
    expect((await h.listItems()).get("1")?.Status).toBe("Done");

    const client = await SharePointClient.forProfile(h.profile, h.secrets, {
      subscriptionStore: h.state.subscriptions,
      endpoints: EMULATOR_ENDPOINTS,
    });
    const refused = await client
      .subscriptions!.create(
        h.profile.key,
        { siteId: TEST_SITE_ID, listId: TEST_LIST_ID },
        { notificationUrl: "https://func.example/api/webhooks/sharepoint" },
      )
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "GRAPH_FORBIDDEN", status: 403 });
    expect((refused as Error).message).toContain(
      "subscribing to a list needs the application permission Sites.ReadWrite.All",
    );
    expect(await h.state.subscriptions.listByProfile(h.profile.key)).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { runOrchestrationLocally } from "../../dev/localHost/localDurableHost";
import { syncRegistry } from "../../dev/localHost/localEngine";
import type { RunItemReport } from "../../shared/engine/run/runReport";
import {
  TEST_CLIENT_SECRET as CONFLUENCE_CLIENT_SECRET,
  TEST_REFRESH_TOKEN,
  withoutLocalIds,
} from "../helpers/confluenceSite";
import { TEST_CLIENT_SECRET, TEST_LIST_ID, TEST_SITE_ID } from "../helpers/graphSeed";
import { HARNESS_PROFILE, harnessColumns, type SyncHarness, sampleItems, sampleRows } from "../helpers/syncHarness";
import { expectQuietRun, harnessPerTest } from "../helpers/syncTestRuns";

/**
 * docs/design.md §3 end to end: the real orchestrator and activities against the Graph and Confluence emulators and
 * Azurite. After each scenario a second run must write nothing (echo-free), counted from the emulators' logs.
 */

const start = harnessPerTest();

describe("first sync", () => {
  it("from SharePoint: every item gets a row with its id in the key column", async () => {
    const h = await start({
      items: [
        { id: "1", fields: { Title: "Alpha", Status: "Open", Amount: 10 } },
        { id: "2", fields: { Title: "Beta", Status: "Done", Amount: 2.5 } },
      ],
    });
    const report = await h.sync();
    expect(report.outcome).toBe("completed");
    expect(report.counts.confluence.created).toBe(2);
    expect(h.pageRows()).toEqual([
      ["1", "Alpha", "Open", "10"],
      ["2", "Beta", "Done", "2.5"],
    ]);
    expect(withoutLocalIds(h.pageBody())).toMatch(
      /^<p>Project list \(kept in sync with SharePoint\)<\/p><table>.*<\/table><p>Notes stay as they are.<\/p>$/,
    );
    // The run is on record, and nothing it staged for its activities is left behind.
    expect(await h.state.runs.latest(HARNESS_PROFILE)).toMatchObject({ runId: report.runId, outcome: "completed" });
    expect(await h.state.staging.list({ profileKey: HARNESS_PROFILE, runId: report.runId }, "")).toEqual([]);
    await expectQuietRun(h);
  });

  it("from Confluence: rows without a key become items, and their ids are written back", async () => {
    const h = await start({
      rows: [
        ["", "Alpha", "Open", "10"],
        ["", "Beta", "Doing", "3"],
      ],
    });
    const report = await h.sync();
    expect(report.counts.sharePoint.created).toBe(2);
    const listed = await h.listItems();
    expect([...listed.values()].map((fields) => [fields.Title, fields.Status, fields.Amount])).toEqual([
      ["Alpha", "Open", 10],
      ["Beta", "Doing", 3],
    ]);
    const ids = [...listed.keys()];
    expect(h.pageRows()).toEqual([
      [ids[0], "Alpha", "Open", "10"],
      [ids[1], "Beta", "Doing", "3"],
    ]);
    expect(report.items.map((item) => [item.action, item.sharePointId, item.result])).toEqual([
      ["createInSharePoint", ids[0], "applied"],
      ["createInSharePoint", ids[1], "applied"],
    ]);
    await expectQuietRun(h);
  });

  it("both sides pre-filled: pairs by the id in the key column and by the natural key, duplicating nothing", async () => {
    const h = await start({
      items: sampleItems(4),
      // Rows 1 and 2 carry their ids; 3 and 4 only their titles (and one of them a different amount).
      rows: [
        ["1", "Item 1", "Open", "1"],
        ["2", "Item 2", "Open", "2"],
        ["", "Item 3", "Open", "3"],
        ["", "Item 4", "Open", "40"],
      ],
      profile: { matchBy: { sharePoint: "Title", confluence: "Title" } },
    });
    const report = await h.sync();
    expect(report.counts.sharePoint.created).toBe(0);
    expect(report.counts.confluence.created).toBe(0);
    expect((await h.listItems()).size).toBe(4);
    expect(h.pageRows().map((row) => row[0])).toEqual(["1", "2", "3", "4"]);
    // A pair found without its id agreed on nothing yet: the differing amount is a conflict, nothing overwritten.
    expect(report.counts.conflicts).toBe(1);
    expect(h.rowOf("4")?.Amount).toBe("40");
    expect((await h.listItems()).get("4")?.Amount).toBe(4);
    await expectQuietRun(h);
  });
});

describe("edits", () => {
  async function synced(): Promise<SyncHarness> {
    const h = await start({ items: sampleItems(3), rows: sampleRows(3) });
    await h.sync();
    return h;
  }

  it("different fields of one item edited on both sides: both land", async () => {
    const h = await synced();
    await h.editItem("2", { Status: "Done" });
    await h.editRows((rows) =>
      rows.map((row) => (row[0] === "2" ? [row[0], "Item 2 (renamed)", row[2]!, row[3]!] : row)),
    );
    const report = await h.sync();
    expect(report.counts.sharePoint.updated).toBe(1);
    expect(report.counts.confluence.updated).toBe(1);
    expect((await h.listItems()).get("2")).toMatchObject({ Title: "Item 2 (renamed)", Status: "Done" });
    expect(h.rowOf("2")).toMatchObject({ Title: "Item 2 (renamed)", Status: "Done" });
    await expectQuietRun(h);
  });

  it("the same field edited on both sides: a conflict with both values, nothing overwritten", async () => {
    const h = await synced();
    await h.editItem("1", { Status: "Done" });
    await h.editRows((rows) => rows.map((row) => (row[0] === "1" ? [row[0], row[1]!, "Doing", row[3]!] : row)));
    const report = await h.sync();
    expect(report.counts.conflicts).toBe(1);
    const item = report.items.find((entry) => entry.sharePointId === "1");
    expect(item?.conflicts).toEqual([
      {
        field: "Status",
        cause: "bothChanged",
        resolution: "flagged",
        sharePoint: "Done",
        confluence: "Doing",
        base: "Open",
      },
    ]);
    expect((await h.listItems()).get("1")?.Status).toBe("Done");
    expect(h.rowOf("1")?.Status).toBe("Doing");
    const open = await h.state.conflicts.listOpen(HARNESS_PROFILE);
    expect(open).toMatchObject([
      {
        field: "Status",
        status: "open",
        values: { sharePoint: "Done", confluence: "Doing", base: "Open" },
        resolution: "flagged",
      },
    ]);
    await expectQuietRun(h);

    // A person settles it by making both sides equal: the conflict is resolved, nothing written.
    await h.editRows((rows) => rows.map((row) => (row[0] === "1" ? [row[0], row[1]!, "Done", row[3]!] : row)));
    await expectQuietRun(h);
    expect(await h.state.conflicts.listOpen(HARNESS_PROFILE)).toEqual([]);
  });

  it("sharepoint-wins: the winner is written and the loser kept in the conflict record, resolved once written", async () => {
    const h = await start({
      items: sampleItems(3),
      rows: sampleRows(3),
      profile: { conflictPolicy: "sharepoint-wins" },
    });
    await h.sync();
    await h.editItem("2", { Title: "SharePoint's title" });
    await h.editRows((rows) =>
      rows.map((row) => (row[0] === "2" ? [row[0], "Confluence's title", row[2]!, row[3]!] : row)),
    );
    const report = await h.sync();
    expect(report.items.find((item) => item.sharePointId === "2")?.conflicts).toEqual([
      {
        field: "Title",
        cause: "bothChanged",
        resolution: "sharePoint-won",
        sharePoint: "SharePoint's title",
        confluence: "Confluence's title",
        base: "Item 2",
      },
    ]);
    expect(h.rowOf("2")?.Title).toBe("SharePoint's title");
    expect(await h.state.conflicts.listOpen(HARNESS_PROFILE)).toEqual([]);
    expect(await h.state.conflicts.get(HARNESS_PROFILE, "item 2|Title")).toMatchObject({
      status: "resolved",
      resolution: "sharePoint-won",
      values: { confluence: "Confluence's title" },
    });
    await expectQuietRun(h);
  });

  it("a row added in Confluence after the first sync: the item is created and its id written back", async () => {
    const h = await synced();
    await h.editRows((rows) => [...rows, ["", "Item new", "Doing", "7.25"]]);
    const report = await h.sync();
    expect(report.counts.sharePoint.created).toBe(1);
    const created = [...(await h.listItems()).entries()].find(([, fields]) => fields.Title === "Item new");
    expect(created?.[1]).toMatchObject({ Status: "Doing", Amount: 7.25 });
    expect(h.pageRows().at(-1)).toEqual([created?.[0], "Item new", "Doing", "7.25"]);
    await expectQuietRun(h);
  });

  it("a bad cell value is an item error for that field; the rest of the run syncs", async () => {
    const h = await synced();
    await h.editRows((rows) =>
      rows.map((row) =>
        row[0] === "1"
          ? [row[0], "Item 1 (edited)", row[2]!, "abc"]
          : row[0] === "3"
            ? [row[0], row[1]!, "Done", row[3]!]
            : row,
      ),
    );
    const report = await h.sync();
    expect(report.outcome).toBe("completedWithErrors");
    expect(report.counts.errors).toBe(1);
    const item = report.items.find((entry) => entry.sharePointId === "1") as RunItemReport;
    expect(item.errors).toEqual([
      expect.objectContaining({ field: "Amount", side: "confluence", code: "FIELD_VALUE_INVALID" }),
    ]);
    expect(item.errors[0]?.message).toContain('"abc"');
    const listed = await h.listItems();
    expect(listed.get("1")).toMatchObject({ Title: "Item 1 (edited)", Amount: 1 });
    expect(listed.get("3")?.Status).toBe("Done");
    // The bad cell stays as the person left it, and the next run writes nothing while it is there.
    expect(h.rowOf("1")?.Amount).toBe("abc");
    await expectQuietRun(h);
  });
});

describe("values the other side cannot hold", () => {
  it("are refused per field: the rest of the item is written, the refused field's base stays, and nothing is sent again for it", async () => {
    const h = await start({ items: sampleItems(2), rows: sampleRows(2) });
    await h.sync();
    const long = "x".repeat(300);
    await h.editRows((rows) => rows.map((row) => (row[0] === "1" ? [row[0], long, "Done", row[3]!] : row)));
    const report = await h.sync();
    const item = report.items.find((entry) => entry.sharePointId === "1");
    expect(item?.errors).toEqual([
      expect.objectContaining({ field: "Title", side: "sharePoint", code: "FIELD_VALUE_NOT_REPRESENTABLE" }),
    ]);
    expect((await h.listItems()).get("1")).toMatchObject({ Title: "Item 1", Status: "Done" });
    h.clearCalls();
    const again = await h.sync();
    expect(h.writes()).toEqual({ graph: [], confluence: [] });
    expect(again.items.find((entry) => entry.sharePointId === "1")?.errors).toEqual([
      expect.objectContaining({ field: "Title", code: "FIELD_VALUE_NOT_REPRESENTABLE" }),
    ]);
  });
});

describe("deletes", () => {
  it("policy keep (default): a deletion on one side is not propagated, and nothing is re-created", async () => {
    const h = await start({ items: sampleItems(6), rows: sampleRows(6) });
    await h.sync();
    await h.deleteItem("2");
    await h.editRows((rows) => rows.filter((row) => row[0] !== "5"));
    const report = await h.sync();
    expect(
      report.items.filter((item) => item.action === "keepDeleted").map((item) => [item.sharePointId, item.note]),
    ).toEqual([
      ["2", "deleted in sharePoint"],
      ["5", "deleted in confluence"],
    ]);
    expect(h.rowOf("2")).toBeDefined();
    expect((await h.listItems()).has("5")).toBe(true);
    await expectQuietRun(h);
  });

  it("policy delete: deletions propagate both ways", async () => {
    const h = await start({
      items: sampleItems(10),
      rows: sampleRows(10),
      profile: { deletes: { toConfluence: "delete", toSharePoint: "delete" } },
    });
    await h.sync();
    await h.deleteItem("2");
    await h.editRows((rows) => rows.filter((row) => row[0] !== "5"));
    const report = await h.sync();
    expect(report.counts.sharePoint.deleted).toBe(1);
    expect(report.counts.confluence.deleted).toBe(1);
    expect(h.rowOf("2")).toBeUndefined();
    expect((await h.listItems()).has("5")).toBe(false);
    expect(h.pageRows()).toHaveLength(8);
    await expectQuietRun(h);
  });

  it("delete-vs-edit is a conflict whatever the policy: nothing deleted, nothing re-created", async () => {
    const h = await start({
      items: sampleItems(10),
      rows: sampleRows(10),
      profile: { deletes: { toConfluence: "delete", toSharePoint: "delete" } },
    });
    await h.sync();
    await h.deleteItem("3");
    await h.editRows((rows) => rows.map((row) => (row[0] === "3" ? [row[0], row[1]!, "Done", row[3]!] : row)));
    const report = await h.sync();
    const item = report.items.find((entry) => entry.sharePointId === "3");
    expect(item).toMatchObject({
      action: "deleteConflict",
      conflicts: [{ cause: "deleteVsEdit", deletedIn: "sharePoint", resolution: "flagged" }],
    });
    expect(h.rowOf("3")?.Status).toBe("Done");
    expect((await h.listItems()).has("3")).toBe(false);
    expect(await h.state.conflicts.listOpen(HARNESS_PROFILE)).toMatchObject([{ kind: "deleteVsEdit", field: null }]);
    await expectQuietRun(h);
  });

  it("a run that would delete more than the limit stops before writing anything, state included", async () => {
    const h = await start({
      items: sampleItems(10),
      rows: sampleRows(10),
      profile: { deletes: { toConfluence: "delete", toSharePoint: "delete" }, massDeleteLimitPercent: 20 },
    });
    await h.sync();
    const stateBefore = await h.state.items.load(HARNESS_PROFILE);
    for (const id of ["1", "2", "3"]) await h.deleteItem(id);
    const version = h.pageVersion();
    h.clearCalls();
    const report = await h.sync();
    expect(report.outcome).toBe("stopped");
    expect(report.problem).toMatchObject({ code: "MASS_DELETE_LIMIT" });
    expect(report.problem?.message).toContain("3 of 10 Confluence rows");
    expect(h.writes()).toEqual({ graph: [], confluence: [] });
    expect(h.pageVersion()).toBe(version);
    expect(await h.state.items.load(HARNESS_PROFILE)).toEqual(stateBefore);
    expect((await h.state.runs.latest(HARNESS_PROFILE))?.outcome).toBe("stopped");
  });
});

describe("the scheduled fan-out", () => {
  it("syncs every enabled profile through syncAllProfiles, and skips disabled ones", async () => {
    const h = await start({ items: sampleItems(2) });
    const fanOut = () =>
      runOrchestrationLocally(
        syncRegistry(h.activities),
        "syncAllProfiles",
        { trigger: "schedule" },
        "scheduled-sync",
        // The fan-out's 60-minute deadline becomes 3.6 s: room for a first run (token refresh under the grant's lease,
        // Graph sign-in, column reads) on a busy machine; the test is about which profiles run, not how fast.
        { delayScale: 0.001 },
      );
    const first = await fanOut();
    expect(first.output).toEqual({ profiles: [{ profileKey: HARNESS_PROFILE, outcome: "completed" }] });
    expect(h.pageRows()).toHaveLength(2);
    await h.updateProfile({ enabled: false });
    expect((await fanOut()).output).toEqual({ profiles: [] });
  });
});

describe("runs that cannot start", () => {
  it("an invalid profile (a missing secret) is reported by name and recorded, with nothing read", async () => {
    const h = await start({ items: sampleItems(1) });
    await h.secrets.delete(HARNESS_PROFILE, "GraphClientSecret");
    h.clearCalls();
    const report = await h.sync();
    expect(report.outcome).toBe("invalid");
    expect(report.problem).toMatchObject({
      code: "PROFILE_INVALID",
      message: expect.stringContaining("missing secrets: GraphClientSecret"),
    });
    expect(h.calls()).toEqual({ graph: [], identity: [], confluence: [] });
    expect((await h.state.runs.latest(HARNESS_PROFILE))?.outcome).toBe("invalid");
  });

  it("a page without the profile's table fails the run before any write, with the mapper's code", async () => {
    const h = await start({ items: sampleItems(2), rows: sampleRows(2) });
    await h.savePage("<p>Someone replaced the table with a paragraph.</p>");
    const report = await h.sync();
    expect(report.outcome).toBe("failed");
    expect(report.problem?.code).toBe("TABLE_NOT_FOUND");
    expect(h.writes()).toEqual({ graph: [], confluence: [] });
    expect(await h.state.items.load(HARNESS_PROFILE)).toEqual({ states: [], versions: new Map() });
  });
});

describe("dry run", () => {
  it("writes nothing at all, and plans exactly what the next real run does", async () => {
    const h = await start({
      items: sampleItems(3),
      rows: [
        ["1", "Item 1", "Open", "1"],
        ["", "Row only", "Doing", "5"],
      ],
    });
    const tables = async () => ({
      state: await h.state.items.load(HARNESS_PROFILE),
      cursor: await h.state.cursors.get(HARNESS_PROFILE),
      runs: await h.state.runs.recent(HARNESS_PROFILE),
      conflicts: await h.state.conflicts.listOpen(HARNESS_PROFILE),
    });
    const before = await tables();
    const dry = await h.sync({ dryRun: true });
    expect(dry.outcome).toBe("dryRun");
    expect(h.writes()).toEqual({ graph: [], confluence: [] });
    expect(await tables()).toEqual(before);
    expect(await h.state.staging.list({ profileKey: HARNESS_PROFILE, runId: dry.runId }, "")).toEqual([]);

    const real = await h.sync();
    const decisions = (report: typeof dry) =>
      report.items.map(({ sharePointId, row, action, changes, conflicts, errors }) => ({
        row,
        action,
        changes,
        conflicts,
        errors,
        ...(action === "createInSharePoint" ? {} : { sharePointId }),
      }));
    expect(decisions(real)).toEqual(decisions(dry));
    expect(real.counts).toEqual(dry.counts);
  });
});

describe("reading", () => {
  it("person and date-only columns round-trip both ways, through the site's people and time zone", async () => {
    const h = await start({
      items: [{ id: "1", fields: { Title: "Alpha", OwnerLookupId: "11", Due: "2026-03-01T23:00:00Z" } }],
      headers: ["ID", "Title", "Owner", "Due"],
      profile: {
        sharePoint: { siteId: TEST_SITE_ID, listId: TEST_LIST_ID, timeZone: "Europe/Berlin" },
        fields: [
          { sharePoint: "Title", confluence: "Title" },
          { sharePoint: "Owner", confluence: "Owner" },
          { sharePoint: "Due", confluence: "Due" },
        ],
      },
    });
    await h.sync();
    // Midnight of 2 March in Berlin is 23:00 UTC the day before: the page shows the site's date, not UTC's.
    expect(withoutLocalIds(h.pageBody())).toContain(
      '<td>1</td><td>Alpha</td><td>meganb@contoso.onmicrosoft.com</td><td><time datetime="2026-03-02" /></td>',
    );
    expect(h.graphCalls()).toContain(`GET /v1.0/sites/${TEST_SITE_ID}/lists/User Information List/items 200`);

    await h.editRows((rows) => rows.map((row) => [row[0]!, row[1]!, "AlexW@contoso.onmicrosoft.com", "2026-04-05"]));
    const report = await h.sync();
    expect(report.counts.sharePoint.updated).toBe(1);
    expect((await h.listItems()).get("1")).toMatchObject({ OwnerLookupId: "12", Due: "2026-04-04T22:00:00Z" });
    await expectQuietRun(h);
  });

  it("a lookup column shows the looked-up value and reads a value back to its item id", async () => {
    const clients = "5c1e2b3a-0d4f-4e6a-9b8c-7d6e5f4a3b2c";
    const h = await start({
      columns: [
        ...harnessColumns,
        {
          name: "Client",
          displayName: "Client",
          lookup: { allowMultipleValues: false, columnName: "Title", listId: clients },
        },
      ],
      extraLists: [
        {
          id: clients,
          displayName: "Clients",
          columns: [],
          items: [
            { id: "1", fields: { Title: "Contoso" } },
            { id: "2", fields: { Title: "Fabrikam" } },
          ],
        },
      ],
      items: [{ id: "1", fields: { Title: "Alpha", ClientLookupId: "1" } }],
      headers: ["ID", "Title", "Client"],
      profile: {
        fields: [
          { sharePoint: "Title", confluence: "Title" },
          { sharePoint: "Client", confluence: "Client" },
        ],
      },
    });
    await h.sync();
    expect(h.rowOf("1")?.Client).toBe("Contoso");
    await h.editRows((rows) => rows.map((row) => [row[0]!, row[1]!, "Fabrikam"]));
    await h.sync();
    expect((await h.listItems()).get("1")?.ClientLookupId).toBe("2");
    await expectQuietRun(h);
  });

  it("an expired delta link: the list is enumerated again, and nothing is written for items that did not change", async () => {
    const h = await start({ items: sampleItems(4), rows: sampleRows(4) });
    await h.sync();
    await h.deleteItem("4");
    await fetch(`${h.graph.urls.graphBaseUrl}/_admin/delta/expire`, { method: "POST" });
    h.clearCalls();
    const report = await h.sync();
    expect(h.graphCalls()).toEqual(["GET …/items/delta 410", "GET …/items/delta 200", "GET …/items/4 404"]);
    // A full enumeration reports no deletions; the item missing from it, confirmed by id, is gone (kept on the page by policy).
    expect(report.items.map((item) => [item.sharePointId, item.action])).toEqual([["4", "keepDeleted"]]);
    expect(h.writes()).toEqual({ graph: [], confluence: [] });
    await expectQuietRun(h);
  });

  it("a row keyed with an id the delta never mentioned is read by id (404: no such item), once", async () => {
    const h = await start({ items: sampleItems(2), rows: sampleRows(2) });
    await h.sync();
    await h.editRows((rows) => [...rows, ["99", "Typed by hand", "Open", "1"]]);
    h.clearCalls();
    await h.sync();
    expect(h.graphCalls()).toEqual(["GET …/items/delta 200", "GET …/items/99 404"]);
    expect((await h.listItems()).size).toBe(2);
    expect(h.rowOf("99")?.Title).toBe("Typed by hand");
    h.clearCalls();
    await h.sync();
    expect(h.graphCalls()).toEqual(["GET …/items/delta 200"]);
  });

  it("echo-free against a Confluence that re-serialises what it stores (entities, self-closing tags, macro ids)", async () => {
    const h = await start({
      items: [{ id: "1", fields: { Title: "Fish & Chips <daily>", Status: "Open", Amount: 1.5 } }],
      rows: [["", "Crème brûlée\u00a0for two", "Doing", "2"]],
      confluenceSeed: { storageNormalization: "confluence" },
    });
    const report = await h.sync();
    expect(report.outcome).toBe("completed");
    expect(h.pageRows().map((row) => row[1]?.replace(/\s/g, " "))).toEqual([
      "Crème brûlée for two",
      "Fish & Chips <daily>",
    ]);
    expect([...(await h.listItems()).values()].map((fields) => fields.Title)).toEqual([
      "Fish & Chips <daily>",
      "Crème brûlée for two",
    ]);
    await expectQuietRun(h);
  });

  it("no secret value reaches a log line, a run report, a run record or a conflict", async () => {
    const h = await start({
      items: sampleItems(2),
      rows: [
        ["1", "Item 1", "Done", "1"],
        ["", "Row", "Open", "3"],
      ],
    });
    const report = await h.sync();
    const stored = await h.state.runs.recent(HARNESS_PROFILE);
    const conflicts = await h.state.conflicts.listOpen(HARNESS_PROFILE);
    const everything = JSON.stringify([h.logs.records, report, stored, conflicts]);
    for (const secret of [TEST_CLIENT_SECRET, CONFLUENCE_CLIENT_SECRET, TEST_REFRESH_TOKEN])
      expect(everything).not.toContain(secret);
  });
});

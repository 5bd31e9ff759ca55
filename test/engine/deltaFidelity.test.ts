import { describe, expect, it } from "vitest";
import { sampleItems, sampleRows } from "../helpers/syncHarness";
import { expectQuietRun, harnessPerTest } from "../helpers/syncTestRuns";

/**
 * How the list's change feed really reports deletions (docs/references.md#graph-delta): the documented `deleted`
 * facet, OData's `@removed`, a bare entry without fields, or, observed live, an error object in place of the entry
 * inside a 200 page. None of them may read as "every field empty", which would blank the row's cells.
 */

const start = harnessPerTest();

describe("a deletion in the change feed, whatever its shape", () => {
  for (const shape of ["removed", "deletedFacet", "withoutFields"] as const) {
    it(`${shape}: the item is deleted, never read as an item whose fields are all empty`, async () => {
      const h = await start({
        items: sampleItems(4),
        rows: sampleRows(4),
        graphSettings: { deltaDeletion: shape },
      });
      await h.sync();
      await h.deleteItem("2");
      const report = await h.sync();
      expect(report.items.map((item) => [item.sharePointId, item.action, item.note])).toEqual([
        ["2", "keepDeleted", "deleted in sharePoint"],
      ]);
      // The row keeps what it held: nothing was blanked.
      expect(h.rowOf("2")).toEqual({ ID: "2", Title: "Item 2", Status: "Open", Amount: "2" });
      expect(h.writes()).toEqual({ graph: [], confluence: [] });
      await expectQuietRun(h);
    });
  }

  it("withoutFields: an entry without fields for an item that still exists is read by id and synced", async () => {
    const h = await start({
      items: sampleItems(3),
      rows: sampleRows(3),
      graphSettings: { deltaDeletion: "withoutFields" },
    });
    await h.sync();
    await h.deleteItem("3");
    await h.editItem("1", { Status: "Done" });
    h.clearCalls();
    await h.sync();
    expect(h.graphCalls()).toEqual(["GET …/items/delta 200", "GET …/items/3 404"]);
    expect(h.rowOf("1")?.Status).toBe("Done");
    expect(h.rowOf("3")).toEqual({ ID: "3", Title: "Item 3", Status: "Open", Amount: "3" });
    await expectQuietRun(h);
  });

  it("removed with policy delete: the row is removed", async () => {
    const h = await start({
      items: sampleItems(10),
      rows: sampleRows(10),
      profile: { deletes: { toConfluence: "delete", toSharePoint: "keep" } },
    });
    await h.sync();
    await h.deleteItem("2");
    const report = await h.sync();
    expect(report.counts.confluence.deleted).toBe(1);
    expect(h.rowOf("2")).toBeUndefined();
    expect(h.pageRows()).toHaveLength(9);
    await expectQuietRun(h);
  });
});

describe("an error object inside a 200 page of changes", () => {
  it("restarts the round as a full enumeration instead of failing every run until the link expires", async () => {
    const h = await start({
      items: sampleItems(10),
      rows: sampleRows(10),
      profile: { deletes: { toConfluence: "delete", toSharePoint: "keep" } },
      graphSettings: { deltaDeletion: "errorEntry" },
    });
    await h.sync();
    await h.deleteItem("2");
    await h.editItem("3", { Amount: 30 });
    h.clearCalls();
    const report = await h.sync();
    expect(report.outcome).toBe("completed");
    // The incremental page with the error, then the whole list again; the vanished item is confirmed by id.
    expect(h.graphCalls().slice(0, 2)).toEqual(["GET …/items/delta 200", "GET …/items/delta 200"]);
    expect(h.rowOf("2")).toBeUndefined();
    expect(h.rowOf("3")?.Amount).toBe("30");
    // The fresh link serves the next runs: no change, nothing read twice.
    h.clearCalls();
    await expectQuietRun(h);
    expect(h.graphCalls()).toEqual(["GET …/items/delta 200"]);
  });
});

describe("items the app cannot see are not deleted items", () => {
  const expireDeltaLinks = (h: { graph: { urls: { graphBaseUrl: string } } }) =>
    fetch(`${h.graph.urls.graphBaseUrl}/_admin/delta/expire`, { method: "POST" });

  it("after a full enumeration, an item hidden by content approval keeps its row and is reported", async () => {
    const h = await start({
      items: sampleItems(10),
      rows: sampleRows(10),
      contentApproval: true,
      profile: { deletes: { toConfluence: "delete", toSharePoint: "keep" } },
    });
    await h.sync();
    // A person's edit leaves the item pending approval: hidden from an app without Sites.Manage.All.
    await h.editItem("3", { Amount: 33 });
    await expireDeltaLinks(h);
    h.clearCalls();
    const report = await h.sync();
    expect(h.graphCalls()).toEqual(["GET …/items/delta 410", "GET …/items/delta 200", "GET …/items/3 404"]);
    expect(h.rowOf("3")).toEqual({ ID: "3", Title: "Item 3", Status: "Open", Amount: "3" });
    expect(report.counts.confluence.deleted).toBe(0);
    expect(report.items).toContainEqual(
      expect.objectContaining({
        sharePointId: "3",
        action: "skip",
        errors: [
          expect.objectContaining({ code: "ITEM_NOT_VISIBLE", message: expect.stringContaining("Sites.Manage.All") }),
        ],
      }),
    );
    // Once approved, the edit shows in the changes and reaches the page.
    await h.editItem("3", {}, { moderationStatus: 0 });
    await h.sync();
    expect(h.rowOf("3")?.Amount).toBe("33");
    await expectQuietRun(h);
  });

  it("an app with Sites.Manage.All sees the pending item, and syncs it", async () => {
    const h = await start({
      items: sampleItems(10),
      rows: sampleRows(10),
      contentApproval: true,
      graphRoles: ["Sites.Manage.All"],
    });
    await h.sync();
    await h.editItem("3", { Amount: 33 });
    await expireDeltaLinks(h);
    const report = await h.sync();
    expect(report.items.flatMap((item) => item.errors)).toEqual([]);
    expect(h.rowOf("3")?.Amount).toBe("33");
  });

  it("without content approval, an item missing from a full enumeration is confirmed gone by id before its row is removed", async () => {
    const h = await start({
      items: sampleItems(10),
      rows: sampleRows(10),
      profile: { deletes: { toConfluence: "delete", toSharePoint: "keep" } },
    });
    await h.sync();
    await h.deleteItem("4");
    await expireDeltaLinks(h);
    h.clearCalls();
    const report = await h.sync();
    expect(h.graphCalls()).toEqual(["GET …/items/delta 410", "GET …/items/delta 200", "GET …/items/4 404"]);
    expect(report.counts.confluence.deleted).toBe(1);
    expect(h.rowOf("4")).toBeUndefined();
    await expectQuietRun(h);
  });
});

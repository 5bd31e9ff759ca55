import { afterEach, describe, expect, it } from "vitest";
import {
  PAGES_PROFILE,
  PARENT_ID,
  type PagesHarness,
  sampleCustomers,
  startPagesHarness,
  statusMacro,
  templateBody,
} from "../../helpers/pagesHarness";

let harness: PagesHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("pages mode: a first sync", () => {
  it("creates one page per item from the template, links it three ways and writes the id back", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(3) });
    const report = await harness.sync();
    expect(report.outcome, JSON.stringify(report, null, 1)).toBe("completed");
    expect(report.counts.confluence.created).toBe(3);
    const pages = harness.childPages();
    expect(pages).toHaveLength(3);
    const items = await harness.items();
    for (const [id, fields] of items) {
      const page = harness.pageOfItem(id);
      expect(page, `item ${id} has a page`).toBeDefined();
      expect(fields.ConfluencePageId).toBe(page?.id);
      expect(Number(page?.id)).toBeGreaterThan(2 ** 31);
      expect(harness.blockValues(page!.id)).toMatchObject({
        Customer: fields.Title,
        Status: fields.Status,
        Amount: String(fields.Amount),
      });
    }
    const page1 = harness.pageOfItem("1")!;
    expect(page1.parentId).toBe(PARENT_ID);
    expect(harness.pageBody(page1.id)).toContain("the sync never touches them");
  });

  it("then costs one delta call and one feed call when nothing changed", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(3) });
    await harness.sync();
    await harness.sync();
    harness.clearCalls();
    const report = await harness.sync();
    expect(report.outcome).toBe("completed");
    expect(harness.confluenceCalls()).toEqual([expect.stringMatching(/^GET \/rest\/api\/search 200$/)]);
    expect(harness.graphCalls()).toEqual([expect.stringMatching(/^GET .*items\/delta.* 200$/)]);
  });
});

describe("pages mode: edits", () => {
  it("carries an item's edit to its page and a page's edit to its item, each field its own way", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(3) });
    await harness.sync();
    const page = harness.pageOfItem("2")!;
    await harness.editItem("2", { Amount: 2500 });
    await harness.editBlock(page.id, { Status: `<p>${statusMacro("Blocked", "Red")}</p>` });
    const report = await harness.sync();
    expect(report.outcome, JSON.stringify(report, null, 1)).toBe("completed");
    expect(harness.blockValues(page.id)).toMatchObject({ Amount: "2500", Status: "Blocked" });
    expect((await harness.item("2"))?.Status).toBe("Blocked");
    harness.clearCalls();
    const quiet = await harness.sync();
    expect(quiet.counts.confluence.updated + quiet.counts.sharePoint.updated).toBe(0);
  });
});

describe("pages mode: gates", () => {
  it("holds an item's edits while its SharePoint gate is closed, and sends them when it opens", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(2) });
    await harness.sync();
    const page = harness.pageOfItem("1")!;
    await harness.editItem("1", { Amount: 1111, SyncTracker: false });
    const held = await harness.sync();
    expect(harness.blockValues(page.id).Amount).toBe("1000");
    expect(held.items).toEqual([expect.objectContaining({ sharePointId: "1", action: "held" })]);
    await harness.sync();
    expect(harness.blockValues(page.id).Amount).toBe("1000");
    await harness.editItem("1", { SyncTracker: true });
    await harness.sync();
    expect(harness.blockValues(page.id).Amount).toBe("1111");
    expect((await harness.item("1"))?.SyncTracker).toBe(true);
  });

  it("holds a page's edits while its Confluence gate is closed, and never copies a gate across", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(2) });
    await harness.sync();
    const page = harness.pageOfItem("2")!;
    await harness.editBlock(page.id, { Amount: "<p>2222</p>", "Sync to SharePoint": "<p>No</p>" });
    await harness.sync();
    expect((await harness.item("2"))?.Amount).toBe(2000);
    expect((await harness.item("2"))?.SyncTracker).toBe(true);
    await harness.editBlock(page.id, { "Sync to SharePoint": "<p>Yes</p>" });
    await harness.sync();
    expect((await harness.item("2"))?.Amount).toBe(2222);
  });

  it("keeps an open conflict open while the gate holds its winner's page write, and writes it once the gate opens", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(2), profile: { conflictPolicy: "sharepoint-wins" } });
    await harness.sync();
    const page = harness.pageOfItem("1")!;
    await harness.editItem("1", { Amount: 11 });
    await harness.editBlock(page.id, { Amount: "<p>22</p>" });
    // The winning write (SharePoint's 11 onto the page) fails: the conflict stays open, as it should.
    await harness.confluenceFault({ method: "PUT", path: `/pages/${page.id}$`, status: 400, times: 1 });
    await harness.sync();
    const id = "item 1|Amount";
    expect(harness.blockValues(page.id).Amount).toBe("22");
    expect(await harness.state.conflicts.get(PAGES_PROFILE, id)).toMatchObject({
      status: "open",
      resolution: "sharePoint-won",
    });
    // The item's gate closes: the page write is held, so nothing ends the conflict.
    await harness.editItem("1", { SyncTracker: false });
    await harness.sync();
    expect(harness.blockValues(page.id).Amount).toBe("22");
    expect((await harness.state.conflicts.get(PAGES_PROFILE, id))?.status).toBe("open");
    await harness.editItem("1", { SyncTracker: true });
    await harness.sync();
    expect(harness.blockValues(page.id).Amount).toBe("11");
    expect((await harness.state.conflicts.get(PAGES_PROFILE, id))?.status).toBe("resolved");
  });

  it("creates no page for an item whose SharePoint gate is closed, until it opens", async () => {
    harness = await startPagesHarness({
      items: [...sampleCustomers(1), { id: "2", fields: { Title: "Gated", SyncTracker: false } }],
    });
    await harness.sync();
    expect(harness.childPages()).toHaveLength(1);
    await harness.editItem("2", { SyncTracker: true });
    await harness.sync();
    expect(harness.pageOfItem("2")).toBeDefined();
  });
});

describe("pages mode: conflicts, clearing, copies and the trash", () => {
  it("flags a field both sides changed differently and writes neither", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(1) });
    await harness.sync();
    const page = harness.pageOfItem("1")!;
    await harness.editItem("1", { Amount: 5 });
    await harness.editBlock(page.id, { Amount: "<p>6</p>" });
    const report = await harness.sync();
    expect(report.items[0]?.conflicts).toEqual([expect.objectContaining({ field: "Amount", resolution: "flagged" })]);
    expect((await harness.item("1"))?.Amount).toBe(5);
    expect(harness.blockValues(page.id).Amount).toBe("6");
  });

  it("clears a value on the other side, showing the template's placeholder again", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(1) });
    await harness.sync();
    const page = harness.pageOfItem("1")!;
    await harness.editItem("1", { Amount: null });
    await harness.sync();
    expect(harness.pageBody(page.id)).toContain("<ac:placeholder>Contract value</ac:placeholder>");
    await harness.editBlock(page.id, { Status: "<p />" });
    await harness.sync();
    expect((await harness.item("1"))?.Status ?? null).toBeNull();
    const quiet = await harness.sync();
    expect(quiet.items).toEqual([]);
  });

  it("reports a copied page once and never syncs it", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(1) });
    await harness.sync();
    const page = harness.pageOfItem("1")!;
    const copy = await harness.copyPage(page.id, "Customer 1 (copy)");
    const report = await harness.sync();
    expect(report.items).toEqual([
      expect.objectContaining({ action: "skip", errors: [expect.objectContaining({ code: "PAGE_COPY" })] }),
    ]);
    await harness.editBlock(copy, { Amount: "<p>9</p>" });
    await harness.editItem("1", { Amount: 1234 });
    await harness.sync();
    expect((await harness.item("1"))?.Amount).toBe(1234);
    expect(harness.blockValues(page.id).Amount).toBe("1234");
    expect(harness.blockValues(copy).Amount).toBe("9");
  });

  it("unlinks an item whose page is trashed (never deletes it), and pairs it again when the page comes back", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(2), target: { sweepEveryMinutes: 5 } });
    await harness.sync();
    const page = harness.pageOfItem("1")!;
    await harness.trashPage(page.id);
    // A trashed page leaves the search: the sweep sees it go.
    harness.advance(6 * 60);
    const report = await harness.sync();
    expect(report.items).toEqual([expect.objectContaining({ sharePointId: "1", action: "keepDeleted" })]);
    expect(await harness.item("1")).toBeDefined();
    // Unlinked: no second page is made for the item, whatever happens to it meanwhile.
    await harness.editItem("1", { Amount: 7 });
    await harness.sync();
    expect(harness.childPages()).toHaveLength(1);
    await harness.restorePage(page.id);
    const back = await harness.sync();
    expect(back.items).toEqual([expect.objectContaining({ sharePointId: "1", action: "pair" })]);
    // Paired as on a first sync: the sides differ on Amount, which is a conflict to settle, never a silent overwrite.
    expect(back.items[0]?.conflicts).toEqual([expect.objectContaining({ field: "Amount", cause: "noBase" })]);
    expect(harness.childPages()).toHaveLength(2);
  });

  it("a trashed page against an edited item is a delete-versus-edit conflict: nothing deleted", async () => {
    harness = await startPagesHarness({
      items: sampleCustomers(1),
      profile: { deletes: { toConfluence: "keep", toSharePoint: "delete" } },
    });
    await harness.sync();
    await harness.trashPage(harness.pageOfItem("1")!.id);
    await harness.editItem("1", { Amount: 7 });
    const report = await harness.sync();
    expect(report.items).toEqual([expect.objectContaining({ sharePointId: "1", action: "deleteConflict" })]);
    expect(await harness.item("1")).toBeDefined();
  });

  it("deletes the item of a trashed page when the profile opts in and the item is unchanged", async () => {
    harness = await startPagesHarness({
      items: sampleCustomers(5),
      profile: { deletes: { toConfluence: "delete", toSharePoint: "delete" }, massDeleteLimitPercent: 50 },
    });
    await harness.sync();
    await harness.trashPage(harness.pageOfItem("1")!.id);
    harness.advance(61 * 60);
    const report = await harness.sync();
    expect(report.items).toEqual([
      expect.objectContaining({ sharePointId: "1", action: "deleteInSharePoint", result: "applied" }),
    ]);
    expect(await harness.item("1")).toBeUndefined();
    await harness.deleteItem("2");
    const second = await harness.sync();
    expect(second.items).toEqual([expect.objectContaining({ sharePointId: "2", action: "removeFromConfluence" })]);
    expect(harness.childPages()).toHaveLength(3);
  });

  it("after a full enumeration, keeps the page of an item hidden by content approval and reports it", async () => {
    harness = await startPagesHarness({
      items: sampleCustomers(4),
      contentApproval: true,
      profile: { deletes: { toConfluence: "delete", toSharePoint: "keep" } },
    });
    await harness.sync();
    const page = harness.pageOfItem("3")!;
    // A person's edit leaves the item pending approval, hidden from an app without Sites.Manage.All; the delta
    // link expires, so the next run enumerates the whole list and item 3 is not in it.
    await harness.editItem("3", { Amount: 33 });
    await fetch(`${harness.graph.urls.graphBaseUrl}/_admin/delta/expire`, { method: "POST" });
    const report = await harness.sync();
    expect(report.counts.confluence.deleted).toBe(0);
    expect(harness.pageOfItem("3")?.id).toBe(page.id);
    expect(harness.childPages()).toHaveLength(4);
    expect(report.items).toContainEqual(
      expect.objectContaining({
        sharePointId: "3",
        errors: [expect.objectContaining({ code: "ITEM_NOT_VISIBLE" })],
      }),
    );
  });

  it("reports a page under the parent that is linked to no item, and leaves it alone", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(1) });
    await harness.sync();
    await harness.createPage("Someone's notes", "<p>not a customer</p>");
    const report = await harness.sync();
    expect(report.items).toEqual([
      expect.objectContaining({ errors: [expect.objectContaining({ code: "PAGE_UNLINKED" })] }),
    ]);
    expect(report.outcome).toBe("completed");
  });

  it("makes a malformed item page that item's error and goes on with the rest", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(2) });
    await harness.sync();
    const page = harness.pageOfItem("1")!;
    await harness.savePage(page.id, "<p>the table is gone</p>");
    await harness.editItem("1", { Amount: 1 });
    await harness.editItem("2", { Amount: 2 });
    const report = await harness.sync();
    expect(report.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          sharePointId: "1",
          action: "error",
          errors: [expect.objectContaining({ code: "BLOCK_NOT_FOUND" })],
        }),
      ]),
    );
    expect(harness.blockValues(harness.pageOfItem("2")!.id).Amount).toBe("2");
  });
});

describe("pages mode: moving in from the .NET service", () => {
  it("pairs existing pages by the page id column, writes the link property, and changes nothing else", async () => {
    harness = await startPagesHarness({
      items: [
        {
          id: "1",
          fields: {
            Title: "Contoso",
            Status: "At risk",
            Amount: 10,
            SyncTracker: true,
            ConfluencePageId: "4231790700",
          },
        },
      ],
      pages: [
        {
          id: "4231790700",
          spaceId: "3777855545",
          parentId: PARENT_ID,
          title: "Contoso",
          body: templateBody()
            .replace("<ac:placeholder>The customer's name</ac:placeholder>", "Contoso")
            .replace(
              /<ac:structured-macro ac:name="status".*?<\/ac:structured-macro>/,
              statusMacro("At risk", "Yellow"),
            )
            .replace("<ac:placeholder>Contract value</ac:placeholder>", "10"),
        },
      ],
    });
    const report = await harness.sync();
    expect(report.outcome, JSON.stringify(report.items)).toBe("completed");
    expect(harness.childPages()).toHaveLength(1);
    expect(harness.pageOfItem("1")?.id).toBe("4231790700");
    expect(harness.pageVersion("4231790700")).toBe(1);
  });
});

describe("pages mode: pages without a link", () => {
  const customerPage = (id: string, name: string, amount: string) => ({
    id,
    spaceId: "3777855545",
    parentId: PARENT_ID,
    title: `${name} ${id}`,
    body: templateBody()
      .replace("<ac:placeholder>The customer's name</ac:placeholder>", name)
      .replace("<ac:placeholder>Contract value</ac:placeholder>", amount),
  });

  it("are adopted by matchBy one to one, never by equal values, and an ambiguous key pairs and creates nothing", async () => {
    harness = await startPagesHarness({
      items: [
        { id: "1", fields: { Title: "Contoso", Amount: 10, SyncTracker: true } },
        { id: "2", fields: { Title: "Fabrikam", Amount: 20, SyncTracker: true } },
        { id: "3", fields: { Title: "Northwind", Amount: 30, SyncTracker: true } },
      ],
      pages: [
        customerPage("4231790701", "Contoso", "11"),
        customerPage("4231790702", "Fabrikam", "20"),
        customerPage("4231790703", "Fabrikam", "20"),
      ],
      profile: { matchBy: { sharePoint: "Title", confluence: "Customer" } },
    });
    const report = await harness.sync();
    expect(harness.pageOfItem("1")?.id).toBe("4231790701");
    // Adopted as a first pairing: the differing Amount is a conflict, not an overwrite.
    expect(report.items.find((item) => item.sharePointId === "1")?.conflicts).toEqual([
      expect.objectContaining({ field: "Amount", cause: "noBase" }),
    ]);
    expect(report.items.find((item) => item.sharePointId === "2")?.errors).toEqual([
      expect.objectContaining({ code: "AMBIGUOUS_MATCH" }),
    ]);
    expect(harness.pageOfItem("2")).toBeUndefined();
    // Northwind had no page: it gets one.
    expect(harness.pageOfItem("3")).toBeDefined();
    expect(harness.childPages()).toHaveLength(4);
    expect((await harness.item("1"))?.ConfluencePageId).toBe("4231790701");
  });
});

describe("pages mode: a dry run", () => {
  it("plans the first sync's creates and writes nothing at all, its own state included", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(2) });
    harness.clearCalls();
    const report = await harness.sync({ dryRun: true });
    expect(report.outcome).toBe("dryRun");
    expect(report.items.map((item) => [item.sharePointId, item.action, item.result])).toEqual([
      ["1", "appendToConfluence", "planned"],
      ["2", "appendToConfluence", "planned"],
    ]);
    expect(harness.childPages()).toEqual([]);
    expect(harness.confluenceCalls().filter((call) => !call.startsWith("GET"))).toEqual([]);
    expect(harness.graphCalls().filter((call) => !call.startsWith("GET"))).toEqual([]);
    expect(await harness.state.cursors.get(harness.profile.key)).toBeUndefined();
    expect(await harness.state.pageLinks.items(harness.profile.key, ["1", "2"])).toEqual(new Map());
    const real = await harness.sync();
    expect(real.counts.confluence.created).toBe(2);
  });
});

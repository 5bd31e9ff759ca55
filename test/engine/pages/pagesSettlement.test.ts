import { afterEach, describe, expect, it } from "vitest";
import { type SettleRequest, settleConflicts } from "../../../shared/engine/conflictSettling";
import { PAGES_PROFILE, type PagesHarness, sampleCustomers, startPagesHarness } from "../../helpers/pagesHarness";

/**
 * Settling a pages profile's conflict (docs/design.md#37-settling-conflicts) works as in table mode: the next run
 * plans the settled item with its page even when neither side changed since, writes the chosen value where it is
 * missing, and marks the settlement applied; a gate that holds the write keeps it pending; a newer edit re-opens it.
 */

let harness: PagesHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const CONFLICT = "item 1|Amount";

/** Two customers in sync, then item 1's Amount edited to 11 in the list and to 22 on its page: one open conflict. */
async function conflicted(): Promise<{ h: PagesHarness; pageId: string }> {
  const h = await startPagesHarness({ items: sampleCustomers(2) });
  harness = h;
  await h.sync();
  const pageId = h.pageOfItem("1")!.id;
  await h.editItem("1", { Amount: 11 });
  await h.editBlock(pageId, { Amount: "<p>22</p>" });
  const report = await h.sync();
  expect(report.counts.conflicts).toBe(1);
  expect((await h.state.conflicts.listOpen(PAGES_PROFILE)).map((entry) => entry.id)).toEqual([CONFLICT]);
  return { h, pageId };
}

const settle = (h: PagesHarness, take: SettleRequest["take"], value?: string) =>
  settleConflicts(h.services, {
    profileKey: PAGES_PROFILE,
    target: { kind: "one", id: CONFLICT },
    take,
    ...(value === undefined ? {} : { value }),
    by: "ada@contoso.com",
    via: "cli",
  });

const writes = (calls: string[]) => calls.filter((call) => !call.startsWith("GET"));

describe("settling a pages profile's conflicts", () => {
  it("takes SharePoint's value: the next run writes it to the page alone, closes the conflict, then is quiet", async () => {
    const { h, pageId } = await conflicted();
    await settle(h, "sharePoint");
    h.clearCalls();
    const report = await h.sync();
    expect(h.blockValues(pageId).Amount).toBe("11");
    expect((await h.item("1"))?.Amount).toBe(11);
    expect(writes(h.graphCalls())).toEqual([]);
    expect(report.counts.conflicts).toBe(0);
    expect(report.items.find((item) => item.sharePointId === "1")).toMatchObject({
      settlements: [{ field: "Amount", conflictId: CONFLICT, outcome: "applied", writtenTo: ["confluence"] }],
    });
    expect(await h.state.conflicts.listOpen(PAGES_PROFILE)).toEqual([]);
    expect(await h.state.conflicts.get(PAGES_PROFILE, CONFLICT)).toMatchObject({
      status: "resolved",
      settlement: { by: "ada@contoso.com", state: "applied", appliedByRun: report.runId },
    });
    h.clearCalls();
    await h.sync();
    expect([...writes(h.confluenceCalls()), ...writes(h.graphCalls())]).toEqual([]);
  });

  it("takes Confluence's value: the item is updated, the page is not", async () => {
    const { h, pageId } = await conflicted();
    const version = h.pageVersion(pageId);
    await settle(h, "confluence");
    await h.sync();
    expect((await h.item("1"))?.Amount).toBe(22);
    expect(h.pageVersion(pageId)).toBe(version);
    expect((await h.state.conflicts.get(PAGES_PROFILE, CONFLICT))?.settlement?.state).toBe("applied");
  });

  it("takes a typed value, read like a cell: written to both sides in one run", async () => {
    const { h, pageId } = await conflicted();
    await settle(h, "value", "33");
    await h.sync();
    expect((await h.item("1"))?.Amount).toBe(33);
    expect(h.blockValues(pageId).Amount).toBe("33");
    expect(await h.state.conflicts.listOpen(PAGES_PROFILE)).toEqual([]);
  });

  it("stays pending while the item's SharePoint gate holds the page write, and applies once it opens", async () => {
    const { h, pageId } = await conflicted();
    await h.editItem("1", { SyncTracker: false });
    await settle(h, "sharePoint");
    await h.sync();
    expect(h.blockValues(pageId).Amount).toBe("22");
    expect(await h.state.conflicts.get(PAGES_PROFILE, CONFLICT)).toMatchObject({
      status: "open",
      settlement: { state: "pending" },
    });
    await h.editItem("1", { SyncTracker: true });
    await h.sync();
    expect(h.blockValues(pageId).Amount).toBe("11");
    expect(await h.state.conflicts.get(PAGES_PROFILE, CONFLICT)).toMatchObject({
      status: "resolved",
      settlement: { state: "applied" },
    });
  });

  it("re-opens the conflict when someone edits a side after it was settled; nothing of the choice is written", async () => {
    const { h, pageId } = await conflicted();
    await settle(h, "sharePoint");
    await h.editBlock(pageId, { Amount: "<p>44</p>" });
    await h.sync();
    expect(h.blockValues(pageId).Amount).toBe("44");
    expect((await h.item("1"))?.Amount).toBe(11);
    const entry = await h.state.conflicts.get(PAGES_PROFILE, CONFLICT);
    expect(entry).toMatchObject({ status: "open", reopened: { reason: expect.stringContaining("Confluence") } });
    expect(entry?.settlement).toBeUndefined();
  });

  it("refuses a delete-vs-edit conflict for now, saying what to do by hand", async () => {
    const h = await startPagesHarness({ items: sampleCustomers(2) });
    harness = h;
    await h.sync();
    const pageId = h.pageOfItem("1")!.id;
    await h.deleteItem("1");
    await h.editBlock(pageId, { Amount: "<p>22</p>" });
    await h.sync();
    const [open] = await h.state.conflicts.listOpen(PAGES_PROFILE);
    expect(open).toMatchObject({ kind: "deleteVsEdit" });
    const refused = await settleConflicts(h.services, {
      profileKey: PAGES_PROFILE,
      target: { kind: "one", id: open!.id },
      take: "sharePoint",
      by: "ada",
      via: "cli",
    }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "CONFLICT_NOT_SETTLEABLE" });
    expect((refused as Error).message).toMatch(
      /pages-mode profile cannot settle it yet: restore or delete the survivor by hand/,
    );
  });
});

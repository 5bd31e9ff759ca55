import { afterEach, describe, expect, it } from "vitest";
import { settleConflicts } from "../../shared/engine/conflictSettling";
import { HARNESS_PROFILE, harnessColumns, type SyncHarness, startSyncHarness } from "../helpers/syncHarness";

/** Gates in table mode (docs/pages-mode.md §5): a yes/no column per item, a table column per row. */

let harness: SyncHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const headers = ["ID", "Title", "Status", "Amount", "Sync"];

async function start(): Promise<SyncHarness> {
  return startSyncHarness({
    columns: [...harnessColumns, { name: "Gate", displayName: "Gate", boolean: {} }],
    headers,
    items: [
      { id: "1", fields: { Title: "One", Status: "Open", Amount: 1, Gate: true } },
      { id: "2", fields: { Title: "Two", Status: "Open", Amount: 2, Gate: true } },
    ],
    rows: [
      ["1", "One", "Open", "1", "Yes"],
      ["2", "Two", "Open", "2", "Yes"],
    ],
    profile: { gates: { sharePoint: "Gate", confluence: "Sync" } },
  });
}

describe("table mode: gates", () => {
  it("holds an item's changes back from its row while the item's gate is closed, and sends them when it opens", async () => {
    harness = await start();
    await harness.sync();
    await harness.editItem("1", { Amount: 10, Gate: false });
    await harness.sync();
    expect(harness.rowOf("1")?.Amount).toBe("1");
    // A later run that does not see the item again still knows its gate is closed.
    await harness.editItem("2", { Amount: 20 });
    await harness.sync();
    expect(harness.rowOf("1")?.Amount).toBe("1");
    expect(harness.rowOf("2")?.Amount).toBe("20");
    await harness.editItem("1", { Gate: true });
    await harness.sync();
    expect(harness.rowOf("1")?.Amount).toBe("10");
  });

  it("holds a row's changes back from its item while the row's gate is closed, and creates no item from a closed new row", async () => {
    harness = await start();
    await harness.sync();
    await harness.editRows((rows) => [["1", "One", "Done", "1", "No"], rows[1]!, ["", "Three", "Open", "3", "No"]]);
    await harness.sync();
    const items = await harness.listItems();
    expect(items.get("1")?.Status).toBe("Open");
    expect(items.size).toBe(2);
    await harness.editRows((rows) => rows.map((row) => [...row.slice(0, 4), "Yes"]));
    await harness.sync();
    const after = await harness.listItems();
    expect(after.get("1")?.Status).toBe("Done");
    expect(after.size).toBe(3);
    // The gate is never copied: the item's own gate stayed as it was.
    expect(after.get("1")?.Gate).toBe(true);
  });

  it("keeps a settlement pending while the item's gate holds its write, and applies it once the gate opens", async () => {
    harness = await start();
    await harness.sync();
    await harness.editItem("1", { Amount: 10 });
    await harness.editRows((rows) => [["1", "One", "Open", "11", "Yes"], rows[1]!]);
    await harness.sync();
    const id = "item 1|Amount";
    expect((await harness.state.conflicts.get(HARNESS_PROFILE, id))?.status).toBe("open");
    await harness.editItem("1", { Gate: false });
    await settleConflicts(harness.services, {
      profileKey: HARNESS_PROFILE,
      target: { kind: "one", id },
      take: "sharePoint",
      by: "ada@contoso.com",
      via: "cli",
    });
    // Another row's change makes the page update happen: the held row must not count as written.
    await harness.editItem("2", { Amount: 20 });
    const held = await harness.sync();
    expect(harness.rowOf("1")?.Amount).toBe("11");
    expect(harness.rowOf("2")?.Amount).toBe("20");
    expect(await harness.state.conflicts.get(HARNESS_PROFILE, id)).toMatchObject({
      status: "open",
      settlement: { state: "pending" },
    });
    expect(held.items.find((item) => item.sharePointId === "1")?.settlements).toEqual([
      expect.objectContaining({ outcome: "held" }),
    ]);
    await harness.editItem("1", { Gate: true });
    await harness.sync();
    expect(harness.rowOf("1")?.Amount).toBe("10");
    expect(await harness.state.conflicts.get(HARNESS_PROFILE, id)).toMatchObject({
      status: "resolved",
      settlement: { state: "applied" },
    });
  });
});

describe("table mode: a gate holding the winner of an open conflict", () => {
  it("keeps the conflict open while the gate holds the winning write, and writes it once the gate opens", async () => {
    harness = await startSyncHarness({
      columns: [...harnessColumns, { name: "Gate", displayName: "Gate", boolean: {} }],
      headers,
      items: [{ id: "1", fields: { Title: "One", Status: "Open", Amount: 1, Gate: true } }],
      rows: [["1", "One", "Open", "1", "Yes"]],
      profile: { gates: { sharePoint: "Gate", confluence: "Sync" }, conflictPolicy: "confluence-wins" },
    });
    await harness.sync();
    await harness.editItem("1", { Amount: 10 });
    await harness.editRows(() => [["1", "One", "Open", "11", "Yes"]]);
    // The winning write (Confluence's 11 into the item) fails: the conflict stays open, as it should.
    await harness.graphFault({ method: "PATCH", path: "/items/1/fields$", status: 400, times: 1 });
    await harness.sync();
    const id = "item 1|Amount";
    expect((await harness.listItems()).get("1")?.Amount).toBe(10);
    expect(await harness.state.conflicts.get(HARNESS_PROFILE, id)).toMatchObject({
      status: "open",
      resolution: "confluence-won",
    });
    // The row's gate closes: the winner's write toward SharePoint is held, so nothing ends the conflict.
    await harness.editRows(() => [["1", "One", "Open", "11", "No"]]);
    await harness.sync();
    expect((await harness.listItems()).get("1")?.Amount).toBe(10);
    expect((await harness.state.conflicts.get(HARNESS_PROFILE, id))?.status).toBe("open");
    // Once it opens, the value flows and only then is the conflict resolved.
    await harness.editRows(() => [["1", "One", "Open", "11", "Yes"]]);
    await harness.sync();
    expect((await harness.listItems()).get("1")?.Amount).toBe(11);
    expect((await harness.state.conflicts.get(HARNESS_PROFILE, id))?.status).toBe("resolved");
  });
});

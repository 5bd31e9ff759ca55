import { describe, expect, it } from "vitest";
import { type SettleRequest, settleConflicts } from "../../shared/engine/conflictSettling";
import { SettlementRefused } from "../../shared/engine/settlementRefused";
import { HARNESS_PROFILE, type SyncHarness, sampleItems, sampleRows } from "../helpers/syncHarness";
import { expectQuietRun, harnessPerTest } from "../helpers/syncTestRuns";

/**
 * Settling a conflict end to end (docs/operations.md#settling-conflicts): recorded with who and what, applied by the
 * next run of the real orchestrator against the emulators, or re-opened when someone edited a side since.
 */

const start = harnessPerTest();

/** Three items in sync, then item `id`'s Status edited to `sharePoint` in the list and `confluence` on the page. */
async function conflicted(pairs: Record<string, [string, string]> = { "1": ["Done", "Doing"] }): Promise<SyncHarness> {
  const h = await start({ items: sampleItems(3), rows: sampleRows(3) });
  await h.sync();
  for (const [id, [sharePoint, confluence]] of Object.entries(pairs)) {
    await h.editItem(id, { Status: sharePoint });
    await h.editRows((rows) => rows.map((row) => (row[0] === id ? [row[0], row[1]!, confluence, row[3]!] : row)));
  }
  const report = await h.sync();
  expect(report.counts.conflicts).toBe(Object.keys(pairs).length);
  return h;
}

const settle = (h: SyncHarness, request: Partial<SettleRequest> & Pick<SettleRequest, "take">) =>
  settleConflicts(h.services, {
    profileKey: HARNESS_PROFILE,
    target: { kind: "one", id: "item 1|Status" },
    by: "ada@contoso.com",
    via: "cli",
    ...request,
  });

async function refusal(promise: Promise<unknown>): Promise<SettlementRefused> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SettlementRefused);
  return error as SettlementRefused;
}

describe("settling a conflict", () => {
  it("records who took which value, and the next run writes it where it was missing, then is quiet", async () => {
    const h = await conflicted();
    const { settled } = await settle(h, { take: "sharePoint" });
    expect(settled[0]?.settlement).toMatchObject({
      by: "ada@contoso.com",
      via: "cli",
      take: "sharePoint",
      value: "Done",
      values: { sharePoint: "Done", confluence: "Doing" },
      state: "pending",
    });
    // Nothing is written until a run applies it.
    expect(h.rowOf("1")?.Status).toBe("Doing");

    h.clearCalls();
    const report = await h.sync();
    expect(h.writes().graph).toEqual([]);
    expect(h.rowOf("1")?.Status).toBe("Done");
    expect((await h.listItems()).get("1")?.Status).toBe("Done");
    expect(report.counts.conflicts).toBe(0);
    expect(report.items.find((item) => item.sharePointId === "1")).toMatchObject({
      changes: [{ field: "Status", to: "confluence", value: "Done" }],
      settlements: [{ field: "Status", conflictId: "item 1|Status", outcome: "applied", writtenTo: ["confluence"] }],
      result: "applied",
    });
    expect(await h.state.conflicts.listOpen(HARNESS_PROFILE)).toEqual([]);
    expect(await h.state.conflicts.get(HARNESS_PROFILE, "item 1|Status")).toMatchObject({
      status: "resolved",
      settlement: { by: "ada@contoso.com", state: "applied", appliedByRun: report.runId },
    });
    await expectQuietRun(h);
  });

  it("takes Confluence's value: the item is updated, the page is not", async () => {
    const h = await conflicted();
    await settle(h, { take: "confluence" });
    h.clearCalls();
    await h.sync();
    expect(h.writes().confluence).toEqual([]);
    expect((await h.listItems()).get("1")?.Status).toBe("Doing");
    await expectQuietRun(h);
  });

  it("takes a typed value, read like a cell of the column: written to both sides in one run", async () => {
    const h = await conflicted();
    const { settled } = await settle(h, { take: "value", value: "  open " });
    expect(settled[0]?.settlement?.value).toBe("Open");
    await h.sync();
    expect((await h.listItems()).get("1")?.Status).toBe("Open");
    expect(h.rowOf("1")?.Status).toBe("Open");
    await expectQuietRun(h);
  });

  it("refuses a value the column cannot hold, naming the field, and records nothing", async () => {
    const h = await conflicted();
    const choice = await refusal(settle(h, { take: "value", value: "Blocked" }));
    expect(choice.code).toBe("SETTLEMENT_VALUE_INVALID");
    expect(choice.message).toContain('field "Status"');
    expect(choice.details).toEqual({ field: "Status" });
    expect((await h.state.conflicts.get(HARNESS_PROFILE, "item 1|Status"))?.settlement).toBeUndefined();
  });

  it("refuses a number that is not one, naming the field; takes one that is", async () => {
    const h = await start({ items: sampleItems(3), rows: sampleRows(3) });
    await h.sync();
    await h.editItem("2", { Amount: 5 });
    await h.editRows((rows) => rows.map((row) => (row[0] === "2" ? [row[0], row[1]!, row[2]!, "7"] : row)));
    await h.sync();
    const target = { kind: "one" as const, id: "item 2|Amount" };
    const notANumber = await refusal(settle(h, { target, take: "value", value: "12,5 EUR" }));
    expect([notANumber.code, notANumber.details]).toEqual(["SETTLEMENT_VALUE_INVALID", { field: "Amount" }]);
    await settle(h, { target, take: "value", value: "6.5" });
    await h.sync();
    expect((await h.listItems()).get("2")?.Amount).toBe(6.5);
    expect(h.rowOf("2")?.Amount).toBe("6.5");
    await expectQuietRun(h);
  });

  it("does not apply a settlement someone made stale: the conflict is re-opened with the new value and says why", async () => {
    const h = await conflicted();
    await settle(h, { take: "confluence" });
    await h.editItem("1", { Status: "Open" });
    h.clearCalls();
    const report = await h.sync();
    expect(h.writes()).toEqual({ graph: [], confluence: [] });
    expect((await h.listItems()).get("1")?.Status).toBe("Open");
    expect(h.rowOf("1")?.Status).toBe("Doing");
    expect(report.items.find((item) => item.sharePointId === "1")?.settlements).toMatchObject([
      { outcome: "stale", reason: expect.stringContaining("SharePoint changed after the conflict was settled") },
    ]);
    const entry = await h.state.conflicts.get(HARNESS_PROFILE, "item 1|Status");
    expect(entry).toMatchObject({
      status: "open",
      values: { sharePoint: "Open", confluence: "Doing" },
      reopened: { runId: report.runId, settlement: { by: "ada@contoso.com", take: "confluence" } },
    });
    expect(entry?.settlement).toBeUndefined();
    expect(entry?.reopened?.reason).toContain('SharePoint now holds "Open"');
    // It can be settled again, against the new values.
    await settle(h, { take: "sharePoint" });
    await h.sync();
    expect(h.rowOf("1")?.Status).toBe("Open");
    await expectQuietRun(h);
  });

  it("answers an unknown id, a conflict already settled and one a run closed with who settled it", async () => {
    const h = await conflicted();
    expect((await refusal(settle(h, { target: { kind: "one", id: "item 9|Status" }, take: "sharePoint" }))).code).toBe(
      "CONFLICT_NOT_FOUND",
    );
    await settle(h, { take: "sharePoint" });
    const twice = await refusal(settle(h, { take: "confluence", by: "bob@contoso.com" }));
    expect(twice.code).toBe("CONFLICT_ALREADY_SETTLED");
    expect(twice.details).toMatchObject({ settledBy: "ada@contoso.com", take: "sharePoint" });
    await h.sync();
    const closed = await refusal(settle(h, { take: "confluence", by: "bob@contoso.com" }));
    expect(closed.code).toBe("CONFLICT_ALREADY_SETTLED");
    expect(closed.details).toMatchObject({ settledBy: "ada@contoso.com" });
  });

  it("lets one of two people settling at once win, and tells the other who did", async () => {
    const h = await conflicted();
    const outcomes = await Promise.allSettled([
      settle(h, { take: "sharePoint", by: "ada" }),
      settle(h, { take: "confluence", by: "bob" }),
    ]);
    const won = outcomes.filter((outcome) => outcome.status === "fulfilled");
    const lost = outcomes.filter((outcome) => outcome.status === "rejected");
    expect([won.length, lost.length]).toEqual([1, 1]);
    const winner = (await h.state.conflicts.get(HARNESS_PROFILE, "item 1|Status"))?.settlement?.by;
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({
      code: "CONFLICT_ALREADY_SETTLED",
      details: { settledBy: winner },
    });
  });

  it("settles every open conflict at once with one side, and the next run applies them all", async () => {
    const h = await conflicted({ "1": ["Done", "Doing"], "2": ["Doing", "Done"] });
    const result = await settle(h, { target: { kind: "all" }, take: "confluence" });
    expect(result.settled.map((entry) => entry.id)).toEqual(["item 1|Status", "item 2|Status"]);
    await h.sync();
    const items = await h.listItems();
    expect([items.get("1")?.Status, items.get("2")?.Status]).toEqual(["Doing", "Done"]);
    expect([h.rowOf("1")?.Status, h.rowOf("2")?.Status]).toEqual(["Doing", "Done"]);
    expect(await h.state.conflicts.listOpen(HARNESS_PROFILE)).toEqual([]);
    await expectQuietRun(h);
  });

  it("a dry run reports what the settlement will do and changes nothing", async () => {
    const h = await conflicted();
    await settle(h, { take: "sharePoint" });
    h.clearCalls();
    const dry = await h.sync({ dryRun: true });
    expect(h.writes()).toEqual({ graph: [], confluence: [] });
    expect(dry.items.find((item) => item.sharePointId === "1")).toMatchObject({
      changes: [{ field: "Status", to: "confluence", value: "Done" }],
      settlements: [{ outcome: "applied" }],
      result: "planned",
    });
    expect((await h.state.conflicts.get(HARNESS_PROFILE, "item 1|Status"))?.settlement?.state).toBe("pending");
  });
});

describe("settling a delete-vs-edit conflict", () => {
  const CONFLICT = "item 1|(item)";

  /** Three items in sync, then row 1 removed from the page while item 1's Status is edited in SharePoint. */
  async function rowGoneItemEdited(): Promise<SyncHarness> {
    const h = await start({ items: sampleItems(3), rows: sampleRows(3), profile: { massDeleteLimitPercent: 50 } });
    await h.sync();
    await h.editItem("1", { Status: "Done" });
    await h.editRows((rows) => rows.filter((row) => row[0] !== "1"));
    const report = await h.sync();
    expect(report.counts.conflicts).toBe(1);
    return h;
  }

  it("takes the deletion of the row: the next run deletes the edited item with If-Match, and the conflict closes", async () => {
    const h = await rowGoneItemEdited();
    const { settled } = await settle(h, { target: { kind: "one", id: CONFLICT }, take: "confluence" });
    expect(settled[0]?.settlement).toMatchObject({
      take: "confluence",
      state: "pending",
      values: { sharePoint: { Status: "Done" } },
    });
    expect((await h.listItems()).has("1")).toBe(true);

    h.clearCalls();
    const report = await h.sync();
    expect(h.writes().confluence).toEqual([]);
    expect(h.graphCalls().filter((call) => /^\s*(DELETE|PATCH|POST) .*\/items/.test(call))).toEqual([
      expect.stringMatching(/^\s*DELETE .*\/items\/1 /),
    ]);
    expect((await h.listItems()).has("1")).toBe(false);
    expect(report.counts.conflicts).toBe(0);
    expect(await h.state.items.get(HARNESS_PROFILE, "1")).toBeUndefined();
    expect(await h.state.conflicts.get(HARNESS_PROFILE, CONFLICT)).toMatchObject({
      status: "resolved",
      settlement: { state: "applied", appliedByRun: report.runId },
    });
    await expectQuietRun(h);
  });

  it("takes the deletion of the item: the next run removes the edited row from the page", async () => {
    const h = await start({ items: sampleItems(3), rows: sampleRows(3), profile: { massDeleteLimitPercent: 50 } });
    await h.sync();
    await h.deleteItem("1");
    await h.editRows((rows) => rows.map((row) => (row[0] === "1" ? [row[0], row[1]!, "Done", row[3]!] : row)));
    expect((await h.sync()).counts.conflicts).toBe(1);
    await settle(h, { target: { kind: "one", id: CONFLICT }, take: "sharePoint" });
    h.clearCalls();
    await h.sync();
    expect(h.writes().graph).toEqual([]);
    expect(h.rowOf("1")).toBeUndefined();
    expect(h.rowOf("2")).toBeDefined();
    expect(await h.state.conflicts.listOpen(HARNESS_PROFILE)).toEqual([]);
    await expectQuietRun(h);
  });

  it("refuses to take the survivor's side, and says what to do", async () => {
    const h = await rowGoneItemEdited();
    const kept = await refusal(settle(h, { target: { kind: "one", id: CONFLICT }, take: "sharePoint" }));
    expect(kept.code).toBe("CONFLICT_NOT_SETTLEABLE");
    expect(kept.message).toContain("--take confluence");
    expect(kept.details).toMatchObject({ deletedIn: "confluence" });
  });

  it("is stale when the item was edited again since: nothing is deleted and the conflict is re-opened", async () => {
    const h = await rowGoneItemEdited();
    await settle(h, { target: { kind: "one", id: CONFLICT }, take: "confluence" });
    await h.editItem("1", { Amount: 42 });
    h.clearCalls();
    const report = await h.sync();
    expect(h.writes()).toEqual({ graph: [], confluence: [] });
    expect((await h.listItems()).get("1")).toMatchObject({ Status: "Done", Amount: 42 });
    const entry = await h.state.conflicts.get(HARNESS_PROFILE, CONFLICT);
    expect(entry).toMatchObject({
      status: "open",
      reopened: { runId: report.runId, settlement: { take: "confluence" } },
    });
    expect(entry?.reopened?.reason).toContain("edited since it was settled");
    expect(entry?.settlement).toBeUndefined();
  });
});

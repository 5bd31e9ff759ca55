import { describe, expect, it } from "vitest";
import { type ConflictEntry, ConflictStore } from "../../shared/state/conflictStore";
import { fromJsonProperties, JsonPropertyTooLarge, toJsonProperties } from "../../shared/state/jsonProperties";
import { RunRecordStore, STORED_REPORT_ITEMS, type StoredRun } from "../../shared/state/runRecordStore";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";

function run(
  profile: string,
  runId: string,
  startedAt: string,
  items = 0,
): StoredRun & { counts: { conflicts: number } } {
  return {
    profile,
    runId,
    outcome: "completed",
    dryRun: false,
    startedAt,
    finishedAt: startedAt,
    items: Array.from({ length: items }, (_, i) => ({ item: i, note: "x".repeat(200) })),
    counts: { conflicts: 0 },
  };
}

describe("JSON split over table properties", () => {
  it("round-trips values larger than one property", () => {
    const value = { text: "e".repeat(70_000), accented: "é – 東京", list: [1, 2, 3] };
    const properties = toJsonProperties("v", value);
    expect(properties.vParts).toBe(3);
    // Non-ASCII travels as \u escapes, so no multi-byte character can be cut between chunks.
    expect(Object.values(properties).join("")).toMatch(/^[\x00-\x7f]*$/);
    expect(fromJsonProperties(properties, "v")).toEqual(value);
    expect(fromJsonProperties({}, "v")).toBeUndefined();
  });

  it("refuses values no entity can hold", () => {
    expect(() => toJsonProperties("v", "x".repeat(500_000))).toThrow(JsonPropertyTooLarge);
  });
});

describe("RunRecordStore", () => {
  it("lists a profile's runs newest first, per profile, and overwrites a re-saved run", async () => {
    const store = await RunRecordStore.open(azuriteLocation(), uniqueTablePrefix("runs"));
    await store.save(run("hr", "r1", "2026-01-01T10:00:00.000Z"));
    await store.save(run("hr", "r3", "2026-01-03T10:00:00.000Z"));
    await store.save(run("hr", "r2", "2026-01-02T10:00:00.000Z"));
    await store.save(run("finance", "f1", "2026-01-05T10:00:00.000Z"));
    await store.save({ ...run("hr", "r3", "2026-01-03T10:00:00.000Z"), outcome: "completedWithErrors" });

    const recent = await store.recent("hr", 10);
    expect(recent.map((r) => [r.runId, r.outcome])).toEqual([
      ["r3", "completedWithErrors"],
      ["r2", "completed"],
      ["r1", "completed"],
    ]);
    expect((await store.recent("hr", 2)).map((r) => r.runId)).toEqual(["r3", "r2"]);
    expect((await store.latest("finance"))?.runId).toBe("f1");
    expect(await store.latest("nobody")).toBeUndefined();
  });

  it("round-trips large reports full of non-ASCII text (written as ASCII escapes)", async () => {
    const store = await RunRecordStore.open(azuriteLocation(), uniqueTablePrefix("runs"));
    const report = {
      ...run("intl", "u1", "2026-02-02T00:00:00.000Z"),
      items: Array.from({ length: 150 }, (_, i) => ({ i, title: "Überprüfung – 東京 📅 ".repeat(40) })),
    };
    await store.save(report);
    expect((await store.latest("intl"))?.items).toEqual(report.items);
  });

  it("keeps big reports within an entity by cutting the item list and saying how much was left out", async () => {
    const store = await RunRecordStore.open(azuriteLocation(), uniqueTablePrefix("runs"));
    await store.save(run("big", "b1", "2026-02-01T00:00:00.000Z", 1_000));
    const [stored] = await store.recent("big");
    expect(stored?.items).toHaveLength(STORED_REPORT_ITEMS);
    expect(stored?.itemsOmitted).toBe(1_000 - STORED_REPORT_ITEMS);
  });
});

describe("ConflictStore", () => {
  const entry = (
    id: string,
    at: string,
    values: ConflictEntry["values"],
  ): Omit<ConflictEntry, "openedAt" | "status" | "resolvedAt"> => ({
    id,
    profileKey: "hr/eu",
    kind: "field",
    item: { sharePointId: "7", rowKey: "7" },
    field: "Status",
    values,
    resolution: "flagged",
    message: "Status changed on both sides",
    lastSeenAt: at,
    runId: "run-1",
  });

  it("keeps one open record per item and field, with the latest values and the first time seen", async () => {
    const store = await ConflictStore.open(azuriteLocation(), uniqueTablePrefix("conflicts"));
    await store.record([
      entry("7/Status", "2026-01-01T00:00:00.000Z", { sharePoint: "Done", confluence: "Blocked", base: "Open" }),
    ]);
    await store.record([
      entry("7/Status", "2026-01-02T00:00:00.000Z", { sharePoint: "Done", confluence: "Waiting", base: "Open" }),
    ]);
    const open = await store.listOpen("hr/eu");
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      status: "open",
      openedAt: "2026-01-01T00:00:00.000Z",
      lastSeenAt: "2026-01-02T00:00:00.000Z",
      values: { confluence: "Waiting" },
    });
  });

  it("keeps the base recorded when the conflict opened when later runs see it without one", async () => {
    const store = await ConflictStore.open(azuriteLocation(), uniqueTablePrefix("conflicts"));
    await store.record([
      entry("7/Status", "2026-01-01T00:00:00.000Z", { sharePoint: "Blocked", confluence: "On track", base: "At risk" }),
    ]);
    await store.record([
      entry("7/Status", "2026-01-02T00:00:00.000Z", { sharePoint: "Blocked", confluence: "On track" }),
    ]);
    expect((await store.get("hr/eu", "7/Status"))?.values).toEqual({
      sharePoint: "Blocked",
      confluence: "On track",
      base: "At risk",
    });
  });

  it("resolves conflicts idempotently and re-opens a later one as new", async () => {
    const store = await ConflictStore.open(azuriteLocation(), uniqueTablePrefix("conflicts"));
    await store.record([
      entry("7/Status", "2026-01-01T00:00:00.000Z", { sharePoint: "A", confluence: "B" }),
      entry("8/Title", "2026-01-01T00:00:00.000Z", { sharePoint: "x", confluence: "y" }),
    ]);
    await store.resolve("hr/eu", ["7/Status"], "2026-01-03T00:00:00.000Z", "run-2");
    await store.resolve("hr/eu", ["7/Status"], "2026-01-04T00:00:00.000Z", "run-3");
    expect((await store.listOpen("hr/eu")).map((c) => c.id)).toEqual(["8/Title"]);
    expect(await store.get("hr/eu", "7/Status")).toMatchObject({
      status: "resolved",
      resolvedAt: "2026-01-03T00:00:00.000Z",
    });
    await store.record([entry("7/Status", "2026-01-05T00:00:00.000Z", { sharePoint: "C", confluence: "D" })]);
    expect(await store.get("hr/eu", "7/Status")).toMatchObject({
      status: "open",
      openedAt: "2026-01-05T00:00:00.000Z",
    });
  });
});

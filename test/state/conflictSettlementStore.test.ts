import type { TableClient } from "@azure/data-tables";
import { describe, expect, it } from "vitest";
import { type ConflictSettlementRecord, ConflictStore } from "../../shared/state/conflictStore";
import { createTableClient } from "../../shared/state/tableClientFactory";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";

const SEEN = { by: "run", lastSeenAt: "2026-03-01T08:00:00.000Z", runId: "r1" };

function entry(values: { sharePoint: string; confluence: string }) {
  return {
    id: "item 7|Status",
    profileKey: "hr",
    kind: "field" as const,
    item: { sharePointId: "7", rowKey: "7" },
    field: "Status",
    values,
    resolution: "flagged",
    message: "Status of item 7 changed on both sides",
    lastSeenAt: SEEN.lastSeenAt,
    runId: SEEN.runId,
  };
}

const settlement: ConflictSettlementRecord = {
  by: "ada",
  via: "cli",
  at: "2026-03-01T09:00:00.000Z",
  take: "confluence",
  value: "Doing",
  values: { sharePoint: "Done", confluence: "Doing" },
  hashes: { sharePoint: "sha256:a", confluence: "sha256:b" },
  state: "pending",
};

/** A table whose next `getEntity` answers only after `release()`: a run that read a row, then stalled. */
async function stallingTable(): Promise<{
  table: TableClient;
  stallNextRead(): { reached: Promise<void>; release(): void };
}> {
  const table = createTableClient(azuriteLocation(), `${uniqueTablePrefix("cs")}Conflicts`);
  await table.createTable();
  let stall: { gate: Promise<void>; reached: () => void } | undefined;
  const proxy = new Proxy(table, {
    get(target, property, receiver) {
      if (property !== "getEntity") return Reflect.get(target, property, receiver);
      return async (...args: Parameters<TableClient["getEntity"]>) => {
        const current = stall;
        stall = undefined; // only the next read stalls
        const read = await target.getEntity(...args);
        if (current) {
          current.reached();
          await current.gate;
        }
        return read;
      };
    },
  });
  return {
    table: proxy,
    stallNextRead() {
      let release: () => void = () => undefined;
      let reached: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const readDone = new Promise<void>((resolve) => {
        reached = resolve;
      });
      stall = { gate, reached };
      return { reached: readDone, release };
    },
  };
}

describe("conflict store: settlements", () => {
  it("a run recording new values never overwrites a settlement made while it was writing (ETag)", async () => {
    const { table, stallNextRead } = await stallingTable();
    const store = new ConflictStore(table);
    await store.record([entry({ sharePoint: "Done", confluence: "Doing" })]);
    // The run reads the row, stalls; a person settles the conflict; the run writes what it read plus its values.
    const stall = stallNextRead();
    const recording = store.record([
      { ...entry({ sharePoint: "Done", confluence: "Doing" }), lastSeenAt: "2026-03-01T10:00:00.000Z" },
    ]);
    await stall.reached;
    await store.settle("hr", "item 7|Status", () => ({ ok: true, settlement, answer: undefined }));
    stall.release();
    await recording;
    const stored = await store.get("hr", "item 7|Status");
    expect(stored?.settlement).toEqual(settlement);
    expect(stored?.lastSeenAt).toBe("2026-03-01T10:00:00.000Z");
    expect((await store.listSettled("hr")).map((e) => e.id)).toEqual(["item 7|Status"]);
  });

  it("reopen takes the settlement off with why; resolve marks an applied one applied by the run", async () => {
    const { table } = await stallingTable();
    const store = new ConflictStore(table);
    await store.record([entry({ sharePoint: "Done", confluence: "Doing" })]);
    await store.settle("hr", "item 7|Status", () => ({ ok: true, settlement, answer: undefined }));
    await store.reopen("hr", "item 7|Status", "SharePoint changed after the conflict was settled", "t2", "r2");
    expect(await store.get("hr", "item 7|Status")).toMatchObject({
      status: "open",
      reopened: { at: "t2", runId: "r2", reason: "SharePoint changed after the conflict was settled", settlement },
    });
    expect(await store.listSettled("hr")).toEqual([]);
    await store.settle("hr", "item 7|Status", () => ({ ok: true, settlement, answer: undefined }));
    await store.resolve("hr", ["item 7|Status"], "t3", "r3", new Set(["item 7|Status"]));
    expect(await store.get("hr", "item 7|Status")).toMatchObject({
      status: "resolved",
      settlement: { by: "ada", state: "applied", appliedAt: "t3", appliedByRun: "r3" },
    });
    expect((await store.get("hr", "item 7|Status"))?.reopened).toBeUndefined();
  });
});

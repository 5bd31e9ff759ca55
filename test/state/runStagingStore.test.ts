import { randomBytes } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { describe, expect, inject, it } from "vitest";
import { RunStagingStore } from "../../shared/state/runStagingStore";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";

const at = "2026-01-01T00:00:00.000Z";
const open = () => RunStagingStore.open(azuriteLocation(), `${uniqueTablePrefix("stg")}SyncRunStaging`);

describe("RunStagingStore", () => {
  it("stores documents by run and name, small ones in one row and large ones in parts", async () => {
    const store = await open();
    const run = { profileKey: "hr/eu", runId: "run-1" };
    const large = { rows: Array.from({ length: 30_000 }, (_, i) => ({ i, text: `row ${i} "quoted" ✓` })) };
    await store.put(run, "c1.context", { page: 7 }, at);
    await store.put(run, "c1.plan", large, at);
    expect(await store.get(run, "c1.context")).toEqual({ page: 7 });
    expect(await store.get(run, "c1.plan")).toEqual(large);
    expect(await store.get(run, "c1.missing")).toBeUndefined();
    expect(await store.get({ ...run, runId: "run-2" }, "c1.context")).toBeUndefined();
    // A rewrite replaces the whole document, whatever its size was.
    await store.put(run, "c1.plan", { small: true }, at);
    expect(await store.get(run, "c1.plan")).toEqual({ small: true });
    await store.put(run, "c1.plan", large, at);
    expect(await store.get(run, "c1.plan")).toEqual(large);
  });

  it("stores a large document compressed, and still reads one stored as plain JSON", async () => {
    const tableName = `${uniqueTablePrefix("stg")}SyncRunStaging`;
    const store = await RunStagingStore.open(azuriteLocation(), tableName);
    const run = { profileKey: "p", runId: "run-z" };
    // A plan repeats its hashes field by field: 2.4 MB of JSON like this compresses into a single row.
    const hash = (i: number) => `sha256:${String(i).padStart(64, "0")}`;
    const plan = {
      updates: Array.from({ length: 10_000 }, (_, i) => ({
        ifApplied: hash(i),
        otherwise: hash(i),
        value: `Item ${i} ✓`,
      })),
    };
    await store.put(run, "c1.plan", plan, at);
    expect(await store.get(run, "c1.plan")).toEqual(plan);
    const table = TableClient.fromConnectionString(inject("azuriteTableConnectionString"), tableName, {
      allowInsecureConnection: true,
    });
    const rows = [];
    for await (const entity of table.listEntities()) rows.push(entity);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: "document", encoding: "gzip-base64" });

    // A document staged before compression existed: no encoding, plain JSON.
    await table.upsertEntity(
      {
        partitionKey: "p",
        rowKey: "run-z|c1.context",
        kind: "document",
        name: "c1.context",
        json0: '{"page":7}',
        jsonParts: 1,
      },
      "Replace",
    );
    expect(await store.get(run, "c1.context")).toEqual({ page: 7 });
  });

  it("lists a family of documents by prefix, in name order", async () => {
    const store = await open();
    const run = { profileKey: "p", runId: "r" };
    await store.put(run, "c1.outcome.b0002", { batch: 2 }, at);
    await store.put(run, "c1.outcome.b0001", { batch: 1 }, at);
    await store.put(run, "c2.outcome.b0001", { batch: "other cycle" }, at);
    await store.put(run, "c1.plan", {}, at);
    expect(await store.list(run, "c1.outcome.")).toEqual([
      { name: "c1.outcome.b0001", value: { batch: 1 } },
      { name: "c1.outcome.b0002", value: { batch: 2 } },
    ]);
  });

  it("clears a committed run and sweeps old abandoned ones, bounded", async () => {
    const store = await open();
    const done = { profileKey: "p", runId: "done" };
    const kept = { profileKey: "p", runId: "running" };
    const abandoned = { profileKey: "p", runId: "abandoned" };
    // Random text does not compress: 900,000 characters of it take three part rows and the document row.
    await store.put(done, "c1.plan", { rows: randomBytes(675_000).toString("base64") }, at);
    await store.put(kept, "c1.plan", {}, "2026-01-03T00:00:00.000Z");
    for (let i = 0; i < 5; i++) await store.put(abandoned, `c1.batch.b${i}`, { i }, "2025-12-01T00:00:00.000Z");
    expect(await store.clearRun(done)).toBe(4);
    expect(await store.get(done, "c1.plan")).toBeUndefined();
    expect(await store.sweep("p", "2026-01-02T00:00:00.000Z", 3)).toBe(3);
    expect(await store.sweep("p", "2026-01-02T00:00:00.000Z", 100)).toBe(2);
    expect(await store.list(abandoned, "c1.")).toEqual([]);
    expect(await store.get(kept, "c1.plan")).toEqual({});
  });
});

import { describe, expect, it } from "vitest";
import type { BatchProgress } from "../../shared/engine/run/stagedDocuments";
import { sampleItems, sampleRows } from "../helpers/syncHarness";
import { expectQuietRun, harnessPerTest } from "../helpers/syncTestRuns";

/**
 * Exactly-once effects (docs/design.md#invariant-4-exactly-once-effects; the mechanism: docs/engine.md#exactly-once)
 * through the real orchestrator: crashes and retries at the I/O points that matter, a page changed under the run, and a
 * throttled `$batch`.
 */

const start = harnessPerTest();

/**
 * The store with `method` intercepted: `before` runs first and may throw (a crash at that point); everything else is
 * the store itself (methods bound to it, so its private state works).
 */
function intercept<T extends object, K extends keyof T>(
  store: T,
  method: K,
  before: (...args: T[K] extends (...a: infer A) => unknown ? A : never) => void,
): T {
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== "function") return value;
      if (property !== method) return value.bind(target);
      return (...args: never[]) => {
        before(...(args as never));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe("at-least-once activities", () => {
  it("a batch retried after a crash between its $batch and the outcome record creates nothing twice", async () => {
    let crashes = 0;
    const h = await start({
      rows: [
        ["", "Alpha", "Open", "1"],
        ["", "Beta", "Open", "2"],
        ["", "Gamma", "Done", "3"],
      ],
      wrapState: (state) => ({
        ...state,
        staging: intercept(state.staging, "put", (_run, name, value) => {
          if (crashes === 0 && name.includes(".progress.") && (value as BatchProgress).kind === "done") {
            crashes += 1;
            throw new Error("simulated crash between the $batch and recording its outcome");
          }
        }),
      }),
    });
    const report = await h.sync();
    expect(crashes).toBe(1);
    expect(report.outcome).toBe("completed");
    expect(report.counts.sharePoint.created).toBe(3);
    const listed = await h.listItems();
    expect([...listed.values()].map((fields) => fields.Title)).toEqual(["Alpha", "Beta", "Gamma"]);
    expect(h.pageRows().map((row) => [row[0], row[1]])).toEqual(
      [...listed.entries()].map(([id, fields]) => [id, fields.Title]),
    );
    // One $batch only: the retry found the three items in the delta since the run's read instead of sending again.
    expect(h.graphCalls().filter((call) => call.startsWith("POST") && call.includes("$batch"))).toHaveLength(1);
    expect(h.logs.records.some((record) => record.message.includes("retried after an unconfirmed attempt"))).toBe(true);
    h.clearCalls();
    await h.sync();
    expect(h.writes()).toEqual({ graph: [], confluence: [] });
  });

  it("a batch that fails for good after its $batch went out is looked for before the page update: no item twice", async () => {
    // Found by the end-to-end model (test/engine/syncModelE2E.test.ts): the create happened, every attempt died before
    // recording it, and a person changed the row meanwhile, so the next read could not pair the item with it by values.
    let inBatch = false;
    let crashes = 0;
    const h = await start({
      rows: [["", "Alpha", "Open", "1"]],
      wrapState: (state) => ({
        ...state,
        staging: intercept(state.staging, "put", (_run, name, value) => {
          if (inBatch && name.includes(".progress.") && (value as BatchProgress).kind === "done") {
            crashes += 1;
            throw new Error("simulated crash between the $batch and recording its outcome");
          }
        }),
      }),
    });
    const original = h.activities.applySharePointBatch;
    h.activities = {
      ...h.activities,
      applySharePointBatch: async (input) => {
        // A person changes the row between the run's read and its writes (once).
        if (crashes === 0 && !inBatch)
          await h.editRows((rows) => rows.map((row) => (row[0] === "" ? [row[0], row[1]!, row[2]!, "7"] : row)));
        inBatch = true;
        try {
          return await original(input);
        } finally {
          inBatch = false;
        }
      },
    };
    const report = await h.sync();
    expect(crashes).toBe(3);
    h.activities = { ...h.activities, applySharePointBatch: original };
    await h.sync();
    const listed = await h.listItems();
    expect([...listed.values()].map((fields) => fields.Title)).toEqual(["Alpha"]);
    // The page update knew the item: the second cycle (the person's save made the first one's update a 409) found
    // the row where it was, and the person's Amount against the created item's is a conflict holding both.
    expect(report).toMatchObject({ outcome: "completed", cycles: 2, counts: { sharePoint: { created: 1 } } });
    const [id] = [...listed.keys()];
    expect(h.pageRows()).toEqual([[id, "Alpha", "Open", "7"]]);
    expect(listed.get(id!)?.Amount).toBe(1);
    const open = await h.state.conflicts.listOpen(report.profile);
    expect(open.map((conflict) => [conflict.field, conflict.values.sharePoint, conflict.values.confluence])).toEqual([
      ["Amount", "1", "7"],
    ]);
    expect(h.logs.records.some((record) => record.message.includes("failed for good after sending"))).toBe(true);
    await expectQuietRun(h);
  });

  it("a run that dies after its writes and before its state commits converges on the next run, duplicating nothing", async () => {
    const commits = { failing: false, allowed: 0 };
    const h = await start({
      items: [{ id: "1", fields: { Title: "Kept", Status: "Open", Amount: 1 } }],
      rows: [["1", "Kept", "Open", "1"]],
      wrapState: (state) => ({
        ...state,
        items: intercept(state.items, "commit", () => {
          if (commits.failing && commits.allowed-- <= 0) throw new Error("simulated crash before the state commit");
        }),
      }),
    });
    await h.sync();

    await h.editRows((rows) => [...rows, ["", "New one", "Doing", "5"], ["", "New two", "Done", "6"]]);
    await h.editItem("1", { Status: "Done" });
    // Phase zero commits; every later commit fails: the activities' retries run out and the run is recorded failed.
    commits.failing = true;
    commits.allowed = 1;
    const failed = await h.sync();
    expect(failed.outcome).toBe("failed");
    expect((await h.state.runs.latest(failed.profile))?.runId).toBe(failed.runId);
    expect((await h.listItems()).size).toBe(3);

    commits.failing = false;
    const recovered = await h.sync();
    expect(recovered.counts.sharePoint.created).toBe(0);
    const listed = await h.listItems();
    expect([...listed.values()].map((fields) => fields.Title).sort()).toEqual(["Kept", "New one", "New two"]);
    expect(
      h
        .pageRows()
        .map((row) => row[0])
        .sort(),
    ).toEqual([...listed.keys()].sort());
    expect(h.rowOf("1")?.Status).toBe("Done");
    h.clearCalls();
    await h.sync();
    expect(h.writes()).toEqual({ graph: [], confluence: [] });
  });
});

describe("the page update, retried", () => {
  it("a retry after the page was saved but before the outcome was recorded finds its own version: one new version", async () => {
    let crashes = 0;
    const h = await start({
      items: sampleItems(3),
      rows: sampleRows(3),
      wrapState: (state) => ({
        ...state,
        staging: intercept(state.staging, "put", (_run, name) => {
          if (crashes === 0 && name.endsWith(".page")) {
            crashes += 1;
            throw new Error("simulated crash between the page update and recording it");
          }
        }),
      }),
    });
    await h.sync();
    crashes = 0;
    await h.editItem("2", { Status: "Done" });
    const version = h.pageVersion();
    h.clearCalls();
    const report = await h.sync();
    expect(crashes).toBe(1);
    expect(report).toMatchObject({ outcome: "completed", cycles: 1 });
    expect(h.confluenceCalls().filter((call) => !call.startsWith("GET /pages/98306 "))).toEqual([
      "PUT /pages/98306 200",
      "PUT /pages/98306 409",
    ]);
    expect(h.confluenceCalls()).toContain("GET /pages/98306 200");
    expect(h.pageVersion()).toBe(version + 1);
    expect(h.rowOf("2")?.Status).toBe("Done");
    await expectQuietRun(h);
  });
});

describe("the page changed under the run", () => {
  it("a 409 on the page update commits what SharePoint got and runs a second cycle", async () => {
    const h = await start({ items: sampleItems(3), rows: sampleRows(3) });
    await h.sync();
    await h.editItem("1", { Status: "Done" });
    await h.editRows((rows) => rows.map((row) => (row[0] === "3" ? [row[0], row[1]!, row[2]!, "33"] : row)));
    const original = h.activities.applyConfluencePage;
    let edited = false;
    h.activities = {
      ...h.activities,
      applyConfluencePage: async (input) => {
        if (!edited) {
          edited = true;
          // A person saves the page between the run's read and its update.
          await h.editRows((rows) =>
            rows.map((row) => (row[0] === "2" ? [row[0], "Item 2 (person)", row[2]!, row[3]!] : row)),
          );
        }
        return original(input);
      },
    };
    h.clearCalls();
    const report = await h.sync();
    expect(report.outcome).toBe("completed");
    expect(report.cycles).toBe(2);
    expect(h.confluenceCalls().filter((call) => call.startsWith("PUT"))).toEqual([
      "PUT /pages/98306 409",
      "PUT /pages/98306 200",
    ]);
    expect(h.rowOf("1")?.Status).toBe("Done");
    expect(h.rowOf("2")?.Title).toBe("Item 2 (person)");
    const listed = await h.listItems();
    expect(listed.get("3")?.Amount).toBe(33);
    expect(listed.get("2")?.Title).toBe("Item 2 (person)");
    h.activities = { ...h.activities, applyConfluencePage: original };
    h.clearCalls();
    await h.sync();
    expect(h.writes()).toEqual({ graph: [], confluence: [] });
  });
});

describe("throttling", () => {
  it("a throttled $batch sub-request is sent again on its own; the others are not repeated", async () => {
    const h = await start({ items: sampleItems(5), rows: sampleRows(5) });
    await h.sync();
    await h.editRows((rows) => rows.map((row) => [row[0]!, row[1]!, "Doing", row[3]!]));
    await h.graphFault({ method: "PATCH", path: "/items/3/fields$", status: 429, retryAfter: 0, times: 1 });
    h.clearCalls();
    const report = await h.sync();
    expect(report.counts.sharePoint.updated).toBe(5);
    const entries = h.calls().graph;
    const batches = entries.filter((entry) => entry.path.endsWith("$batch"));
    expect(batches.map((entry) => entry.status)).toEqual([200, 200]);
    const subRequests = (seq: number) =>
      entries
        .filter((entry) => entry.parentSeq === seq)
        .map((entry) => `${entry.method} ${entry.path.replace(/.*\/items\//, "items/")} ${entry.status}`);
    expect(subRequests(batches[0]!.seq)).toHaveLength(5);
    expect(subRequests(batches[0]!.seq)).toContain("PATCH items/3/fields 429");
    expect(subRequests(batches[1]!.seq)).toEqual(["PATCH items/3/fields 200"]);
    expect([...(await h.listItems()).values()].every((fields) => fields.Status === "Doing")).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { fieldHash, type ItemState, isQuietPlan, PlannerInputInvalid, planCounts } from "../../shared/sync";
import { allApplied, BAD, commit, delta, full, item, plan, ready, row, rules, syncedState } from "./planFixtures";

const TASK = { Title: "Laptop", Status: "Open", Owner: "ann" };

describe("planSync on an existing pair", () => {
  const state = syncedState({ "1": TASK });

  it("sends only the changed fields to SharePoint, guarded by the eTag it read", () => {
    const result = ready(
      plan({ state, sharePoint: delta([item("1", TASK, 2)]), rows: [row(0, "1", { ...TASK, Status: "Done" })] }),
    );
    expect(result.sharePoint.updates).toEqual([{ sharePointId: "1", ifMatch: `"1,2"`, fields: { Status: "Done" } }]);
    expect(result.confluence.rowUpdates).toEqual([]);
  });

  it("uses the stored eTag for an item absent from the delta", () => {
    const result = ready(plan({ state, sharePoint: delta(), rows: [row(0, "1", { ...TASK, Owner: "bob" })] }));
    expect(result.sharePoint.updates).toEqual([{ sharePointId: "1", ifMatch: `"1,1"`, fields: { Owner: "bob" } }]);
  });

  it("writes SharePoint's changes into the row", () => {
    const result = ready(
      plan({ state, sharePoint: delta([item("1", { ...TASK, Title: "Laptop 14" }, 2)]), rows: [row(0, "1", TASK)] }),
    );
    expect(result.confluence.rowUpdates).toEqual([
      { rowRef: 0, sharePointId: "1", afterCreate: null, cells: { Title: "Laptop 14" } },
    ]);
    expect(result.confluence.pageVersion).toBe(7);
    expect(result.sharePoint.updates).toEqual([]);
  });

  it("lands edits of different fields on both sides in one run", () => {
    const result = ready(
      plan({
        state,
        sharePoint: delta([item("1", { ...TASK, Title: "Laptop 14" }, 2)]),
        rows: [row(0, "1", { ...TASK, Owner: "bob" })],
      }),
    );
    expect(result.sharePoint.updates[0]?.fields).toEqual({ Owner: "bob" });
    expect(result.confluence.rowUpdates[0]?.cells).toEqual({ Title: "Laptop 14" });
    expect(result.conflicts).toEqual([]);
  });

  it("is echo-free: after its writes are applied and committed, the next plan is quiet", () => {
    const sharePoint = item("1", { ...TASK, Title: "Laptop 14" }, 2);
    const first = ready(
      plan({ state, sharePoint: delta([sharePoint]), rows: [row(0, "1", { ...TASK, Owner: "bob" })] }),
    );
    const next = commit(state, first);
    // The sync's own writes come back: SharePoint's in the delta (with the eTag the update returned), the page as written.
    const echoed = {
      ...item("1", { ...TASK, Title: "Laptop 14", Owner: "bob" }),
      eTag: `"1,next"`,
      modifiedAt: "2024-05-01T10:00:01Z",
    };
    const again = plan({
      state: next,
      sharePoint: delta([echoed]),
      rows: [row(0, "1", { ...TASK, Title: "Laptop 14", Owner: "bob" })],
    });
    expect(isQuietPlan(again)).toBe(true);
  });

  it("records a conflict with both values and writes nothing under the default flag policy", () => {
    const result = ready(
      plan({
        state,
        sharePoint: delta([item("1", { ...TASK, Status: "Blocked" }, 2)]),
        rows: [row(0, "1", { ...TASK, Status: "Done" })],
      }),
    );
    expect(result.sharePoint.updates).toEqual([]);
    expect(result.confluence.rowUpdates).toEqual([]);
    expect(result.conflicts).toMatchObject([
      {
        kind: "field",
        item: { sharePointId: "1", rowRef: 0 },
        field: "Status",
        cause: "bothChanged",
        base: { value: "Open" },
        sharePoint: { value: "Blocked" },
        confluence: { value: "Done" },
        resolution: { kind: "flagged", because: "policy" },
      },
    ]);
  });

  it("keeps a flagged conflict open in later runs even when the item is no longer in the delta", () => {
    const first = ready(
      plan({
        state,
        sharePoint: delta([item("1", { ...TASK, Status: "Blocked" }, 2)]),
        rows: [row(0, "1", { ...TASK, Status: "Done" })],
      }),
    );
    const later = ready(
      plan({ state: commit(state, first), sharePoint: delta(), rows: [row(0, "1", { ...TASK, Status: "Done" })] }),
    );
    expect(later.sharePoint.updates).toEqual([]); // Confluence's value must not win just because SharePoint went quiet
    expect(later.conflicts).toMatchObject([
      { field: "Status", sharePoint: { value: "Blocked" }, confluence: { value: "Done" } },
    ]);
    // Once a person makes them agree, the conflict is gone and the base moves.
    const agreed = ready(
      plan({ state: commit(state, first), sharePoint: delta(), rows: [row(0, "1", { ...TASK, Status: "Blocked" })] }),
    );
    expect(agreed.conflicts).toEqual([]);
    expect(commit(commit(state, first), agreed)[0]?.fields.Status).toEqual({
      base: { hash: fieldHash("Blocked"), value: "Blocked" },
    });
  });

  it("retries a failed write in the next run without losing the edit that caused it", () => {
    const first = ready(
      plan({ state, sharePoint: delta([item("1", { ...TASK, Title: "Laptop 14" }, 2)]), rows: [row(0, "1", TASK)] }),
    );
    const failed = commit(state, first, allApplied(first, { confluenceApplied: false }));
    const retry = ready(plan({ state: failed, sharePoint: delta(), rows: [row(0, "1", TASK)] }));
    expect(retry.confluence.rowUpdates[0]?.cells).toEqual({ Title: "Laptop 14" });
  });

  it("drops the eTag after a 412 and asks for the item before writing to it again", () => {
    const first = ready(plan({ state, sharePoint: delta(), rows: [row(0, "1", { ...TASK, Owner: "bob" })] }));
    const stale = commit(
      state,
      first,
      allApplied(first, { sharePointItems: new Map([["1", { ok: false, preconditionFailed: true }]]) }),
    );
    expect(stale[0]?.sharePointETag).toBeNull();
    expect(plan({ state: stale, sharePoint: delta(), rows: [row(0, "1", { ...TASK, Owner: "bob" })] })).toEqual({
      kind: "needsReads",
      sharePointIds: ["1"],
    });
  });
});

describe("planSync with unreadable values", () => {
  const state = syncedState({ "1": TASK });

  it("reports the field, skips it, syncs the rest of the item and does not advance its base", () => {
    const result = ready(
      plan({
        state,
        sharePoint: delta([item("1", { ...TASK, Title: "Laptop 14" }, 2)]),
        rows: [row(0, "1", { ...TASK, Status: BAD, Owner: "bob" })],
      }),
    );
    expect(result.fieldErrors).toEqual([
      {
        item: { sharePointId: "1", rowRef: 0, createRef: null },
        field: "Status",
        side: "confluence",
        error: { code: "NUMBER_INVALID", message: `"abc" is not a number` },
      },
    ]);
    expect(result.sharePoint.updates[0]?.fields).toEqual({ Owner: "bob" });
    expect(result.confluence.rowUpdates[0]?.cells).toEqual({ Title: "Laptop 14" });
    expect(commit(state, result)[0]?.fields.Status?.base?.value).toBe("Open");
  });

  it("does not create an item from a new row whose cells cannot be read, and says why", () => {
    const result = ready(
      plan({ sharePoint: full(), rows: [row(0, null, { Title: "Dock", Status: BAD, Owner: null })] }),
    );
    expect(result.sharePoint.creates).toEqual([]);
    expect(result.decisions).toMatchObject([{ item: { rowRef: 0 }, action: { kind: "skip", code: "INVALID_CELLS" } }]);
    expect(result.fieldErrors).toMatchObject([{ field: "Status", side: "confluence" }]);
  });

  it("appends a new item whose value cannot be read with that cell empty, and reports it", () => {
    const result = ready(plan({ sharePoint: full(item("5", { Title: "Dock", Status: BAD, Owner: "ann" })), rows: [] }));
    expect(result.confluence.appends).toEqual([
      { sharePointId: "5", cells: { Title: "Dock", Status: null, Owner: "ann" } },
    ]);
    expect(result.fieldErrors).toMatchObject([{ item: { sharePointId: "5" }, field: "Status", side: "sharePoint" }]);
  });
});

describe("planSync creating items on both sides", () => {
  it("creates a row people added in SharePoint and writes its id back into the key column", () => {
    const result = ready(
      plan({ sharePoint: full(), rows: [row(0, null, { Title: "Dock", Status: "Open", Owner: null })] }),
    );
    expect(result.sharePoint.creates).toEqual([
      { createRef: "row:0", rowRef: 0, fields: { Title: "Dock", Status: "Open" } },
    ]);
    expect(result.confluence.keyWriteBacks).toEqual([{ rowRef: 0, key: { kind: "created", createRef: "row:0" } }]);
    expect(planCounts(result)).toMatchObject({ sharePoint: { created: 1 }, confluence: { updated: 1 } });
    const [created] = commit([], result);
    expect(created).toMatchObject({ sharePointId: "100", status: "active", sharePointETag: `"100,1"` });
  });

  it("appends a row for a new SharePoint item, with its id in the key column", () => {
    const result = ready(plan({ sharePoint: full(item("5", TASK)), rows: [] }));
    expect(result.confluence.appends).toEqual([{ sharePointId: "5", cells: TASK }]);
    expect(commit([], result)[0]).toMatchObject({ sharePointId: "5", status: "active" });
  });

  it("remembers an item whose row could not be appended, even once it drops out of the delta", () => {
    const first = ready(plan({ sharePoint: delta([item("5", TASK)]), rows: [], state: [] }));
    const failed = commit([], first, allApplied(first, { confluenceApplied: false }));
    expect(failed[0]?.status).toBe("awaitingRow");
    const retry = ready(plan({ state: failed, sharePoint: delta(), rows: [] }));
    expect(retry.confluence.appends).toEqual([{ sharePointId: "5", cells: TASK }]);
  });
});

describe("planSync matching before creating (first sync, retries)", () => {
  it("pairs rows whose key column holds the SharePoint id, creating nothing", () => {
    const result = ready(
      plan({
        sharePoint: full(item("1", TASK), item("2", { ...TASK, Title: "Dock" })),
        rows: [row(0, "2", { ...TASK, Title: "Dock" }), row(1, "1", TASK)],
      }),
    );
    expect(result.sharePoint.creates).toEqual([]);
    expect(result.confluence.appends).toEqual([]);
    expect(result.decisions.map((d) => [d.item.sharePointId, d.action])).toEqual([
      ["1", { kind: "pair", by: "key" }],
      ["2", { kind: "pair", by: "key" }],
    ]);
  });

  it("pairs by the profile's natural key, writes the id back, and reports differing values as conflicts", () => {
    const ruleSet = rules({ matchBy: { sharePoint: "Title", confluence: "Title" } });
    const result = ready(
      plan({ rules: ruleSet, sharePoint: full(item("1", TASK)), rows: [row(0, null, { ...TASK, Status: "Done" })] }),
    );
    expect(result.sharePoint.creates).toEqual([]);
    expect(result.confluence.appends).toEqual([]);
    expect(result.confluence.keyWriteBacks).toEqual([{ rowRef: 0, key: { kind: "existing", sharePointId: "1" } }]);
    expect(result.conflicts).toMatchObject([
      { field: "Status", cause: "noBase", base: null, sharePoint: { value: "Open" }, confluence: { value: "Done" } },
    ]);
  });

  it("fills empty cells from the other side on a first pairing", () => {
    const ruleSet = rules({ matchBy: { sharePoint: "Title", confluence: "Title" } });
    const result = ready(
      plan({
        rules: ruleSet,
        sharePoint: full(item("1", { ...TASK, Owner: null })),
        rows: [row(0, null, { ...TASK, Status: null })],
      }),
    );
    expect(result.sharePoint.updates).toEqual([{ sharePointId: "1", ifMatch: `"1,1"`, fields: { Owner: "ann" } }]);
    expect(result.confluence.rowUpdates).toEqual([
      { rowRef: 0, sharePointId: "1", afterCreate: null, cells: { Status: "Open" } },
    ]);
  });

  it("reports an ambiguous natural key instead of guessing, and creates nothing for it", () => {
    const ruleSet = rules({ matchBy: { sharePoint: "Title", confluence: "Title" } });
    const result = ready(
      plan({
        rules: ruleSet,
        sharePoint: full(item("1", TASK)),
        rows: [row(0, null, { ...TASK, Owner: "bob" }), row(1, null, { ...TASK, Owner: "cy" })],
      }),
    );
    expect(result.sharePoint.creates).toEqual([]);
    expect(result.confluence.appends).toEqual([]);
    expect(result.confluence.keyWriteBacks).toEqual([]);
    expect(result.decisions.map((d) => d.action.kind === "skip" && d.action.code)).toEqual([
      "AMBIGUOUS_MATCH",
      "AMBIGUOUS_MATCH",
      "AMBIGUOUS_MATCH",
    ]);
    expect(commit([], result)[0]).toMatchObject({ sharePointId: "1", status: "awaitingRow" });
  });

  it("pairs by equal values when the profile names no natural key", () => {
    const result = ready(
      plan({ sharePoint: full(item("1", TASK)), rows: [row(0, null, TASK), row(1, null, { ...TASK, Title: "Dock" })] }),
    );
    expect(result.confluence.keyWriteBacks).toEqual([
      { rowRef: 0, key: { kind: "existing", sharePointId: "1" } },
      { rowRef: 1, key: { kind: "created", createRef: "row:1" } },
    ]);
    expect(result.sharePoint.creates).toEqual([{ createRef: "row:1", rowRef: 1, fields: { ...TASK, Title: "Dock" } }]);
  });

  it("does not create an item twice when a run crashed after creating it (the retry finds it in the delta)", () => {
    const rows = [row(0, null, { Title: "Dock", Status: "Open", Owner: null })];
    const first = ready(plan({ sharePoint: delta(), rows }));
    expect(first.sharePoint.creates).toHaveLength(1);
    // The create happened (item 100), then the run crashed: no state, no key written. The retry reads it back.
    const retry = ready(
      plan({ sharePoint: delta([item("100", { Title: "Dock", Status: "Open", Owner: null })]), rows }),
    );
    expect(retry.sharePoint.creates).toEqual([]);
    expect(retry.confluence.keyWriteBacks).toEqual([{ rowRef: 0, key: { kind: "existing", sharePointId: "100" } }]);
  });

  it("does not append a row twice when its key is already on the page but unknown to the state", () => {
    const result = ready(plan({ sharePoint: delta([item("5", TASK)]), rows: [row(0, "5", TASK)] }));
    expect(result.confluence.appends).toEqual([]);
    expect(result.decisions).toMatchObject([{ item: { sharePointId: "5" }, action: { kind: "pair", by: "key" } }]);
  });

  it("finds a created item's row by where it was when the id could not be written back and the row was edited since", () => {
    const rows = [row(0, "1", TASK), row(1, null, { Title: "Dock", Status: "Open", Owner: null }), row(2, "2", TASK)];
    const state = syncedState({ "1": TASK, "2": TASK });
    const first = ready(plan({ state, sharePoint: delta(), rows }));
    const failed = commit(state, first, allApplied(first, { confluenceApplied: false }));
    expect(failed.find((s) => s.sharePointId === "100")).toMatchObject({
      status: "awaitingRow",
      awaitedRow: { afterKey: "1", beforeKey: "2" },
    });
    // Meanwhile a person edited the new row and added another row at the top.
    const edited = [
      row(0, null, { Title: "Pen", Status: null, Owner: null }),
      row(1, "1", TASK),
      row(2, null, { Title: "Dock 2", Status: "Open", Owner: null }),
      row(3, "2", TASK),
    ];
    const retry = ready(
      plan({
        state: failed,
        sharePoint: delta([item("100", { Title: "Dock", Status: "Open", Owner: null })]),
        rows: edited,
      }),
    );
    expect(retry.confluence.keyWriteBacks).toContainEqual({
      rowRef: 2,
      key: { kind: "existing", sharePointId: "100" },
    });
    // The other new row is a new item, created once.
    expect(retry.sharePoint.creates).toEqual([{ createRef: "row:0", rowRef: 0, fields: { Title: "Pen" } }]);
    // Found by position, nothing is assumed agreed: the edit is a recorded conflict, not a silent overwrite.
    expect(retry.conflicts).toMatchObject([
      { item: { sharePointId: "100" }, field: "Title", sharePoint: { value: "Dock" }, confluence: { value: "Dock 2" } },
    ]);
  });

  it("stops on duplicate keys before writing anything", () => {
    const result = plan({
      state: syncedState({ "1": TASK }),
      sharePoint: delta(),
      rows: [row(0, "1", TASK), row(1, "1", { ...TASK, Status: "Done" })],
    });
    expect(result).toMatchObject({
      kind: "stopped",
      reason: { code: "DUPLICATE_KEYS", duplicates: [{ key: "1", rowRefs: [0, 1] }] },
    });
  });

  it("asks to read an item a row names when the delta says nothing about it", () => {
    expect(plan({ sharePoint: delta(), rows: [row(0, "9", TASK)] })).toEqual({
      kind: "needsReads",
      sharePointIds: ["9"],
    });
  });

  it("never deletes a row whose key names no SharePoint item and was never synced", () => {
    const result = ready(
      plan({ rules: rules({ deletes: { toConfluence: "delete" } }), sharePoint: full(), rows: [row(0, "9", TASK)] }),
    );
    expect(result.confluence.removals).toEqual([]);
    expect(result.conflicts).toMatchObject([
      { kind: "deleteVsEdit", deletedIn: "sharePoint", item: { sharePointId: "9" } },
    ]);
  });
});

describe("planSync deletes", () => {
  const ids = {
    "1": TASK,
    "2": { ...TASK, Title: "Dock" },
    "3": { ...TASK, Title: "Pen" },
    "4": { ...TASK, Title: "Cable" },
    "5": { ...TASK, Title: "Mouse" },
  };
  const rowsOf = (keys: string[]) => keys.map((key, index) => row(index, key, ids[key as keyof typeof ids]));

  it("keeps the row of a deleted item by default, and remembers it so nothing re-creates the item", () => {
    const state = syncedState({ "1": TASK });
    const result = ready(plan({ state, sharePoint: delta([], ["1"]), rows: [row(0, "1", TASK)] }));
    expect(result.confluence.removals).toEqual([]);
    expect(result.decisions).toMatchObject([{ action: { kind: "keepDeleted", deletedIn: "sharePoint" } }]);
    const next = commit(state, result);
    expect(next[0]?.status).toBe("deletedInSharePoint");
    expect(isQuietPlan(plan({ state: next, sharePoint: delta(), rows: [row(0, "1", TASK)] }))).toBe(true);
  });

  it("removes the row when the profile deletes toward Confluence", () => {
    const state = syncedState(ids);
    const result = ready(
      plan({
        rules: rules({ deletes: { toConfluence: "delete" } }),
        state,
        sharePoint: delta([], ["1"]),
        rows: rowsOf(["1", "2", "3", "4", "5"]),
      }),
    );
    expect(result.confluence.removals).toEqual([{ rowRef: 0, sharePointId: "1" }]);
    expect(commit(state, result).map((s) => s.sharePointId)).toEqual(["2", "3", "4", "5"]);
  });

  it("deletes the item, guarded by its eTag, when the profile deletes toward SharePoint", () => {
    const state = syncedState(ids);
    const result = ready(
      plan({
        rules: rules({ deletes: { toSharePoint: "delete" } }),
        state,
        sharePoint: delta(),
        rows: rowsOf(["2", "3", "4", "5"]),
      }),
    );
    expect(result.sharePoint.deletes).toEqual([{ sharePointId: "1", ifMatch: `"1,1"` }]);
  });

  it("keeps an item whose row was removed by default, and does not append its row again", () => {
    const state = syncedState({ "1": TASK });
    const result = ready(plan({ state, sharePoint: delta(), rows: [] }));
    expect(result.sharePoint.deletes).toEqual([]);
    const next = commit(state, result);
    expect(next[0]?.status).toBe("deletedInConfluence");
    expect(isQuietPlan(plan({ state: next, sharePoint: full(item("1", TASK)), rows: [] }))).toBe(true);
  });

  it.each([
    ["SharePoint deletes, the row was edited", "sharePoint", { toConfluence: "delete" as const }],
    ["the row is removed, the item was edited", "confluence", { toSharePoint: "delete" as const }],
  ])("treats delete-vs-edit as a conflict whatever the policies (%s)", (_, deletedIn, deletes) => {
    const state = syncedState({ "1": TASK });
    const ruleSet = rules({ deletes, conflictPolicy: "sharepoint-wins" });
    const result = ready(
      deletedIn === "sharePoint"
        ? plan({
            rules: ruleSet,
            state,
            sharePoint: delta([], ["1"]),
            rows: [row(0, "1", { ...TASK, Status: "Done" })],
          })
        : plan({ rules: ruleSet, state, sharePoint: delta([item("1", { ...TASK, Status: "Done" }, 2)]), rows: [] }),
    );
    expect(result.sharePoint.deletes).toEqual([]);
    expect(result.confluence.removals).toEqual([]);
    expect(result.conflicts).toMatchObject([
      {
        kind: "deleteVsEdit",
        deletedIn,
        edits: [{ field: "Status", base: { value: "Open" }, value: { value: "Done" } }],
      },
    ]);
  });

  it("forgets a pair when both sides are gone", () => {
    const state = syncedState({ "1": TASK });
    const result = ready(plan({ state, sharePoint: delta([], ["1"]), rows: [] }));
    expect(result.decisions).toMatchObject([{ action: { kind: "forget" } }]);
    expect(commit(state, result)).toEqual([]);
  });

  it("lets a run delete up to the limit (20 % by default)", () => {
    const state = syncedState(ids);
    const result = plan({
      rules: rules({ deletes: { toConfluence: "delete" } }),
      state,
      sharePoint: delta([], ["1"]),
      rows: rowsOf(["1", "2", "3", "4", "5"]),
    });
    expect(result.kind).toBe("ready");
  });

  it("stops a run that would delete more than the limit, writing nothing and saying why", () => {
    const state = syncedState(ids);
    const result = plan({
      rules: rules({ deletes: { toConfluence: "delete" } }),
      state,
      sharePoint: delta([item("5", { ...TASK, Title: "Mouse 2" }, 2)], ["1", "2"]),
      rows: rowsOf(["1", "2", "3", "4", "5"]),
    });
    expect(result).toMatchObject({
      kind: "stopped",
      reason: { code: "MASS_DELETE_LIMIT", limitPercent: 20, exceeded: [{ side: "confluence", deletes: 2, total: 5 }] },
    });
    expect(result.kind === "stopped" && result.reason.message).toMatch(
      /would delete 2 of 5 Confluence rows, more than the limit of 20%/,
    );
    expect(result).not.toHaveProperty("sharePoint");
    expect(
      plan({
        rules: rules({ deletes: { toConfluence: "delete" }, massDeleteLimitPercent: 50 }),
        state,
        sharePoint: delta([], ["1", "2"]),
        rows: rowsOf(["1", "2", "3", "4", "5"]),
      }).kind,
    ).toBe("ready");
  });
});

describe("planSync directions", () => {
  it("never creates SharePoint items from rows in a profile that syncs toward Confluence only", () => {
    const result = ready(
      plan({
        rules: rules({ direction: "toConfluence" }),
        sharePoint: full(item("1", TASK)),
        rows: [row(0, null, { ...TASK, Title: "Dock" })],
      }),
    );
    expect(result.sharePoint.creates).toEqual([]);
    expect(result.confluence.appends).toEqual([{ sharePointId: "1", cells: TASK }]);
    expect(result.decisions).toContainEqual(
      expect.objectContaining({ action: expect.objectContaining({ kind: "skip", code: "NOT_CREATED_DIRECTION" }) }),
    );
  });

  it("re-asserts SharePoint's value over a Confluence edit of a toConfluence field, and records the edit", () => {
    const ruleSet = rules({
      fields: [
        { sharePoint: "Title", confluence: "Title" },
        { sharePoint: "Status", confluence: "Status", direction: "toConfluence" },
        { sharePoint: "Owner", confluence: "Owner" },
      ],
    });
    const state = syncedState({ "1": TASK }, ruleSet);
    const result = ready(
      plan({ rules: ruleSet, state, sharePoint: delta(), rows: [row(0, "1", { ...TASK, Status: "Done" })] }),
    );
    expect(result.sharePoint.updates).toEqual([]);
    expect(result.confluence.rowUpdates[0]?.cells).toEqual({ Status: "Open" });
    expect(result.conflicts).toMatchObject([
      {
        field: "Status",
        cause: "editAgainstDirection",
        confluence: { value: "Done" },
        resolution: { kind: "won", winner: "sharePoint", because: "direction" },
      },
    ]);
  });

  it("clears, and records, what people typed into SharePoint-owned columns of a row they added", () => {
    const ruleSet = rules({
      fields: [
        { sharePoint: "Title", confluence: "Title" },
        { sharePoint: "Status", confluence: "Status", direction: "toConfluence" },
      ],
    });
    const result = ready(
      plan({ rules: ruleSet, sharePoint: full(), rows: [row(0, null, { Title: "Dock", Status: "Done" })] }),
    );
    expect(result.sharePoint.creates).toEqual([{ createRef: "row:0", rowRef: 0, fields: { Title: "Dock" } }]);
    expect(result.confluence.rowUpdates).toEqual([
      { rowRef: 0, sharePointId: null, afterCreate: "row:0", cells: { Status: null } },
    ]);
    expect(result.conflicts).toMatchObject([
      { field: "Status", item: { createRef: "row:0" }, confluence: { value: "Done" } },
    ]);
  });
});

describe("planSync newest-wins", () => {
  const state = syncedState({ "1": TASK });
  const conflicting = (modifiedAt: string, pageEditedAt: string) =>
    ready(
      plan({
        rules: rules({ conflictPolicy: "newest-wins" }),
        state,
        sharePoint: delta([item("1", { ...TASK, Status: "Blocked" }, 2, modifiedAt)]),
        rows: [row(0, "1", { ...TASK, Status: "Done" })],
        pageEditedAt,
      }),
    );

  it("takes SharePoint's value when the item changed after the page", () => {
    const result = conflicting("2024-05-01T09:30:00Z", "2024-05-01T09:00:00Z");
    expect(result.confluence.rowUpdates[0]?.cells).toEqual({ Status: "Blocked" });
    expect(result.conflicts[0]).toMatchObject({
      resolution: { kind: "won", winner: "sharePoint", because: "newer" },
      confluence: { value: "Done" },
    });
  });

  it("takes Confluence's value when the page changed after the item", () => {
    const result = conflicting("2024-05-01T09:00:00Z", "2024-05-01T09:30:00Z");
    expect(result.sharePoint.updates[0]?.fields).toEqual({ Status: "Done" });
  });

  it("flags a tie instead of guessing", () => {
    const result = conflicting("2024-05-01T09:00:00Z", "2024-05-01T09:00:00Z");
    expect(result.conflicts[0]?.kind === "field" && result.conflicts[0].resolution).toEqual({
      kind: "flagged",
      because: "newestUndecided",
    });
  });
});

describe("planSync input and honesty", () => {
  it("is a pure function of its input: planning twice gives the same plan (a dry run is the plan)", () => {
    const situation = {
      state: syncedState({ "1": TASK }),
      sharePoint: delta([item("1", { ...TASK, Title: "X" }, 2)]),
      rows: [row(0, "1", TASK), row(1, null, { ...TASK, Title: "Dock" })],
    };
    expect(plan(situation)).toEqual(plan(situation));
  });

  it("asks for a read when a value it must write is kept only by hash", () => {
    const ruleSet = rules({ fields: [{ sharePoint: "Title", confluence: "Title", direction: "toConfluence" }] });
    const long = "x".repeat(5000);
    const state: ItemState[] = syncedState({ "1": { Title: long } }, ruleSet);
    expect(state[0]?.fields.Title?.base).toEqual({ hash: fieldHash(long) });
    expect(plan({ rules: ruleSet, state, sharePoint: delta(), rows: [row(0, "1", { Title: "edited" })] })).toEqual({
      kind: "needsReads",
      sharePointIds: ["1"],
    });
    const withRead = ready(
      plan({
        rules: ruleSet,
        state,
        sharePoint: delta([item("1", { Title: long })]),
        rows: [row(0, "1", { Title: "edited" })],
      }),
    );
    expect(withRead.confluence.rowUpdates[0]?.cells).toEqual({ Title: long });
  });

  it("refuses input that breaks the contract", () => {
    expect(() => plan({ sharePoint: delta([item("1", TASK), item("1", TASK)]), rows: [] })).toThrow(
      PlannerInputInvalid,
    );
    expect(() => plan({ sharePoint: delta([item("1", TASK)], ["1"]), rows: [] })).toThrow(/both changed and deleted/);
  });
});

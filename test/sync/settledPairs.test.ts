import { describe, expect, it } from "vitest";
import {
  awaitingItemDigest,
  EMPTY_HASH,
  fieldHash,
  type ItemState,
  idleAwaitingDigest,
  PlannerInputInvalid,
  planSync,
  rowPairDigest,
  settledPairDigest,
  splitSettledRows,
} from "../../shared/sync";
import { commit, delta, item, plan, ready, row, rules, syncedState } from "./planFixtures";

const TASK = { Title: "Laptop", Status: "Open", Owner: "ann" };
const FIELDS = ["Title", "Status", "Owner"];

/** Ten pairs in sync, ids 1…10, each row showing its item's values. */
function tenSynced(): { state: ItemState[]; rows: ReturnType<typeof row>[] } {
  const pairs = Object.fromEntries(
    Array.from({ length: 10 }, (_, i) => [String(i + 1), { ...TASK, Title: `T${i + 1}` }]),
  );
  const state = syncedState(pairs);
  const rows = Object.entries(pairs).map(([id, cells], index) => row(index, id, cells));
  return { state, rows };
}

describe("settled pairs: rows the planner needs only by position", () => {
  it("a settled state's digest is the digest of a row showing its bases, and of no other row", () => {
    const [state] = syncedState({ "7": TASK });
    const digest = settledPairDigest(state!);
    expect(digest).not.toBeNull();
    expect(rowPairDigest(row(3, "7", TASK), FIELDS)).toBe(digest);
    expect(rowPairDigest(row(3, "7", { ...TASK, Owner: "bob" }), FIELDS)).not.toBe(digest);
    expect(rowPairDigest(row(3, "8", TASK), FIELDS)).not.toBe(digest);
    // A field the state does not hold (one added to the profile) makes the pair one to plan.
    expect(rowPairDigest(row(3, "7", { ...TASK, Due: null }), [...FIELDS, "Due"])).not.toBe(digest);
    expect(rowPairDigest(row(3, null, TASK), FIELDS)).toBeNull();
  });

  it("a state with anything pending has no settled digest", () => {
    const [state] = syncedState({ "7": TASK });
    const base = state!.fields.Title!.base!;
    const variants: ItemState[] = [
      { ...state!, status: "deletedInSharePoint" },
      { ...state!, status: "awaitingRow" },
      { ...state!, fields: { ...state!.fields, Title: { base: null } } },
      { ...state!, fields: { ...state!.fields, Title: { base, sharePoint: { ok: true, hash: base.hash } } } },
      { ...state!, fields: { ...state!.fields, Title: { base, unconfirmedWrite: base } } },
      { ...state!, fields: { ...state!.fields, Title: { base, disputed: true } } },
      { ...state!, awaitedRow: { afterKey: null, beforeKey: null } },
    ];
    for (const variant of variants) expect(settledPairDigest(variant), JSON.stringify(variant)).toBeNull();
  });

  it("settles no row whose item the delta mentions or whose key another row holds too", () => {
    const { state, rows } = tenSynced();
    const digests = new Map(state.map((s) => [s.sharePointId, settledPairDigest(s)]));
    const withDuplicate = [...rows, row(10, "3", { ...TASK, Title: "T3" })];
    const split = splitSettledRows(withDuplicate, FIELDS, (id) => digests.get(id), new Set(["5"]));
    expect(split.settled.map((r) => r.rowKey)).toEqual(["1", "2", "4", "6", "7", "8", "9", "10"]);
    expect(split.rows.map((r) => r.rowKey)).toEqual(["3", "5", "3"]);
  });

  it("counts settled pairs on both sides for the mass-delete limit", () => {
    const { state, rows } = tenSynced();
    const deletes = rules({ deletes: { toSharePoint: "delete" } });
    // Rows 9 and 10 were removed: 2 of 10 items is within 20 %; the eight other pairs are settled.
    const settledRows = rows.slice(0, 8).map((r) => ({ rowRef: r.rowRef, rowKey: r.rowKey! }));
    const withSettled = ready(
      plan({ rules: deletes, state: state.slice(8), sharePoint: delta(), rows: [], settledRows }),
    );
    const everything = ready(plan({ rules: deletes, state, sharePoint: delta(), rows: rows.slice(0, 8) }));
    expect(withSettled).toEqual(everything);
    expect(withSettled.sharePoint.deletes.map((d) => d.sharePointId)).toEqual(["9", "10"]);

    // Items 9 and 10 were deleted in SharePoint: their 2 rows of 10 go, within the limit too.
    const removes = rules({ deletes: { toConfluence: "delete" } });
    const gone = delta([], ["9", "10"]);
    const rowsGone = ready(
      plan({ rules: removes, state: state.slice(8), sharePoint: gone, rows: rows.slice(8), settledRows }),
    );
    expect(rowsGone).toEqual(ready(plan({ rules: removes, state, sharePoint: gone, rows })));
    expect(rowsGone.confluence.removals.map((r) => r.sharePointId)).toEqual(["9", "10"]);
  });

  it("places a row people added between settled rows as it would with every row read", () => {
    const { state, rows } = tenSynced();
    const added = row(4, null, { Title: "Dock", Status: "Open", Owner: null });
    const table = [...rows.slice(0, 4), added, ...rows.slice(4).map((r) => ({ ...r, rowRef: r.rowRef + 1 }))];
    const everything = ready(plan({ state, sharePoint: delta(), rows: table }));
    const settledRows = table.filter((r) => r.rowKey !== null).map((r) => ({ rowRef: r.rowRef, rowKey: r.rowKey! }));
    const withSettled = ready(plan({ state: [], sharePoint: delta(), rows: [added], settledRows }));
    expect(withSettled).toEqual(everything);
    // The create's state remembers where the row sits, between items 4 and 5, should its id not reach it.
    const created = commit([], withSettled, {
      sharePointItems: new Map(),
      sharePointCreates: new Map([["row:4", { ok: true, sharePointId: "11", eTag: `"11,1"`, modifiedAt: null }]]),
      confluenceApplied: false,
    });
    expect(created[0]).toMatchObject({ status: "awaitingRow", awaitedRow: { afterKey: "4", beforeKey: "5" } });
  });

  it("refuses settled rows given with their state, with a delta entry or with a full enumeration", () => {
    const { state, rows } = tenSynced();
    const settledRows = [{ rowRef: 0, rowKey: "1" }];
    expect(() => plan({ state, sharePoint: delta(), rows: rows.slice(1), settledRows })).toThrow(PlannerInputInvalid);
    expect(() =>
      plan({ state: state.slice(1), sharePoint: delta([item("1", TASK)]), rows: rows.slice(1), settledRows }),
    ).toThrow(PlannerInputInvalid);
    expect(() =>
      plan({ state: state.slice(1), sharePoint: delta([], ["1"]), rows: rows.slice(1), settledRows }),
    ).toThrow(PlannerInputInvalid);
    expect(() =>
      plan({ state: state.slice(1), sharePoint: { kind: "full", items: [] }, rows: rows.slice(1), settledRows }),
    ).toThrow(PlannerInputInvalid);
    // An item a person settled a conflict of is planned, never left out.
    const settlement = {
      id: "item 1|Title",
      sharePointId: "1",
      field: "Title",
      choice: { kind: "sharePoint" as const },
      seen: { sharePoint: fieldHash("T1"), confluence: fieldHash("T1") },
    };
    expect(() =>
      planSync({
        rules: rules(),
        state: state.slice(1),
        sharePoint: delta(),
        confluence: { rows: rows.slice(1), settledRows, page: { version: 7, editedAt: "2024-05-01T08:00:00Z" } },
        runAt: "2024-05-01T10:00:00Z",
        settlements: [settlement],
      }),
    ).toThrow(PlannerInputInvalid);
  });

  describe("items awaiting a row that nothing can give them", () => {
    // Rows go to SharePoint only (fields both ways): a list larger than its page, whose other items get no row.
    const rowsOnly = rules({
      direction: "toSharePoint",
      deletes: { toSharePoint: "delete" },
      fields: FIELDS.map((field) => ({ sharePoint: field, confluence: field, direction: "both" as const })),
    });
    const fields = rowsOnly.fields.map((rule) => rule.key);

    /** Items 1…4 with rows, 5…12 remembered without (`awaitingRow`), after a first sync. */
    function listLargerThanPage(): { state: ItemState[]; rows: ReturnType<typeof row>[] } {
      const items = Array.from({ length: 12 }, (_, i) => item(String(i + 1), { ...TASK, Title: `T${i + 1}` }));
      const rows = items.slice(0, 4).map((it, index) => row(index, it.id, { ...TASK, Title: `T${it.id}` }));
      const state = commit([], ready(plan({ rules: rowsOnly, sharePoint: { kind: "full", items }, rows })));
      return { state, rows };
    }

    it("have an idle digest the engine can compute from the id and the profile's fields", () => {
      const { state } = listLargerThanPage();
      const waiting = state.filter((s) => s.status === "awaitingRow");
      expect(waiting).toHaveLength(8);
      for (const s of waiting) expect(idleAwaitingDigest(s)).toBe(awaitingItemDigest(s.sharePointId, fields));
      expect(awaitingItemDigest("5", [...fields, "Due"])).not.toBe(idleAwaitingDigest(waiting[0]!));
      const [first] = waiting;
      const title = first!.fields.Title!;
      for (const variant of [
        { ...first!, awaitedRow: { afterKey: "1", beforeKey: null } },
        { ...first!, fields: { ...first!.fields, Title: { ...title, unconfirmedWrite: { hash: EMPTY_HASH } } } },
        { ...first!, fields: { ...first!.fields, Title: { base: null } } },
      ] as ItemState[])
        expect(idleAwaitingDigest(variant), JSON.stringify(variant)).toBeNull();
    });

    it("are counted, not planned: the plan is the one made with their states, the mass-delete limit included", () => {
      const { state, rows } = listLargerThanPage();
      // Rows 3 and 4 were removed: 2 of 12 items may go (within 20 %), not 2 of 4.
      const kept = rows.slice(0, 2);
      const idle = state.filter((s) => s.status === "awaitingRow");
      const everything = ready(plan({ rules: rowsOnly, state, sharePoint: delta(), rows: kept }));
      const withIdle = ready(
        planSync({
          rules: rowsOnly,
          state: state.filter((s) => s.status !== "awaitingRow"),
          idleAwaitingItems: idle.length,
          sharePoint: delta(),
          confluence: { rows: kept, page: { version: 7, editedAt: "2024-05-01T08:00:00Z" } },
          runAt: "2024-05-01T10:00:00Z",
        }),
      );
      expect(withIdle).toEqual(everything);
      expect(withIdle.sharePoint.deletes.map((d) => d.sharePointId)).toEqual(["3", "4"]);
    });

    it("are refused while a keyless row could pair them, when the profile appends rows, or on a full enumeration", () => {
      const { state, rows } = listLargerThanPage();
      const input = (overrides: Partial<Parameters<typeof planSync>[0]>) => () =>
        planSync({
          rules: rowsOnly,
          state: state.filter((s) => s.status !== "awaitingRow"),
          idleAwaitingItems: 8,
          sharePoint: delta(),
          confluence: { rows, page: { version: 7, editedAt: "2024-05-01T08:00:00Z" } },
          runAt: "2024-05-01T10:00:00Z",
          ...overrides,
        });
      expect(input({})).not.toThrow();
      const keyless = row(4, null, { ...TASK, Title: "new" });
      expect(input({ confluence: { rows: [...rows, keyless], page: { version: 7, editedAt: "x" } } })).toThrow(
        PlannerInputInvalid,
      );
      expect(input({ rules: rules() })).toThrow(PlannerInputInvalid);
      expect(input({ sharePoint: { kind: "full", items: [] } })).toThrow(PlannerInputInvalid);
    });
  });
});

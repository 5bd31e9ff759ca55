import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyGates, type ItemState, NO_CLOSED_GATES, type ReadyPlan } from "../../shared/sync";
import { allApplied, commit, delta, full, item, plan, ready, row, rules, syncedState } from "./planFixtures";

const A = { Title: "Alpha", Status: "Open", Owner: "ann" };

function gated(result: ReadyPlan, closed: { toConfluence?: string[]; toSharePoint?: string[]; rows?: number[] }) {
  return applyGates(result, {
    towardConfluence: new Set(closed.toConfluence ?? []),
    towardSharePoint: new Set(closed.toSharePoint ?? []),
    rowsTowardSharePoint: new Set(closed.rows ?? []),
  });
}

describe("gates (docs/pages-mode.md §5)", () => {
  it("change nothing when every gate is open", () => {
    const state = syncedState({ 1: A });
    const result = ready(
      plan({ state, sharePoint: delta([item("1", { ...A, Status: "Done" })]), rows: [row(0, "1", A)] }),
    );
    expect(applyGates(result, NO_CLOSED_GATES).plan).toBe(result);
  });

  it("hold a SharePoint change back while the SharePoint gate is closed, and let it flow once it opens", () => {
    let state: ItemState[] = syncedState({ 1: A });
    const edited = { ...A, Status: "Done" };
    const closed = gated(ready(plan({ state, sharePoint: delta([item("1", edited, 2)]), rows: [row(0, "1", A)] })), {
      toConfluence: ["1"],
    });
    expect(closed.plan.confluence.rowUpdates).toEqual([]);
    expect(closed.held).toEqual([{ sharePointId: "1", rowRef: 0, toward: "confluence", fields: ["Status"] }]);
    state = commit(state, closed.plan, allApplied(closed.plan));
    // The base did not move, and SharePoint's pending value is kept for a run whose delta no longer reports it.
    expect(state[0]?.fields.Status?.base?.value).toBe("Open");
    expect(state[0]?.fields.Status?.sharePoint).toMatchObject({ ok: true, value: "Done" });
    expect(state[0]?.fields.Status?.unconfirmedWrite).toBeUndefined();
    // The gate opens (the flip is an edit, so the item is in the delta again): the held change flows.
    const open = ready(plan({ state, sharePoint: delta([item("1", edited, 3)]), rows: [row(0, "1", A)] }));
    expect(open.confluence.rowUpdates).toEqual([expect.objectContaining({ cells: { Status: "Done" } })]);
  });

  it("hold a Confluence change back while the Confluence gate is closed, writing nothing to SharePoint", () => {
    const state = syncedState({ 1: A });
    const result = ready(plan({ state, sharePoint: delta(), rows: [row(0, "1", { ...A, Owner: "bob" })] }));
    const closed = gated(result, { toSharePoint: ["1"] });
    expect(closed.plan.sharePoint.updates).toEqual([]);
    const next = commit(state, closed.plan, allApplied(closed.plan));
    expect(next[0]?.fields.Owner?.base?.value).toBe("ann");
  });

  it("let the open direction through for the same item: each direction has its own gate", () => {
    const state = syncedState({ 1: A });
    const result = ready(
      plan({
        state,
        sharePoint: delta([item("1", { ...A, Status: "Done" }, 2)]),
        rows: [row(0, "1", { ...A, Owner: "bob" })],
      }),
    );
    const closed = gated(result, { toConfluence: ["1"] });
    expect(closed.plan.confluence.rowUpdates).toEqual([]);
    expect(closed.plan.sharePoint.updates).toEqual([expect.objectContaining({ fields: { Owner: "bob" } })]);
    const next = commit(state, closed.plan, allApplied(closed.plan));
    expect(next[0]?.fields.Owner?.base?.value).toBe("bob");
    expect(next[0]?.fields.Status?.base?.value).toBe("Open");
  });

  it("create no page (no row) for a new item whose SharePoint gate is closed, remembering the item", () => {
    const result = ready(plan({ state: [], sharePoint: full(item("9", A)), rows: [] }));
    expect(result.confluence.appends).toHaveLength(1);
    const closed = gated(result, { toConfluence: ["9"] });
    expect(closed.plan.confluence.appends).toEqual([]);
    const state = commit([], closed.plan, allApplied(closed.plan));
    expect(state[0]?.status).toBe("awaitingRow");
  });

  it("create no item for a new row whose Confluence gate is closed", () => {
    const result = ready(plan({ state: [], sharePoint: full(), rows: [row(0, null, A)] }));
    expect(result.sharePoint.creates).toHaveLength(1);
    const closed = gated(result, { rows: [0] });
    expect(closed.plan.sharePoint.creates).toEqual([]);
    expect(closed.plan.confluence.keyWriteBacks).toEqual([]);
    expect(closed.plan.stateUpdates).toEqual([]);
  });

  it("leave a conflict the held write would settle to the run after the gate opens", () => {
    const state = syncedState({ 1: A });
    const result = ready(
      plan({
        rules: rules({ conflictPolicy: "sharepoint-wins" }),
        state,
        sharePoint: delta([item("1", { ...A, Status: "Done" }, 2)]),
        rows: [row(0, "1", { ...A, Status: "Doing" })],
      }),
    );
    expect(result.conflicts).toHaveLength(1);
    const closed = gated(result, { toConfluence: ["1"] }).plan;
    expect(closed.conflicts).toEqual([]);
    // Held, not gone: the engine must not take the conflict for settled and close it (nothing was written).
    expect(closed.heldConflicts).toEqual(result.conflicts);
    // A second transformation (pages mode's points budget after the gates) keeps what the first one held.
    expect(gated(closed, { toConfluence: ["2"] }).plan.heldConflicts).toEqual(result.conflicts);
    // The gate toward the loser's side does not hold the winner's write.
    expect(gated(result, { toSharePoint: ["1"] }).plan).toMatchObject({ conflicts: result.conflicts });
    expect(gated(result, { toSharePoint: ["1"] }).plan.heldConflicts).toBeUndefined();
  });

  it("hold a conflict whose winner is Confluence while the Confluence gate is closed; a flagged one stays reported", () => {
    const state = syncedState({ 1: A });
    const edits = {
      state,
      sharePoint: delta([item("1", { ...A, Status: "Done" }, 2)]),
      rows: [row(0, "1", { ...A, Status: "Doing" })],
    };
    const won = ready(plan({ ...edits, rules: rules({ conflictPolicy: "confluence-wins" }) }));
    const held = gated(won, { toSharePoint: ["1"] }).plan;
    expect(held.sharePoint.updates).toEqual([]);
    expect(held.heldConflicts).toEqual([
      expect.objectContaining({ field: "Status", resolution: expect.objectContaining({ winner: "confluence" }) }),
    ]);
    const flagged = ready(plan({ ...edits, rules: rules({ conflictPolicy: "flag" }) }));
    const stillFlagged = gated(flagged, { toSharePoint: ["1"], toConfluence: ["1"] }).plan;
    expect(stillFlagged.conflicts).toEqual(flagged.conflicts);
    expect(stillFlagged.heldConflicts).toBeUndefined();
  });

  it("never advance a base toward a closed side, whatever the edits (property)", () => {
    const value = fc.constantFrom("a", "b", "c");
    fc.assert(
      fc.property(value, value, value, fc.boolean(), fc.boolean(), (base, sp, cf, closeToC, closeToS) => {
        const pair = { Title: base, Status: "Open", Owner: "ann" };
        const state = syncedState({ 1: pair });
        const result = ready(
          plan({
            state,
            sharePoint: delta([item("1", { ...pair, Title: sp }, 2)]),
            rows: [row(0, "1", { ...pair, Title: cf })],
          }),
        );
        const closed = gated(result, { toConfluence: closeToC ? ["1"] : [], toSharePoint: closeToS ? ["1"] : [] });
        if (closeToC) expect(closed.plan.confluence.rowUpdates).toEqual([]);
        if (closeToS) expect(closed.plan.sharePoint.updates).toEqual([]);
        const next = commit(state, closed.plan, allApplied(closed.plan));
        const title = next[0]?.fields.Title;
        // A base only ever moves to a value both sides now hold.
        if (title?.base?.value !== base && title?.base !== null) {
          const nowOnPage = closeToC || sp === base ? cf : sp;
          const nowInList = closeToS || cf === base ? sp : cf;
          expect(title?.base?.value).toBe(nowOnPage === nowInList ? nowOnPage : undefined);
        }
      }),
      { numRuns: 300 },
    );
  });
});

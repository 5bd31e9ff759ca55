import { describe, expect, it } from "vitest";
import { type ApplyOutcome, NOTHING_APPLIED, settleItemState, settlePlan } from "../../shared/sync";
import { allApplied, commit, delta, full, item, plan, ready, row, rules, syncedState } from "./planFixtures";

const TASK = { Title: "Laptop", Status: "Open", Owner: "ann" };

describe("settling a plan's state against what was applied", () => {
  it("advances a field's base only when the write it depends on succeeded", () => {
    const state = syncedState({ "1": TASK });
    const result = ready(
      plan({
        state,
        sharePoint: delta([item("1", { ...TASK, Title: "Laptop 14" }, 2)]),
        rows: [row(0, "1", { ...TASK, Owner: "bob" })],
      }),
    );
    const onlySharePoint: ApplyOutcome = { ...allApplied(result), confluenceApplied: false };
    const [settled] = settlePlan(result, onlySharePoint);
    expect(settled?.kind === "put" && settled.state.fields).toMatchObject({
      Owner: { base: { value: "bob" } }, // written to SharePoint
      Title: { base: { value: "Laptop" }, sharePoint: { ok: true, value: "Laptop 14" } }, // not yet on the page
    });
    expect(settled?.kind === "put" && settled.state.sharePointETag).toBe(`"1,next"`);
  });

  it("keeps the item's id and eTag from the create, and commits nothing for a create that failed", () => {
    const result = ready(
      plan({ sharePoint: full(), rows: [row(0, null, { Title: "Dock", Status: null, Owner: null })] }),
    );
    const [update] = result.stateUpdates;
    expect(update?.target).toEqual({ kind: "create", createRef: "row:0" });
    expect(settleItemState(update!, allApplied(result))).toMatchObject({
      kind: "put",
      state: { sharePointId: "100", status: "active", sharePointETag: `"100,1"` },
    });
    expect(settleItemState(update!, NOTHING_APPLIED)).toEqual({ kind: "none" });
  });

  it("remembers a created item whose id could not be written back, and where its row was", () => {
    const result = ready(
      plan({
        state: syncedState({ "1": TASK }),
        sharePoint: delta(),
        rows: [row(0, "1", TASK), row(1, null, { Title: "Dock", Status: null, Owner: null })],
      }),
    );
    const created = result.stateUpdates.find((u) => u.target.kind === "create")!;
    expect(settleItemState(created, { ...allApplied(result), confluenceApplied: false })).toMatchObject({
      kind: "put",
      state: { sharePointId: "100", status: "awaitingRow", awaitedRow: { afterKey: "1", beforeKey: null } },
    });
  });

  it("deletes the state of a pair whose deletion went through, and keeps a tombstone otherwise", () => {
    const state = syncedState({ "1": TASK, "2": TASK, "3": TASK, "4": TASK, "5": TASK });
    const rows = ["2", "3", "4", "5"].map((id, index) => row(index, id, TASK));
    const result = ready(
      plan({ rules: rules({ deletes: { toSharePoint: "delete" } }), state, sharePoint: delta(), rows }),
    );
    const [update] = result.stateUpdates;
    expect(settleItemState(update!, allApplied(result))).toEqual({ kind: "delete", sharePointId: "1" });
    expect(settleItemState(update!, NOTHING_APPLIED)).toMatchObject({
      kind: "put",
      state: { status: "deletedInConfluence" },
    });
  });

  it("commits the same state whether the pair's writes are applied in one phase or two", () => {
    const state = syncedState({ "1": TASK });
    const result = ready(
      plan({
        state,
        sharePoint: delta([item("1", { ...TASK, Title: "Laptop 14" }, 2)]),
        rows: [row(0, "1", { ...TASK, Owner: "bob" })],
      }),
    );
    const outcome = allApplied(result);
    const phased = commit(
      commit(commit(state, result, NOTHING_APPLIED), result, { ...outcome, confluenceApplied: false }),
      result,
      outcome,
    );
    expect(phased).toEqual(commit(state, result, outcome));
  });
});

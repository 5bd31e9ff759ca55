import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CanonicalValue,
  type ConflictRecord,
  type DeletionSettlement,
  type ItemState,
  isQuietPlan,
  type Plan,
  planSync,
  type ReadyPlan,
  type SharePointSide,
  type SyncRules,
  settlementProgress,
  survivorDigest,
} from "../../shared/sync";
import { allApplied, commit, delta, item, ready, row, rules, syncedState } from "./planFixtures";

const TASK = { Title: "Laptop", Status: "Open", Owner: "ann" };
/** Deleting the one item of one is within this limit; the default (20 %) would stop it. */
const ONE_OF_ONE = rules({ massDeleteLimitPercent: 100 });

interface Situation {
  readonly state: readonly ItemState[];
  readonly sharePoint: SharePointSide;
  readonly rows: ReturnType<typeof row>[];
  readonly ruleSet?: SyncRules;
}

function planWith(situation: Situation, deletionSettlements: readonly DeletionSettlement[] = []): Plan {
  return planSync({
    rules: situation.ruleSet ?? ONE_OF_ONE,
    state: situation.state,
    sharePoint: situation.sharePoint,
    confluence: { rows: situation.rows, page: { version: 7, editedAt: "2024-05-01T08:00:00Z" } },
    runAt: "2024-05-01T10:00:00Z",
    deletionSettlements,
  });
}

/** The delete-vs-edit conflict of item 1 a first run flagged, and the state it committed. */
function flagged(situation: Situation): {
  conflict: Extract<ConflictRecord, { kind: "deleteVsEdit" }>;
  state: ItemState[];
} {
  const result = ready(planWith(situation));
  const [conflict] = result.conflicts;
  if (conflict?.kind !== "deleteVsEdit")
    throw new Error(`expected a delete-vs-edit conflict: ${JSON.stringify(result)}`);
  return { conflict, state: commit(situation.state, result) };
}

const settle = (conflict: Extract<ConflictRecord, { kind: "deleteVsEdit" }>): DeletionSettlement => ({
  id: "item 1|(item)",
  sharePointId: "1",
  seen: survivorDigest(conflict.edits),
});

/** Row 1 removed from the page, item 1 edited in SharePoint (`edit`), under the default policies (keep, flag). */
function rowGone(edit: Record<string, CanonicalValue>, ruleSet?: SyncRules): Situation {
  return {
    state: syncedState({ "1": TASK }),
    sharePoint: delta([item("1", { ...TASK, ...edit }, 2)]),
    rows: [],
    ...(ruleSet === undefined ? {} : { ruleSet }),
  };
}

describe("settling a delete-vs-edit conflict by taking the deletion", () => {
  it("deletes the edited SharePoint item with If-Match, drops its state once deleted, and the next run is quiet", () => {
    const { conflict, state } = flagged(rowGone({ Status: "Done" }));
    expect(conflict.deletedIn).toBe("confluence");
    const situation = { state, sharePoint: delta(), rows: [] };
    const result = ready(planWith(situation, [settle(conflict)]));
    expect(result.sharePoint.deletes).toEqual([{ sharePointId: "1", ifMatch: '"1,2"' }]);
    expect(result.conflicts).toEqual([]);
    expect(result.decisions).toMatchObject([{ action: { kind: "deleteInSharePoint" } }]);
    expect(result.deletionSettlements).toEqual([
      {
        kind: "applied",
        id: "item 1|(item)",
        item: { sharePointId: "1", rowRef: null, createRef: null },
        deletes: "sharePoint",
      },
    ]);
    expect(settlementProgress(result, allApplied(result))).toEqual({ done: ["item 1|(item)"], pending: [] });
    const after = commit(state, result);
    expect(after).toEqual([]);
    expect(isQuietPlan(planWith({ state: after, sharePoint: delta([], ["1"]), rows: [] }))).toBe(true);
  });

  it("keeps the tombstone and the settlement pending when the delete failed (a 412: the item changed)", () => {
    const { conflict, state } = flagged(rowGone({ Status: "Done" }));
    const result = ready(planWith({ state, sharePoint: delta(), rows: [] }, [settle(conflict)]));
    const refused = allApplied(result, {
      sharePointItems: new Map([["1", { ok: false, preconditionFailed: true }]]),
    });
    expect(settlementProgress(result, refused)).toEqual({ done: [], pending: ["item 1|(item)"] });
    expect(commit(state, result, refused)[0]?.status).toBe("deletedInConfluence");
  });

  it("removes the edited row from the page when SharePoint deleted the item", () => {
    const state = syncedState({ "1": TASK });
    const edited = [row(0, "1", { ...TASK, Owner: "bob" })];
    const { conflict, state: flaggedState } = flagged({ state, sharePoint: delta([], ["1"]), rows: edited });
    expect(conflict.deletedIn).toBe("sharePoint");
    const result = ready(planWith({ state: flaggedState, sharePoint: delta(), rows: edited }, [settle(conflict)]));
    expect(result.confluence.removals).toEqual([{ rowRef: 0, sharePointId: "1" }]);
    expect(result.conflicts).toEqual([]);
    expect(result.deletionSettlements).toMatchObject([{ kind: "applied", deletes: "confluence" }]);
    expect(settlementProgress(result, allApplied(result, { confluenceApplied: false }))).toEqual({
      done: [],
      pending: ["item 1|(item)"],
    });
    expect(commit(flaggedState, result)).toEqual([]);
  });

  it("counts the deletes it takes against the mass-delete limit", () => {
    const pairs = Object.fromEntries(["1", "2", "3", "4", "5"].map((id) => [id, { ...TASK, Title: `T${id}` }]));
    const state = syncedState(pairs);
    const rows = ["3", "4", "5"].map((id, index) => row(index, id, pairs[id] as Record<string, CanonicalValue>));
    const edited = ["1", "2"].map((id) =>
      item(id, { ...pairs[id], Status: "Done" } as Record<string, CanonicalValue>, 2),
    );
    const first = ready(planWith({ state, sharePoint: delta(edited), rows, ruleSet: rules() }));
    expect(first.conflicts).toHaveLength(2);
    const settlements = first.conflicts.map((conflict) => ({
      id: `item ${conflict.item.sharePointId}|(item)`,
      sharePointId: conflict.item.sharePointId as string,
      seen: survivorDigest(conflict.kind === "deleteVsEdit" ? conflict.edits : []),
    }));
    const result = planWith({ state: commit(state, first), sharePoint: delta(), rows, ruleSet: rules() }, settlements);
    expect(result).toMatchObject({ kind: "stopped", reason: { code: "MASS_DELETE_LIMIT" } });
  });

  it("is stale when the survivor was edited since: nothing is deleted and the conflict is reported anew", () => {
    const { conflict, state } = flagged(rowGone({ Status: "Done" }));
    const again = { state, sharePoint: delta([item("1", { ...TASK, Status: "Done", Owner: "cy" }, 3)]), rows: [] };
    const result = ready(planWith(again, [settle(conflict)]));
    expect(result.sharePoint.deletes).toEqual([]);
    expect(result.deletionSettlements).toMatchObject([{ kind: "stale", id: "item 1|(item)", survivor: "sharePoint" }]);
    expect(result.conflicts).toMatchObject([
      { kind: "deleteVsEdit", edits: [{ field: "Status" }, { field: "Owner" }] },
    ]);
    expect(settlementProgress(result, allApplied(result))).toEqual({ done: [], pending: [] });
  });

  it("deletes the survivor exactly when it holds what the person saw (property)", () => {
    const value = fc.constantFrom("Open", "Done", "Blocked", "Review");
    const owner = fc.constantFrom("ann", "bob", "cy");
    fc.assert(
      fc.property(
        fc.record({ Status: value, Owner: owner }),
        fc.record({ Status: value, Owner: owner }),
        fc.boolean(),
        (seen, now, deletes) => {
          fc.pre(seen.Status !== TASK.Status || seen.Owner !== TASK.Owner);
          const ruleSet = rules({
            deletes: { toSharePoint: deletes ? "delete" : "keep" },
            massDeleteLimitPercent: 100,
          });
          const { conflict, state } = flagged(rowGone(seen, ruleSet));
          const situation = { state, sharePoint: delta([item("1", { ...TASK, ...now }, 3)]), rows: [], ruleSet };
          const result: ReadyPlan = ready(planWith(situation, [settle(conflict)]));
          const same = seen.Status === now.Status && seen.Owner === now.Owner;
          const edited = now.Status !== TASK.Status || now.Owner !== TASK.Owner;
          // An unedited survivor is deleted (or kept) by the policy; an edited one only by a fresh settlement.
          const expectDelete = edited ? same : deletes;
          expect(result.sharePoint.deletes.map((d) => d.sharePointId)).toEqual(expectDelete ? ["1"] : []);
          expect(result.conflicts.length).toBe(edited && !same ? 1 : 0);
        },
      ),
      { numRuns: 200 },
    );
  });
});

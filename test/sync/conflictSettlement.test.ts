import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ApplyOutcome,
  applyGates,
  type CanonicalValue,
  type ConfluenceRowReading,
  type FieldSettlement,
  fieldHash,
  type ItemState,
  isQuietPlan,
  type Plan,
  planSync,
  type ReadyPlan,
  type SettlementChoice,
  type SharePointSide,
  type SyncRules,
  settlementProgress,
} from "../../shared/sync";
import { allApplied, commit, delta, item, ready, row, rules, syncedState } from "./planFixtures";

const TASK = { Title: "Laptop", Status: "Open", Owner: "ann" };

interface World {
  sharePoint: Record<string, CanonicalValue>;
  confluence: Record<string, CanonicalValue>;
  state: ItemState[];
  version: number;
}

function planWith(
  world: World,
  settlements: readonly FieldSettlement[],
  options: { ruleSet?: SyncRules; sharePoint?: SharePointSide } = {},
): Plan {
  const rows: ConfluenceRowReading[] = [row(0, "1", world.confluence)];
  return planSync({
    rules: options.ruleSet ?? rules(),
    state: world.state,
    sharePoint: options.sharePoint ?? delta([item("1", world.sharePoint, world.version)]),
    confluence: { rows, page: { version: 7, editedAt: "2024-05-01T08:00:00Z" } },
    runAt: "2024-05-01T10:00:00Z",
    settlements,
  });
}

/** Item 1 in sync, then SharePoint says `sharePoint` and Confluence `confluence` for Status: one flagged run. */
function conflicted(sharePoint: CanonicalValue, confluence: CanonicalValue, ruleSet: SyncRules = rules()): World {
  const synced = syncedState({ "1": TASK }, ruleSet);
  const world: World = {
    sharePoint: { ...TASK, Status: sharePoint },
    confluence: { ...TASK, Status: confluence },
    state: synced,
    version: 2,
  };
  const flagged = ready(planWith(world, [], { ruleSet }));
  expect(flagged.conflicts).toMatchObject([{ field: "Status", resolution: { kind: "flagged" } }]);
  return { ...world, state: commit(synced, flagged) };
}

function settlement(world: World, choice: SettlementChoice, field = "Status"): FieldSettlement {
  return {
    id: `item 1|${field}`,
    sharePointId: "1",
    field,
    choice,
    seen: {
      sharePoint: fieldHash(world.sharePoint[field] ?? null),
      confluence: fieldHash(world.confluence[field] ?? null),
    },
  };
}

/** Applies the plan's writes to the world (those `outcome` says landed) and commits its state. */
function apply(world: World, result: ReadyPlan, outcome: ApplyOutcome = allApplied(result)): World {
  const update = result.sharePoint.updates.find((u) => u.sharePointId === "1");
  const sharePointOk = outcome.sharePointItems.get("1")?.ok === true;
  const rowUpdate = result.confluence.rowUpdates.find((u) => u.rowRef === 0);
  return {
    sharePoint: update && sharePointOk ? { ...world.sharePoint, ...update.fields } : world.sharePoint,
    confluence: rowUpdate && outcome.confluenceApplied ? { ...world.confluence, ...rowUpdate.cells } : world.confluence,
    state: commit(world.state, result, outcome),
    version: update && sharePointOk ? world.version + 1 : world.version,
  };
}

describe("settling a flagged conflict", () => {
  it("takes SharePoint's value: writes it into the row only, reports no conflict, and the next run is quiet", () => {
    const world = conflicted("Blocked", "Done");
    const result = ready(planWith(world, [settlement(world, { kind: "sharePoint" })]));
    expect(result.sharePoint.updates).toEqual([]);
    expect(result.confluence.rowUpdates).toEqual([
      { rowRef: 0, sharePointId: "1", afterCreate: null, cells: { Status: "Blocked" } },
    ]);
    expect(result.conflicts).toEqual([]);
    expect(result.settlements).toMatchObject([
      { kind: "applied", id: "item 1|Status", field: "Status", writes: ["confluence"] },
    ]);
    const after = apply(world, result);
    expect(after.state[0]?.fields.Status).toEqual({ base: { hash: fieldHash("Blocked"), value: "Blocked" } });
    expect(isQuietPlan(planWith(after, [], { sharePoint: delta() }))).toBe(true);
  });

  it("takes Confluence's value: updates the item with the If-Match of the version read", () => {
    const world = conflicted("Blocked", "Done");
    const result = ready(planWith(world, [settlement(world, { kind: "confluence" })]));
    expect(result.sharePoint.updates).toEqual([{ sharePointId: "1", ifMatch: '"1,2"', fields: { Status: "Done" } }]);
    expect(result.confluence.rowUpdates).toEqual([]);
    expect(isQuietPlan(planWith(apply(world, result), [], { sharePoint: delta() }))).toBe(true);
  });

  it("takes a value of the person's own: writes it to both sides, and the base moves only once both landed", () => {
    const world = conflicted("Blocked", "Done");
    const settled = settlement(world, { kind: "value", value: "Waiting" });
    const result = ready(planWith(world, [settled]));
    expect(result.sharePoint.updates).toMatchObject([{ sharePointId: "1", fields: { Status: "Waiting" } }]);
    expect(result.confluence.rowUpdates).toMatchObject([{ rowRef: 0, cells: { Status: "Waiting" } }]);

    // The item was written, the page update failed: still a dispute, and the settlement is still pending.
    const half = apply(world, result, allApplied(result, { confluenceApplied: false }));
    expect(settlementProgress(result, allApplied(result, { confluenceApplied: false }))).toEqual({
      done: [],
      pending: ["item 1|Status"],
    });
    expect(half.state[0]?.fields.Status).toMatchObject({ base: null, disputed: true });
    // The next run finds SharePoint already holding the chosen value: it writes only the row.
    const retry = ready(planWith(half, [settled]));
    expect(retry.sharePoint.updates).toEqual([]);
    expect(retry.confluence.rowUpdates).toMatchObject([{ cells: { Status: "Waiting" } }]);
    expect(settlementProgress(retry, allApplied(retry))).toEqual({ done: ["item 1|Status"], pending: [] });
    const done = apply(half, retry);
    expect(done.state[0]?.fields.Status?.base?.value).toBe("Waiting");
    expect(isQuietPlan(planWith(done, [], { sharePoint: delta() }))).toBe(true);
  });

  it("does not apply a settlement made stale by a later edit, and flags the conflict with the new value", () => {
    const world = conflicted("Blocked", "Done");
    const settled = settlement(world, { kind: "confluence" });
    const edited = { ...world, sharePoint: { ...world.sharePoint, Status: "Review" }, version: 3 };
    const result = ready(planWith(edited, [settled]));
    expect(result.sharePoint.updates).toEqual([]);
    expect(result.confluence.rowUpdates).toEqual([]);
    expect(result.settlements).toMatchObject([
      { kind: "stale", reason: { kind: "edited", sides: ["sharePoint"] }, sharePoint: { value: "Review" } },
    ]);
    expect(result.conflicts).toMatchObject([
      {
        field: "Status",
        sharePoint: { value: "Review" },
        confluence: { value: "Done" },
        resolution: { kind: "flagged" },
      },
    ]);
  });

  it("counts an unreadable value as an edit", () => {
    const world = conflicted("Blocked", "Done");
    const rows = [
      {
        ...row(0, "1", world.confluence),
        cells: {
          ...row(0, "1", world.confluence).cells,
          Status: { ok: false as const, error: { code: "X", message: "x" } },
        },
      },
    ];
    const result = ready(
      planSync({
        rules: rules(),
        state: world.state,
        sharePoint: delta(),
        confluence: { rows, page: { version: 7, editedAt: "2024-05-01T08:00:00Z" } },
        runAt: "2024-05-01T10:00:00Z",
        settlements: [settlement(world, { kind: "sharePoint" })],
      }),
    );
    expect(result.settlements).toMatchObject([{ kind: "stale", reason: { sides: ["confluence"] }, confluence: null }]);
    expect(result.confluence.rowUpdates).toEqual([]);
  });

  it("does not write against a field's direction when the profile changed since the settlement", () => {
    const world = conflicted("Blocked", "Done");
    const oneWay = rules({
      fields: [
        { sharePoint: "Title", confluence: "Title" },
        { sharePoint: "Status", confluence: "Status", direction: "toConfluence" },
        { sharePoint: "Owner", confluence: "Owner" },
      ],
    });
    const result = ready(planWith(world, [settlement(world, { kind: "confluence" })], { ruleSet: oneWay }));
    expect(result.settlements).toMatchObject([
      { kind: "stale", reason: { kind: "oneWay", direction: "toConfluence" } },
    ]);
    expect(result.sharePoint.updates).toEqual([]);
  });

  it("moves the base without writing when both sides already hold the chosen value", () => {
    const world = conflicted("Blocked", "Done");
    const settled = settlement(world, { kind: "value", value: "Waiting" });
    const met = {
      ...world,
      sharePoint: { ...world.sharePoint, Status: "Waiting" },
      confluence: { ...world.confluence, Status: "Waiting" },
      version: 3,
    };
    const result = ready(planWith(met, [settled]));
    expect(result.sharePoint.updates).toEqual([]);
    expect(result.confluence.rowUpdates).toEqual([]);
    expect(result.settlements).toMatchObject([{ kind: "applied", writes: [] }]);
    expect(commit(met.state, result)[0]?.fields.Status?.base?.value).toBe("Waiting");
  });

  it("reads the item first when the chosen SharePoint value is kept only by its hash", () => {
    const tight = rules();
    const longValue = "Blocked by the vendor's review";
    const world = conflicted(longValue, "Done", { ...tight, storedValueMaxChars: 5 });
    const result = planWith(world, [settlement(world, { kind: "sharePoint" })], {
      ruleSet: { ...tight, storedValueMaxChars: 5 },
      sharePoint: delta(),
    });
    expect(result).toEqual({ kind: "needsReads", sharePointIds: ["1"] });
  });

  it("refuses a settlement of the same field twice", () => {
    const world = conflicted("Blocked", "Done");
    const settled = settlement(world, { kind: "sharePoint" });
    expect(() => planWith(world, [settled, settled])).toThrow(/settled twice/);
  });
});

const value = fc.constantFrom<CanonicalValue>(null, "a", "b", "c", "d");
const choice = fc.oneof(
  fc.constant<SettlementChoice>({ kind: "sharePoint" }),
  fc.constant<SettlementChoice>({ kind: "confluence" }),
  value.map((v): SettlementChoice => ({ kind: "value", value: v })),
);
/** Which writes of a plan land: the item update, the page update. */
const landing = fc.record({ sharePoint: fc.boolean(), confluence: fc.boolean() });

function outcomeOf(result: ReadyPlan, lands: { sharePoint: boolean; confluence: boolean }): ApplyOutcome {
  const all = allApplied(result);
  return {
    ...all,
    sharePointItems: lands.sharePoint
      ? all.sharePointItems
      : new Map([["1", { ok: false, preconditionFailed: false }]]),
    confluenceApplied: lands.confluence,
  };
}

describe("settlements, property-based", () => {
  it("a fresh settlement converges on the chosen value whatever fails on the way, and then the runs are quiet", () => {
    fc.assert(
      fc.property(value, value, choice, fc.array(landing, { maxLength: 3 }), (sp, cf, chosen, failures) => {
        fc.pre(sp !== cf);
        let world = conflicted(sp, cf);
        const settled = settlement(world, chosen);
        const target = chosen.kind === "value" ? chosen.value : chosen.kind === "sharePoint" ? sp : cf;
        // Runs whose writes partly fail, then one whose writes land: the settlement stays pending until then.
        for (const lands of [...failures, { sharePoint: true, confluence: true }]) {
          const result = ready(planWith(world, [settled]));
          expect(result.conflicts).toEqual([]);
          // Only the sides that do not hold the chosen value are written, and only with it.
          const writes = result.settlements?.[0];
          expect(writes?.kind).toBe("applied");
          for (const update of result.sharePoint.updates) expect(update.fields).toEqual({ Status: target });
          for (const update of result.confluence.rowUpdates) expect(update.cells).toEqual({ Status: target });
          expect(result.sharePoint.updates.length > 0).toBe(world.sharePoint.Status !== target);
          expect(result.confluence.rowUpdates.length > 0).toBe(world.confluence.Status !== target);
          const outcome = outcomeOf(result, lands);
          const progress = settlementProgress(result, outcome);
          world = apply(world, result, outcome);
          if (progress.done.length === 1) break;
        }
        expect(world.sharePoint.Status).toBe(target);
        expect(world.confluence.Status).toBe(target);
        expect(world.state[0]?.fields.Status?.base?.hash).toBe(fieldHash(target));
        expect(isQuietPlan(planWith(world, [], { sharePoint: delta() }))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("a settlement made stale by an edit on either side never overwrites that edit", () => {
    fc.assert(
      fc.property(
        value,
        value,
        choice,
        fc.constantFrom("sharePoint", "confluence"),
        value,
        (sp, cf, chosen, side, edit) => {
          fc.pre(sp !== cf);
          const world = conflicted(sp, cf);
          const settled = settlement(world, chosen);
          const target = chosen.kind === "value" ? chosen.value : chosen.kind === "sharePoint" ? sp : cf;
          const before = side === "sharePoint" ? sp : cf;
          fc.pre(edit !== before && edit !== target);
          const edited =
            side === "sharePoint"
              ? { ...world, sharePoint: { ...world.sharePoint, Status: edit }, version: 3 }
              : { ...world, confluence: { ...world.confluence, Status: edit } };
          const result = ready(planWith(edited, [settled]));
          expect(result.settlements).toMatchObject([{ kind: "stale", reason: { kind: "edited", sides: [side] } }]);
          expect(result.sharePoint.updates).toEqual([]);
          expect(result.confluence.rowUpdates).toEqual([]);
          // The dispute goes on with the new value (or ends, when the edit made the sides agree).
          const other = side === "sharePoint" ? cf : sp;
          if (edit === other) expect(result.conflicts).toEqual([]);
          else expect(result.conflicts).toMatchObject([{ field: "Status", [side]: { hash: fieldHash(edit) } }]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("a settlement behind a closed gate (docs/pages-mode.md §5)", () => {
  it("a value for both sides, one gate closed: held whole, the base stays, pending until the gate opens", () => {
    const world = conflicted("Blocked", "Done");
    const given = [settlement(world, { kind: "value", value: "Waiting" })];
    const result = ready(planWith(world, given));
    expect(result.settlements).toMatchObject([{ kind: "applied", writes: ["sharePoint", "confluence"] }]);
    const gated = applyGates(result, { towardConfluence: new Set(["1"]), towardSharePoint: new Set() }).plan;
    expect(gated.settlements).toMatchObject([{ kind: "applied", held: ["confluence"] }]);
    expect(gated.confluence.rowUpdates).toEqual([]);
    expect(settlementProgress(gated, allApplied(gated))).toEqual({ done: [], pending: ["item 1|Status"] });
    const after = apply(world, gated);
    // SharePoint got the value; the base did not move to it, so the page's "Done" is not taken for an edit to push.
    expect(after.sharePoint.Status).toBe("Waiting");
    expect(after.state[0]?.fields.Status).toMatchObject({ base: null, disputed: true });
    // The gate opens: the same settlement, still pending, is applied and writes the page (SharePoint holds it now).
    const open = ready(planWith(after, given));
    expect(open.confluence.rowUpdates).toEqual([expect.objectContaining({ cells: { Status: "Waiting" } })]);
    expect(open.sharePoint.updates).toEqual([]);
  });
});

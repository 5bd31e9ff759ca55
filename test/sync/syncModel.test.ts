import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planSync, type SyncRules } from "../../shared/sync";
import { checkAwaitedWrites } from "./model/awaitedWrites";
import {
  flaggingModelRules,
  MODEL_FIELDS,
  type ModelStep,
  modelRules,
  modelStep,
  settlingModelSteps,
} from "./model/modelArbitraries";
import { applyPersonEdit } from "./model/personEdits";
import { settledRowsSeen } from "./model/settledRowsCheck";
import { dryRunSimulatedSync, NO_FAULTS, runSimulatedSync } from "./model/simulatedEngine";
import { deletionSettlementsSeen, SimulatedWorld } from "./model/simulatedWorld";
import { InvariantViolation, SyncInvariants } from "./model/syncInvariants";
import type { SyncRunRecord } from "./model/syncRunRecord";

/**
 * Default runs keep `npm test` to a few seconds; raise with SYNC_MODEL_RUNS=100000. A failure prints its seed and
 * path: replay it with SYNC_MODEL_SEED=<seed> SYNC_MODEL_PATH=<path> (the path goes straight to the shrunk case).
 */
const numRuns = Number(process.env.SYNC_MODEL_RUNS ?? 1000);
const seed = process.env.SYNC_MODEL_SEED === undefined ? undefined : Number(process.env.SYNC_MODEL_SEED);
const path = process.env.SYNC_MODEL_PATH;

/** Plays people's edits and sync runs (with faults) on a simulated world, checking the invariants after each run. */
function playModel(rules: SyncRules, steps: readonly ModelStep[]): void {
  const world = new SimulatedWorld(MODEL_FIELDS);
  const invariants = new SyncInvariants(rules);
  const sync = (faults = NO_FAULTS): SyncRunRecord => {
    const record = runSimulatedSync(world, rules, faults);
    if (record.plan.kind === "ready") checkAwaitedWrites(record.plan);
    invariants.sync(record, world.snapshot());
    if (record.crashed || record.createOutcomeUnknown) {
      // Durable Functions runs the activity again (and the engine re-runs after an unknown create outcome):
      // straight away, before anyone edits.
      return sync();
    }
    return record;
  };
  const expectQuietAfter = (record: SyncRunRecord) => {
    if (record.plan.kind === "stopped") {
      // Nothing was applied, so the next run faces the same deletions: it must stop again, having written nothing.
      invariants.quiescent(record, dryRunSimulatedSync(world, rules), world.snapshot(), world.state);
      return;
    }
    const next = planSync({
      rules,
      state: [...world.state.values()],
      sharePoint: { kind: "delta", ...world.list.readDelta(world.cursor ?? 0) },
      confluence: world.table.read().side,
      runAt: world.clock.now(),
      // A complete run applied every settlement it could or found it stale: none may still be waiting.
      settlements: world.pendingSettlements(),
      deletionSettlements: world.pendingDeletionSettlements(),
    });
    if (next.kind === "needsReads") {
      throw new InvariantViolation(`echo-free: a run with nothing new asks to read ${next.sharePointIds.join(", ")}`);
    }
    invariants.quiescent(record, next, world.snapshot(), world.state);
  };

  for (const step of steps) {
    if (step.kind === "edit") {
      const event = applyPersonEdit(world, step.edit);
      if (event !== null) invariants.person(event);
      continue;
    }
    if (step.kind === "settle") {
      const open = world.settleable();
      // Taking a side that deleted an item settles its delete-vs-edit conflict: the survivor is deleted.
      const deletions = step.choice.kind === "value" ? [] : world.deletionSettleable(step.choice.kind);
      const pick = step.pick % Math.max(open.length + deletions.length, 1);
      const conflict = open[pick];
      const deletion = deletions[pick - open.length];
      if (conflict !== undefined) world.settle(conflict, step.choice);
      else if (deletion !== undefined) world.settleDeletion(deletion);
      continue;
    }
    const record = sync(step.faults ?? NO_FAULTS);
    // Echo-free: a complete run leaves nothing to do.
    if (step.faults === null) expectQuietAfter(record);
  }
  // Convergence and quiet: once edits stop, one run propagates everything and the next plans nothing.
  expectQuietAfter(sync());
}

describe("sync model: people and sync runs with faults on two simulated replicas", () => {
  it(`keeps invariants 1-4, 7 and 8 over random edit/settlement/fault interleavings (${numRuns} runs)`, () => {
    fc.assert(
      fc.property(modelRules, fc.array(modelStep, { maxLength: 30 }), (rules, steps) => {
        playModel(rules, steps);
      }),
      { numRuns, ...(seed === undefined ? {} : { seed }), ...(path === undefined ? {} : { path }) },
    );
    // The settled-rows check ran on runs that had settled rows to leave out, many of them.
    expect(settledRowsSeen.withSettledRows).toBeGreaterThan(settledRowsSeen.checks / 25);
    expect(settledRowsSeen.withIdleAwaiting).toBeGreaterThan(0);
  }, 600_000);

  it(`keeps them while people settle the conflicts they make (${numRuns} runs)`, () => {
    fc.assert(
      fc.property(flaggingModelRules, settlingModelSteps, (rules, steps) => {
        playModel(rules, steps);
      }),
      { numRuns, ...(seed === undefined ? {} : { seed }), ...(path === undefined ? {} : { path }) },
    );
    // People took deletions of delete-vs-edit conflicts too, and some were found stale.
    if (seed === undefined && path === undefined) expect(deletionSettlementsSeen.applied).toBeGreaterThan(0);
  }, 600_000);

  /**
   * Known, not fixed yet (found by the settling property, seed 1731394614): while the mass-delete brake stops every
   * run, nothing is committed, so two sides that agree on a new value (Status b → empty on both) leave the stored base
   * at b. A person who then sets the page back to b makes an A-B-A edit the three-way merge cannot see, and the next
   * run writes SharePoint's empty over it with no conflict. The fix belongs in the planner and the stopped run's
   * ending (record the fields both sides already agree on even when the run writes nothing). This test pins the
   * violation the model reports today; the day the fix lands it fails, and its expectation becomes `not.toThrow()`.
   */
  it("known lost update: an agreement reached while the mass-delete brake holds is not recorded (not fixed yet)", () => {
    const rules = {
      profileKey: "model",
      fields: [
        { key: "Title", confluenceHeader: "Title", direction: "both" },
        { key: "Status", confluenceHeader: "Status", direction: "both" },
        { key: "Owner", confluenceHeader: "Owner", direction: "both" },
      ],
      itemDirection: "both",
      conflictPolicy: "flag",
      deletes: { toConfluence: "delete", toSharePoint: "keep" },
      massDeleteLimitPercent: 20,
      matchBy: null,
      storedValueMaxChars: 4000,
    } as unknown as SyncRules;
    const steps = [
      { kind: "edit", edit: { kind: "createItem", values: [{ unreadable: "abc" }, null, null] } },
      { kind: "edit", edit: { kind: "createItem", values: [{ unreadable: "abc" }, { unreadable: "abc" }, null] } },
      { kind: "edit", edit: { kind: "createItem", values: [null, "b", null] } },
      { kind: "edit", edit: { kind: "createItem", values: [null, null, null] } },
      { kind: "sync", faults: null },
      { kind: "edit", edit: { kind: "deleteItem", pick: 7 } },
      { kind: "edit", edit: { kind: "editItem", pick: 2, field: 1, value: null } },
      { kind: "edit", edit: { kind: "editCell", pick: 2, field: 1, value: null } },
      { kind: "sync", faults: null },
      { kind: "edit", edit: { kind: "editCell", pick: 2, field: 1, value: "b" } },
      { kind: "edit", edit: { kind: "editItem", pick: 3, field: 0, value: null } },
      { kind: "edit", edit: { kind: "editCell", pick: 3, field: 0, value: { unreadable: "abc" } } },
      { kind: "sync", faults: null },
    ] as unknown as ModelStep[];
    expect(() => playModel(rules, steps)).toThrow(/no lost update: the sync overwrote the edit Status=.* on cf:r3/);
  });
});

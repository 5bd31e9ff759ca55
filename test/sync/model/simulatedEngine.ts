import {
  type ApplyOutcome,
  type CreateRef,
  type FieldReading,
  hasConfluenceWrites,
  NOTHING_APPLIED,
  type Plan,
  planSync,
  type SharePointCreateOutcome,
  type SharePointItemReading,
  type SharePointOpOutcome,
  type SharePointSide,
  type StateCommit,
  type SyncRules,
  settlementProgress,
  settlePlan,
  writesAwaited,
} from "../../../shared/sync";
import { applyPersonEdit, type PersonEdit, type PersonEvent } from "./personEdits";
import { checkSettledRows } from "./settledRowsCheck";
import { patchRows } from "./simulatedConfluenceTable";
import type { SimulatedWorld } from "./simulatedWorld";
import type { SyncRunRecord } from "./syncRunRecord";

/** Where a run may crash: after its SharePoint writes, after the first state commit, after the page write, or midway through the final commit. */
export type CrashPoint = "none" | "afterSharePointWrites" | "afterPhaseOne" | "afterPageWrite" | "midCommit";

/** Faults injected into one sync run. */
export interface SyncFaults {
  /** Read the whole list instead of the delta (an expired delta link). */
  readonly fullRead: boolean;
  /**
   * SharePoint operations (in apply order: creates, updates, deletes) that fail after retries; `afterSuccess` = the
   * operation took effect but its answer was lost (a timeout), so the run believes it failed.
   */
  readonly failSharePointOps: readonly { readonly index: number; readonly afterSuccess: boolean }[];
  /** The page update: applied, or refused (after retries). */
  readonly confluence: "ok" | "fail";
  /** People editing between the run's reads and its writes (the source of 412s and 409s). */
  readonly concurrentEdits: readonly PersonEdit[];
  readonly crash: CrashPoint;
}

export const NO_FAULTS: SyncFaults = {
  fullRead: false,
  failSharePointOps: [],
  confluence: "ok",
  concurrentEdits: [],
  crash: "none",
};

/**
 * One sync run the way the engine is meant to run it: read (delta or full), plan (reading what the planner asks for
 * and planning again), record the conflicts, commit phase zero (nothing applied yet), apply the SharePoint writes,
 * commit phase one, apply the page write, commit phase two, then the delta cursor read at the start. Faults cut it
 * short or fail writes.
 */
export function runSimulatedSync(
  world: SimulatedWorld,
  rules: SyncRules,
  faults: SyncFaults = NO_FAULTS,
): SyncRunRecord {
  return runOrDryRun(world, rules, faults, false);
}

/** A dry run: reads and plans exactly like a run (including the reads the planner asks for), writes nothing. */
export function dryRunSimulatedSync(world: SimulatedWorld, rules: SyncRules): Plan {
  return runOrDryRun(world, rules, NO_FAULTS, true).plan;
}

function runOrDryRun(world: SimulatedWorld, rules: SyncRules, faults: SyncFaults, dryRun: boolean): SyncRunRecord {
  const { list, table } = world;
  const full = faults.fullRead || world.cursor === null;
  const cursorAtRead = list.cursor();
  let sharePoint: SharePointSide = full
    ? { kind: "full", items: list.readAll() }
    : { kind: "delta", ...list.readDelta(world.cursor ?? 0) };
  const read = table.read();
  const readSnapshot = world.snapshot();
  const totalsAtRead = { sharePoint: list.ids().length, confluence: read.rows.length };
  const runAt = world.clock.now();
  const settlements = world.pendingSettlements();
  const deletionSettlements = world.pendingDeletionSettlements();
  const planNow = () => {
    const state = [...world.state.values()];
    const input = { rules, state, sharePoint, confluence: read.side, runAt, settlements, deletionSettlements };
    checkSettledRows(input, rules);
    return planSync(input);
  };

  let plan = planNow();
  for (let round = 0; plan.kind === "needsReads"; round += 1) {
    if (round > 0 || sharePoint.kind === "full")
      throw new Error(`the planner asked for reads it had: ${plan.sharePointIds.join(", ")}`);
    const asked = new Set(plan.sharePointIds);
    const changed: SharePointItemReading[] = sharePoint.changed.filter((item) => !asked.has(item.id));
    const deletedIds = [...sharePoint.deletedIds];
    for (const id of asked) {
      const item = list.get(id);
      if (item === undefined) deletedIds.push(id);
      else changed.push(item);
    }
    sharePoint = { kind: "delta", changed, deletedIds };
    plan = planNow();
  }
  const dryRunPlan = planNow();
  const record = {
    plan,
    readSnapshot,
    dryRunPlan,
    rowUids: read.rows.map((row) => row.uid),
    totalsAtRead,
    created: [] as { sharePointId: string; fromRow: string }[],
    linked: [] as { sharePointId: string; row: string }[],
    concurrentEvents: [] as PersonEvent[],
    applied: { sharePointItems: new Map<string, SharePointOpOutcome>(), pageWritten: false },
    crashed: false,
    createOutcomeUnknown: false,
  };
  if (plan.kind !== "ready" || dryRun) return record;

  // Phase zero: what holds before any write (pairs found, items seen, deletions seen), so a crash at any point
  // after this leaves the next run knowing which item was meant for which row.
  world.recordConflicts(plan);
  commit(world, settlePlan(plan, NOTHING_APPLIED));

  for (const edit of faults.concurrentEdits) {
    const event = applyPersonEdit(world, edit);
    if (event !== null) record.concurrentEvents.push(event);
  }

  let opIndex = 0;
  const fault = () => {
    const index = opIndex++;
    return faults.failSharePointOps.find((failure) => failure.index === index);
  };
  const asReadings = (fields: Readonly<Record<string, unknown>>) =>
    Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, { ok: true, value } as FieldReading]));

  const creates = new Map<CreateRef, SharePointCreateOutcome>();
  for (const create of plan.sharePoint.creates) {
    const failure = fault();
    if (failure !== undefined && !failure.afterSuccess) {
      creates.set(create.createRef, { ok: false });
      continue;
    }
    const item = list.create(asReadings(create.fields));
    if (failure !== undefined) record.createOutcomeUnknown = true;
    record.created.push({ sharePointId: item.id, fromRow: record.rowUids[create.rowRef] ?? "?" });
    creates.set(
      create.createRef,
      failure !== undefined
        ? { ok: false }
        : { ok: true, sharePointId: item.id, eTag: item.eTag, modifiedAt: item.modifiedAt },
    );
  }
  const items = new Map<string, SharePointOpOutcome>();
  for (const update of plan.sharePoint.updates) {
    const failure = fault();
    if (failure !== undefined && !failure.afterSuccess) {
      items.set(update.sharePointId, { ok: false, preconditionFailed: false });
      continue;
    }
    const result = list.update(update.sharePointId, asReadings(update.fields), update.ifMatch);
    items.set(
      update.sharePointId,
      failure !== undefined
        ? { ok: false, preconditionFailed: false }
        : result.ok
          ? { ok: true, eTag: result.value.eTag, modifiedAt: result.value.modifiedAt }
          : { ok: false, preconditionFailed: result.status === 412 },
    );
  }
  for (const deletion of plan.sharePoint.deletes) {
    const failure = fault();
    if (failure !== undefined && !failure.afterSuccess) {
      items.set(deletion.sharePointId, { ok: false, preconditionFailed: false });
      continue;
    }
    const result = list.delete(deletion.sharePointId, deletion.ifMatch);
    // A 404 on delete is success: the item is gone either way.
    const gone = result.ok || result.status === 404;
    items.set(
      deletion.sharePointId,
      failure !== undefined
        ? { ok: false, preconditionFailed: false }
        : gone
          ? { ok: true, eTag: null, modifiedAt: null }
          : { ok: false, preconditionFailed: true },
    );
  }
  record.applied = { sharePointItems: items, pageWritten: false };
  if (faults.crash === "afterSharePointWrites") return { ...record, crashed: true };

  // Phase one happens where the engine has it, at the start of the page update, and writes only the states that a
  // SharePoint write can change (the others would be the phase-zero state again).
  const pageUpdate = hasConfluenceWrites(plan);
  if (pageUpdate) {
    const phaseOne = {
      ...plan,
      stateUpdates: plan.stateUpdates.filter((u) => writesAwaited(u).has("sharePointWrite")),
    };
    commit(
      world,
      settlePlan(phaseOne, { sharePointItems: items, sharePointCreates: creates, confluenceApplied: false }),
    );
  }
  if (faults.crash === "afterPhaseOne") return { ...record, crashed: true };

  let confluenceApplied = true;
  if (hasConfluenceWrites(plan)) {
    confluenceApplied = false;
    if (faults.confluence !== "fail") {
      const createdIds = new Map([...creates].map(([ref, outcome]) => [ref, outcome.ok ? outcome.sharePointId : null]));
      const { rows, appended } = patchRows(read, plan.confluence, createdIds, () => table.newUid());
      if (table.syncSave(read.version, rows).ok) {
        confluenceApplied = true;
        record.applied = { sharePointItems: items, pageWritten: true };
        for (const [sharePointId, row] of appended) record.linked.push({ sharePointId, row });
        for (const writeBack of plan.confluence.keyWriteBacks) {
          const id =
            writeBack.key.kind === "existing" ? writeBack.key.sharePointId : createdIds.get(writeBack.key.createRef);
          const row = record.rowUids[writeBack.rowRef];
          if (id !== null && id !== undefined && row !== undefined) record.linked.push({ sharePointId: id, row });
        }
      }
    }
  }
  if (faults.crash === "afterPageWrite") return { ...record, crashed: true };

  const outcome: ApplyOutcome = { sharePointItems: items, sharePointCreates: creates, confluenceApplied };
  // Phase two writes what the page update can change, and what the SharePoint writes changed if phase one did not.
  const phaseTwo = plan.stateUpdates.filter((update) => {
    const awaited = writesAwaited(update);
    return awaited.has("confluenceWrite") || (!pageUpdate && awaited.has("sharePointWrite"));
  });
  const commits = settlePlan({ ...plan, stateUpdates: phaseTwo }, outcome);
  if (faults.crash === "midCommit") {
    commit(
      world,
      commits.filter((_, index) => index % 2 === 0),
    );
    return { ...record, crashed: true };
  }
  commit(world, commits);
  world.cursor = cursorAtRead;
  world.resolveConflicts(plan, settlementProgress(plan, outcome).done);
  return record;
}

function commit(world: SimulatedWorld, commits: readonly StateCommit[]): void {
  for (const change of commits) {
    if (change.kind === "put") world.state.set(change.state.sharePointId, change.state);
    else if (change.kind === "delete") world.state.delete(change.sharePointId);
  }
}

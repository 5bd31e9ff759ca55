import {
  type CanonicalValue,
  type ConflictRecord,
  type ConflictResolution,
  type FieldSnapshot,
  type ItemDecision,
  type ItemRef,
  planCounts,
  type ReadyPlan,
  type SettlementDecision,
  type StoppedPlan,
} from "../../sync";
import type { RunOutcomes } from "./runOutcomes";
import type {
  ConflictReport,
  FieldChangeReport,
  ItemProblemReport,
  RunCounts,
  RunItemReport,
  SettlementReport,
} from "./runReport";

/** The report entries of a plan; `outcomes` null = nothing was applied (a dry run, a stopped run). */
export function planItems(plan: ReadyPlan | StoppedPlan, outcomes: RunOutcomes | null, cycle: number): RunItemReport[] {
  const entries = new Map<string, MutableEntry>();
  const entryFor = (item: ItemRef): MutableEntry => {
    const key = itemKey(item);
    let entry = entries.get(key);
    if (entry === undefined) {
      entry = { item, action: "update", changes: [], conflicts: [], errors: [], settlements: [] };
      entries.set(key, entry);
    }
    return entry;
  };
  for (const decision of plan.decisions) describeDecision(entryFor(decision.item), decision);
  if (plan.kind === "ready") {
    for (const settlement of plan.settlements ?? [])
      entryFor(settlement.item).settlements.push(settlementReport(settlement));
    for (const conflict of plan.conflicts) entryFor(conflict.item).conflicts.push(conflictReport(conflict));
    for (const error of plan.fieldErrors)
      entryFor(error.item).errors.push({
        field: error.field,
        side: error.side,
        code: error.error.code,
        message: error.error.message,
      });
    if (outcomes !== null) addOutcomes(plan, outcomes, entries, entryFor);
  }
  return [...entries.values()].map((entry) => ({
    sharePointId:
      entry.item.sharePointId ??
      (entry.item.createRef === null ? null : (outcomes?.createdIds.get(entry.item.createRef) ?? null)),
    row: entry.item.rowRef === null ? null : entry.item.rowRef + 1,
    action: entry.action,
    ...(entry.note === undefined ? {} : { note: entry.note }),
    changes: entry.changes,
    conflicts: entry.conflicts,
    errors: entry.errors,
    ...(entry.settlements.length === 0 ? {} : { settlements: entry.settlements }),
    result: outcomes === null || plan.kind === "stopped" ? "planned" : (entry.result ?? "unchanged"),
    cycle,
  }));
}

/** Counts for the report: what was applied (or, without outcomes, what the plan would write). */
export function runCounts(plan: ReadyPlan, outcomes: RunOutcomes | null, extraErrors: number): RunCounts {
  const planned = planCounts(plan);
  if (outcomes === null) return { ...planned, errors: planned.errors + extraErrors };
  const { apply } = outcomes;
  const ok = (id: string) => apply.sharePointItems.get(id)?.ok === true;
  const pageApplied = outcomes.page?.kind === "applied";
  const writtenRows = new Set<number>();
  if (pageApplied) {
    for (const update of plan.confluence.rowUpdates)
      if (update.afterCreate === null || outcomes.createdIds.has(update.afterCreate)) writtenRows.add(update.rowRef);
    for (const writeBack of plan.confluence.keyWriteBacks)
      if (writeBack.key.kind === "existing" || outcomes.createdIds.has(writeBack.key.createRef))
        writtenRows.add(writeBack.rowRef);
  }
  const refusals = [...outcomes.refused.sharePoint.values(), ...outcomes.refused.confluence.values()].reduce(
    (sum, list) => sum + list.length,
    0,
  );
  return {
    sharePoint: {
      created: plan.sharePoint.creates.filter((create) => outcomes.createdIds.has(create.createRef)).length,
      updated: plan.sharePoint.updates.filter((update) => ok(update.sharePointId)).length,
      deleted: plan.sharePoint.deletes.filter((deletion) => ok(deletion.sharePointId)).length,
    },
    confluence: {
      created: pageApplied ? plan.confluence.appends.length : 0,
      updated: writtenRows.size,
      deleted: pageApplied ? plan.confluence.removals.length : 0,
    },
    conflicts: plan.conflicts.length,
    errors:
      plan.fieldErrors.length +
      outcomes.failures.size +
      refusals +
      extraErrors +
      (outcomes.page?.kind === "failed" ? 1 : 0),
  };
}

interface MutableEntry {
  readonly item: ItemRef;
  action: string;
  note?: string;
  readonly changes: FieldChangeReport[];
  readonly conflicts: ConflictReport[];
  readonly errors: ItemProblemReport[];
  readonly settlements: SettlementReport[];
  result?: RunItemReport["result"];
}

/** Items are named by their SharePoint id, else by the create that gives them one, else by their row. */
function itemKey(item: ItemRef): string {
  if (item.sharePointId !== null) return `id:${item.sharePointId}`;
  if (item.createRef !== null) return item.createRef;
  return `row:${item.rowRef ?? "?"}`;
}

function describeDecision(entry: MutableEntry, decision: ItemDecision): void {
  const action = decision.action;
  entry.action = action.kind;
  if (action.kind === "pair") entry.note = `paired by ${action.by}`;
  if (action.kind === "keepDeleted" || action.kind === "deleteConflict") entry.note = `deleted in ${action.deletedIn}`;
  if (action.kind === "skip") {
    entry.note = action.message;
    entry.errors.push({ field: null, code: action.code, message: action.message });
  }
  for (const { field, merge } of decision.fields) {
    if (merge.kind === "toConfluence") entry.changes.push({ field, to: "confluence", value: merge.value.value });
    else if (merge.kind === "toSharePoint") entry.changes.push({ field, to: "sharePoint", value: merge.value.value });
    else if (merge.kind === "convergent") entry.changes.push({ field, to: "both", ...valueOf(merge.value) });
    else if (merge.kind === "conflict" && merge.write !== null)
      entry.changes.push({ field, to: merge.write.to, value: merge.write.value.value });
    else if (merge.kind === "settled") {
      for (const write of merge.writes) entry.changes.push({ field, to: write.to, value: write.value.value });
      if (merge.writes.length === 0) entry.changes.push({ field, to: "both", ...valueOf(merge.value) });
    }
  }
}

function valueOf(snapshot: FieldSnapshot | null | undefined): { value?: CanonicalValue } {
  return snapshot?.value === undefined ? {} : { value: snapshot.value };
}

function settlementReport(decision: SettlementDecision): SettlementReport {
  if (decision.kind === "applied" && (decision.held ?? []).length > 0)
    return {
      field: decision.field,
      conflictId: decision.id,
      outcome: "held",
      reason: `the gate toward ${(decision.held ?? []).map((side) => (side === "sharePoint" ? "SharePoint" : "Confluence")).join(" and ")} is closed; the settlement is applied once it opens`,
    };
  if (decision.kind === "applied")
    return { field: decision.field, conflictId: decision.id, outcome: "applied", writtenTo: [...decision.writes] };
  return { field: decision.field, conflictId: decision.id, outcome: "stale", reason: staleReasonText(decision) };
}

/** Why a settlement was not applied, in words (the re-opened conflict and the run report say it). */
export function staleReasonText(decision: Extract<SettlementDecision, { kind: "stale" }>): string {
  const { reason } = decision;
  if (reason.kind === "oneWay")
    return `the field now flows ${reason.direction}, so the chosen value cannot be written where it is missing`;
  const sides = reason.sides.map((side) => (side === "sharePoint" ? "SharePoint" : "Confluence"));
  const now = reason.sides
    .map((side) => {
      const value = decision[side];
      const shown =
        value === null
          ? "an unreadable value"
          : value.value === undefined
            ? "a long value"
            : JSON.stringify(value.value);
      return `${side === "sharePoint" ? "SharePoint" : "Confluence"} now holds ${shown}`;
    })
    .join(", ");
  return `${sides.join(" and ")} changed after the conflict was settled (${now}); the settlement was not applied`;
}

export function resolutionName(resolution: ConflictResolution): string {
  return resolution.kind === "flagged" ? "flagged" : `${resolution.winner}-won`;
}

function conflictReport(conflict: ConflictRecord): ConflictReport {
  if (conflict.kind === "deleteVsEdit") {
    return { field: null, cause: "deleteVsEdit", resolution: "flagged", deletedIn: conflict.deletedIn };
  }
  const base = valueOf(conflict.base).value;
  return {
    field: conflict.field,
    cause: conflict.cause,
    resolution: resolutionName(conflict.resolution),
    ...(conflict.sharePoint.value === undefined ? {} : { sharePoint: conflict.sharePoint.value }),
    ...(conflict.confluence.value === undefined ? {} : { confluence: conflict.confluence.value }),
    ...(base === undefined ? {} : { base }),
  };
}

/** Marks each entry applied or failed from what its writes did, and adds the write problems. */
function addOutcomes(
  plan: ReadyPlan,
  outcomes: RunOutcomes,
  entries: Map<string, MutableEntry>,
  entryFor: (item: ItemRef) => MutableEntry,
): void {
  const byRow = new Map<number, MutableEntry>();
  for (const entry of entries.values()) if (entry.item.rowRef !== null) byRow.set(entry.item.rowRef, entry);
  const mark = (entry: MutableEntry | undefined, ok: boolean): void => {
    if (entry === undefined) return;
    entry.result = !ok || entry.result === "failed" ? "failed" : "applied";
  };
  const byId = (sharePointId: string, rowRef: number | null) => entryFor({ sharePointId, rowRef, createRef: null });
  for (const create of plan.sharePoint.creates)
    mark(
      entryFor({ sharePointId: null, rowRef: create.rowRef, createRef: create.createRef }),
      outcomes.createdIds.has(create.createRef),
    );
  for (const op of [...plan.sharePoint.updates, ...plan.sharePoint.deletes])
    mark(byId(op.sharePointId, null), outcomes.apply.sharePointItems.get(op.sharePointId)?.ok === true);

  const pageOk = outcomes.page?.kind === "applied";
  for (const update of plan.confluence.rowUpdates)
    mark(update.sharePointId === null ? byRow.get(update.rowRef) : byId(update.sharePointId, update.rowRef), pageOk);
  for (const append of plan.confluence.appends) mark(byId(append.sharePointId, null), pageOk);
  for (const removal of plan.confluence.removals) mark(byId(removal.sharePointId, removal.rowRef), pageOk);
  for (const writeBack of plan.confluence.keyWriteBacks) mark(byRow.get(writeBack.rowRef), pageOk);

  const problem = (target: string): MutableEntry =>
    target.startsWith("row:")
      ? entryFor({ sharePointId: null, rowRef: null, createRef: target as `row:${number}` })
      : byId(target, null);
  for (const [target, failure] of outcomes.failures)
    problem(target).errors.push({ field: null, side: "sharePoint", code: failure.code, message: failure.message });
  for (const [target, refused] of outcomes.refused.sharePoint)
    for (const r of refused)
      problem(target).errors.push({ field: r.field, side: "sharePoint", code: r.code, message: r.message });
  for (const [target, refused] of outcomes.refused.confluence)
    for (const r of refused)
      problem(target).errors.push({ field: r.field, side: "confluence", code: r.code, message: r.message });
  if (outcomes.page?.kind === "failed") {
    for (const entry of entries.values())
      if (entry.result === "failed")
        entry.errors.push({
          field: null,
          side: "confluence",
          code: outcomes.page.problem.code,
          message: outcomes.page.problem.message,
        });
  }
}

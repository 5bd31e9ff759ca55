import {
  type ApplyOutcome,
  type CreateRef,
  type FieldState,
  fieldEntry,
  hasConfluenceWrites,
  type PutState,
  type ReadyPlan,
  type SharePointCreateOutcome,
  type SharePointOpOutcome,
  type StateCommit,
  settleItemState,
} from "../../sync";
import type { ApplyConfluencePageResult } from "./runContract";
import type { ApiCalls, RunProblem } from "./runReport";
import type { BatchProgress, PageProgress, RefusedField } from "./stagedDocuments";

/** What a cycle's writes did, gathered from the staged progress of its batches and its page update. */
export interface RunOutcomes {
  /** For `settlePlan`: a write without an outcome (its batch failed for good) counts as not applied. */
  readonly apply: ApplyOutcome;
  /** Fields left out of a write, by target (a SharePoint id, or a create's ref): their bases must not move. */
  readonly refused: {
    readonly sharePoint: ReadonlyMap<string, readonly RefusedField[]>;
    readonly confluence: ReadonlyMap<string, readonly RefusedField[]>;
  };
  /** Why a SharePoint operation failed, by target. */
  readonly failures: ReadonlyMap<string, RunProblem>;
  /** SharePoint ids of the items the run created, by create ref. */
  readonly createdIds: ReadonlyMap<CreateRef, string>;
  /** The page update; null when none was attempted (yet). */
  readonly page: ApplyConfluencePageResult | null;
  /** Calls the batches and the page update made. */
  readonly apiCalls: ApiCalls;
}

/** The problem of a write whose batch failed for good without it being applied (as far as anyone can tell). */
export const WRITE_NOT_APPLIED: RunProblem = {
  code: "WRITE_NOT_APPLIED",
  message: "the SharePoint batch holding this write failed after its retries; the next run tries again",
};

/**
 * Gathers the outcomes. `pageApplied`: whether to count the page update as done — `false` for the phase-one commit
 * made before the page update, else what the page update reported (a plan without page writes needs none).
 */
export function runOutcomes(
  plan: ReadyPlan,
  batches: ReadonlyMap<string, BatchProgress>,
  page: PageProgress | undefined,
  pageApplied: boolean | "fromProgress",
): RunOutcomes {
  const sharePointItems = new Map<string, SharePointOpOutcome>();
  const sharePointCreates = new Map<CreateRef, SharePointCreateOutcome>();
  const refusedSharePoint = new Map<string, readonly RefusedField[]>();
  const failures = new Map<string, RunProblem>();
  const createdIds = new Map<CreateRef, string>();
  let graph = 0;
  for (const progress of batches.values()) {
    if (progress.kind !== "done") continue;
    graph += progress.apiCalls.graph;
    for (const outcome of progress.outcomes) {
      const target = outcome.kind === "create" ? outcome.createRef : outcome.sharePointId;
      if (outcome.kind === "create") {
        sharePointCreates.set(outcome.createRef, outcome.result);
        if (outcome.result.ok) createdIds.set(outcome.createRef, outcome.result.sharePointId);
      } else {
        sharePointItems.set(outcome.sharePointId, outcome.result);
      }
      if (outcome.refused.length > 0) refusedSharePoint.set(target, outcome.refused);
      if (outcome.problem !== undefined) failures.set(target, outcome.problem);
    }
  }
  for (const create of plan.sharePoint.creates)
    if (!sharePointCreates.has(create.createRef)) failures.set(create.createRef, WRITE_NOT_APPLIED);
  for (const op of [...plan.sharePoint.updates, ...plan.sharePoint.deletes])
    if (!sharePointItems.has(op.sharePointId)) failures.set(op.sharePointId, WRITE_NOT_APPLIED);

  const refusedConfluence = new Map<string, RefusedField[]>();
  for (const cell of page?.rejected ?? [])
    refusedConfluence.set(cell.target, [...(refusedConfluence.get(cell.target) ?? []), cell]);
  const pageResult = page?.result ?? null;
  const confluenceApplied =
    pageApplied === "fromProgress" ? !hasConfluenceWrites(plan) || pageResult?.kind === "applied" : pageApplied;
  return {
    apply: { sharePointItems, sharePointCreates, confluenceApplied },
    refused: { sharePoint: refusedSharePoint, confluence: refusedConfluence },
    failures,
    createdIds,
    page: pageResult,
    apiCalls: { graph: graph + (page?.apiCalls.graph ?? 0), confluence: page?.apiCalls.confluence ?? 0 },
  };
}

/**
 * `settlePlan` with refusals: a field left out of its item's write (SharePoint could not hold the value, or the page
 * could not show it) keeps the state it would have had if the write had failed, while the rest of the item's fields
 * advance with the write that did happen.
 */
export function settleRunState(plan: ReadyPlan, outcomes: RunOutcomes): StateCommit[] {
  const commits: StateCommit[] = [];
  for (const update of plan.stateUpdates) {
    const commit = settleItemState(update, outcomes.apply);
    if (commit.kind === "none") continue;
    if (commit.kind === "delete") {
      commits.push(commit);
      continue;
    }
    const target = update.target.kind === "item" ? update.target.sharePointId : update.target.createRef;
    const spRefused = new Set((outcomes.refused.sharePoint.get(target) ?? []).map((refusal) => refusal.field));
    const cfRefused = new Set((outcomes.refused.confluence.get(target) ?? []).map((refusal) => refusal.field));
    if (spRefused.size === 0 && cfRefused.size === 0) {
      commits.push(commit);
      continue;
    }
    // The put the commit came from: the update's own, or (for a drop whose write failed) its fallback.
    const put: PutState | null = update.change.kind === "put" ? update.change : update.change.otherwise;
    if (put === null) {
      commits.push(commit);
      continue;
    }
    // fromEntries, not assignment: a field key is data and may be `__proto__`.
    const fields: Record<string, FieldState> = Object.fromEntries(
      Object.entries(commit.state.fields).map(([key, state]) => {
        const change = fieldEntry(put.fields, key);
        const requires = [change?.requires, change?.alsoRequires];
        const refused =
          (requires.includes("sharePointWrite") && spRefused.has(key)) ||
          (requires.includes("confluenceWrite") && cfRefused.has(key));
        return [key, refused && change !== undefined ? change.otherwise : state];
      }),
    );
    commits.push({ kind: "put", state: { ...commit.state, fields } });
  }
  return commits;
}

import type { FieldKey } from "./fieldKey";
import type { FieldState, ItemState } from "./itemState";
import type { CreateRef, ItemStateUpdate, PutState, ReadyPlan, WriteRequirement } from "./plan";

/** How the item's one SharePoint update or delete went. */
export type SharePointOpOutcome =
  | { readonly ok: true; readonly eTag: string | null; readonly modifiedAt: string | null }
  /** `preconditionFailed`: a 412, the item changed since it was read; its stored eTag is dropped so it is read again. */
  | { readonly ok: false; readonly preconditionFailed: boolean };

export type SharePointCreateOutcome =
  | {
      readonly ok: true;
      readonly sharePointId: string;
      readonly eTag: string | null;
      readonly modifiedAt: string | null;
    }
  | { readonly ok: false };

/**
 * What the engine actually managed to write. A write that was not attempted counts as failed; a SharePoint delete
 * answered 404 counts as done (the item is gone either way).
 */
export interface ApplyOutcome {
  /** Updates and deletes, by SharePoint id. */
  readonly sharePointItems: ReadonlyMap<string, SharePointOpOutcome>;
  readonly sharePointCreates: ReadonlyMap<CreateRef, SharePointCreateOutcome>;
  /** Whether the page update succeeded (a plan without Confluence writes needs none). */
  readonly confluenceApplied: boolean;
}

/** Nothing was written: the state a plan commits on its own (observations, tombstones, convergent bases). */
export const NOTHING_APPLIED: ApplyOutcome = {
  sharePointItems: new Map(),
  sharePointCreates: new Map(),
  confluenceApplied: false,
};

/** What to do with one pair's state row: write it, delete it, or leave it (`none`: a create that failed). */
export type StateCommit =
  | { readonly kind: "put"; readonly state: ItemState }
  | { readonly kind: "delete"; readonly sharePointId: string }
  | { readonly kind: "none" };

const NONE: StateCommit = { kind: "none" };

/**
 * The state to commit for one pair given what was applied: a field's base advances only when the write it depends
 * on succeeded (or it depended on none); a pair established by a write (create, append, key write-back) exists only
 * once that write succeeded. Commit after the writes, never before: a crash in between then leaves the old state,
 * and the next run recognises the writes that did happen (they are read back, matched and converge).
 *
 * Two-phase commit (recommended, it narrows the crash window for creates to nothing but the commit itself): after the
 * SharePoint writes, commit `settlePlan(plan, { ...sharePointOutcomes, confluenceApplied: false })`; after the page
 * update, commit `settlePlan(plan, { ...sharePointOutcomes, confluenceApplied })`. Every phase-one state is true of
 * the world at that moment, and phase two supersedes it. Commit the delta link only after phase two.
 */
export function settleItemState(update: ItemStateUpdate, outcome: ApplyOutcome): StateCommit {
  const { target, change } = update;
  const createOutcome = target.kind === "create" ? outcome.sharePointCreates.get(target.createRef) : undefined;
  const itemOutcome = target.kind === "item" ? outcome.sharePointItems.get(target.sharePointId) : undefined;
  const sharePointOk = target.kind === "create" ? createOutcome?.ok === true : itemOutcome?.ok === true;
  const met = (requirement: WriteRequirement | null): boolean =>
    requirement === null || (requirement === "confluenceWrite" ? outcome.confluenceApplied : sharePointOk);

  if (change.kind === "drop") {
    if (met(change.requires))
      return target.kind === "item" ? { kind: "delete", sharePointId: target.sharePointId } : NONE;
    return change.otherwise === null ? NONE : put(change.otherwise);
  }
  return put(change);

  function put(next: PutState): StateCommit {
    let sharePointId: string;
    let eTag = next.sharePointETag;
    let modifiedAt = next.sharePointModifiedAt;
    if (target.kind === "create") {
      if (createOutcome === undefined || !createOutcome.ok) return NONE;
      ({ sharePointId, eTag, modifiedAt } = createOutcome);
    } else {
      sharePointId = target.sharePointId;
      if (itemOutcome?.ok === true) ({ eTag, modifiedAt } = itemOutcome);
      else if (itemOutcome?.ok === false && itemOutcome.preconditionFailed) eTag = null;
    }
    const status = next.pairRequires.every(met) ? next.status : next.statusIfPairFailed;
    if (status === null) return NONE;
    // fromEntries, not assignment: a field key is data and may be `__proto__`.
    const fields: Record<FieldKey, FieldState> = Object.fromEntries(
      Object.entries(next.fields).map(([key, field]) => [
        key,
        met(field.requires) && met(field.alsoRequires ?? null) ? field.ifApplied : field.otherwise,
      ]),
    );
    const state: ItemState = {
      sharePointId,
      status,
      sharePointETag: eTag,
      sharePointModifiedAt: modifiedAt,
      fields,
      ...(status === "awaitingRow" && next.awaitedRow !== null ? { awaitedRow: next.awaitedRow } : {}),
      lastSyncedAt: next.lastSyncedAt,
    };
    return { kind: "put", state };
  }
}

/** {@link settleItemState} for a whole plan, leaving out the pairs with nothing to commit. */
export function settlePlan(plan: ReadyPlan, outcome: ApplyOutcome): StateCommit[] {
  return plan.stateUpdates.map((update) => settleItemState(update, outcome)).filter((commit) => commit.kind !== "none");
}

/**
 * The writes whose outcome can change what `settleItemState` commits for `update`. Empty: it settles to the same
 * state whatever is applied, so committing it once (before any write) is committing it for good; without
 * `confluenceWrite`, the state committed after the SharePoint writes is already the final one. (An item's own
 * SharePoint operation always shows here: the planner makes its fields, or its drop, require it.)
 */
export function writesAwaited(update: ItemStateUpdate): ReadonlySet<WriteRequirement> {
  const awaited = new Set<WriteRequirement>();
  // A created item's state exists only once its create succeeded.
  if (update.target.kind === "create") awaited.add("sharePointWrite");
  const addPut = (put: PutState): void => {
    for (const requirement of put.pairRequires) awaited.add(requirement);
    for (const field of Object.values(put.fields)) {
      if (field.requires !== null) awaited.add(field.requires);
      if (field.alsoRequires !== undefined) awaited.add(field.alsoRequires);
    }
  };
  const { change } = update;
  if (change.kind === "put") addPut(change);
  else {
    if (change.requires !== null) awaited.add(change.requires);
    if (change.otherwise !== null) addPut(change.otherwise);
  }
  return awaited;
}

import { type ItemStateUpdate, type ReadyPlan, writesAwaited } from "../../sync";

/**
 * The state commits of a cycle after its first (docs/engine.md#commit-after-writes): after the SharePoint batches
 * (phase 1, at the start of the page update) and after everything (phase 2, in `commitRun`).
 */
export type LaterStatePhase = "afterSharePointWrites" | "afterPageUpdate";

/**
 * The plan as staged for the cycle's later activities. Phase 0 commits every state update with what holds before any
 * write; one that awaits no write settles to that same state in every phase, so it is committed for good and the
 * later activities never need it (on a first sync onto a filled page that is every one of them).
 */
export function planToStage(plan: ReadyPlan): ReadyPlan {
  return { ...plan, stateUpdates: plan.stateUpdates.filter((update) => writesAwaited(update).size > 0) };
}

/**
 * The item-state versions to stage with the plan: those of the rows a later phase may write again (`stagedIds`, the
 * staged state updates' items); the others are not written again in this cycle, and a later cycle loads afresh.
 */
export function versionsToStage(
  stagedIds: ReadonlySet<string>,
  versions: ReadonlyMap<string, string>,
): Map<string, string> {
  const staged = new Map<string, string>();
  for (const id of stagedIds) {
    const version = versions.get(id);
    if (version !== undefined) staged.set(id, version);
  }
  return staged;
}

/**
 * The state updates whose commit in `phase` may differ from what the phase before it committed, and only those: phase
 * 1 writes what depends on a SharePoint write; phase 2 what depends on the page update, and what depends on a
 * SharePoint write too when there was no phase 1 (`pageUpdateAttempted` false: the plan had no page writes). Writing
 * the others again would write the same state over itself, row by row, which is most of a first sync's cost.
 */
export function stateUpdatesFor(
  plan: ReadyPlan,
  phase: LaterStatePhase,
  pageUpdateAttempted: boolean,
): ReadyPlan["stateUpdates"] {
  const wanted = (update: ItemStateUpdate): boolean => {
    const awaited = writesAwaited(update);
    if (phase === "afterSharePointWrites") return awaited.has("sharePointWrite");
    return awaited.has("confluenceWrite") || (!pageUpdateAttempted && awaited.has("sharePointWrite"));
  };
  return plan.stateUpdates.filter(wanted);
}

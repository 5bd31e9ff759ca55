import type { Plan, ReadyPlan } from "./plan";

/** The counts a run report shows (the `counts` of `confluence-sync sync --json`). */
export interface PlanCounts {
  readonly sharePoint: { readonly created: number; readonly updated: number; readonly deleted: number };
  readonly confluence: { readonly created: number; readonly updated: number; readonly deleted: number };
  readonly conflicts: number;
  readonly errors: number;
}

export function planCounts(plan: ReadyPlan): PlanCounts {
  const { sharePoint, confluence } = plan;
  const updatedRows = new Set([...confluence.rowUpdates, ...confluence.keyWriteBacks].map((write) => write.rowRef));
  return {
    sharePoint: {
      created: sharePoint.creates.length,
      updated: sharePoint.updates.length,
      deleted: sharePoint.deletes.length,
    },
    confluence: { created: confluence.appends.length, updated: updatedRows.size, deleted: confluence.removals.length },
    conflicts: plan.conflicts.length,
    errors: plan.fieldErrors.length,
  };
}

/** How many write operations a plan asks for (SharePoint operations plus Confluence row changes). */
export function planWriteCount(plan: ReadyPlan): number {
  const { sharePoint: s, confluence: c } = plan;
  return (
    s.creates.length +
    s.updates.length +
    s.deletes.length +
    c.rowUpdates.length +
    c.appends.length +
    c.removals.length +
    c.keyWriteBacks.length
  );
}

/** Whether the page needs its one update this run. */
export function hasConfluenceWrites(plan: ReadyPlan): boolean {
  const c = plan.confluence;
  return c.rowUpdates.length + c.appends.length + c.removals.length + c.keyWriteBacks.length > 0;
}

/**
 * A quiet plan writes nothing, on either side or in the state. Conflicts and errors that stay open may still be
 * reported: they need a person, not a write. After a run applied everything, the next plan is quiet (echo-free).
 */
export function isQuietPlan(plan: Plan): boolean {
  return plan.kind === "ready" && planWriteCount(plan) === 0 && plan.stateUpdates.length === 0;
}

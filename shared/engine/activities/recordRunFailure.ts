import type { EngineServices } from "../engineServices";
import type { RecordRunFailureInput } from "../run/runContract";
import type { RunReport } from "../run/runReport";
import { addCalls, NO_CALLS, NO_COUNTS } from "../run/runReport";
import { StagedRun } from "../run/stagedRun";
import { assembleReport, type CycleSummary, closeRun } from "../runClosing";

/**
 * Records a run that ended because an activity failed for good (its retries exhausted). What was applied and
 * committed before stays; the report counts the calls the cycle's activities staged, and the run's staging is
 * removed (the next run re-reads and re-plans from the committed state).
 */
export async function recordRunFailure(services: EngineServices, input: RecordRunFailureInput): Promise<RunReport> {
  const staged = new StagedRun(services.state.staging, input, () => new Date(services.clock.now()).toISOString());
  const [context, progress, page, carry] = await Promise.all([
    staged.contextIfStaged(),
    staged.allProgress(),
    staged.page(),
    staged.carry(),
  ]);
  const batchCalls = [...progress.values()].flatMap((batch) => (batch.kind === "done" ? [batch.apiCalls] : []));
  const cycle: CycleSummary = {
    counts: { ...NO_COUNTS, errors: 1 },
    items: [],
    apiCalls: addCalls(context?.apiCalls ?? NO_CALLS, page?.apiCalls ?? NO_CALLS, ...batchCalls),
  };
  const report = assembleReport(input, "failed", input.problem, cycle, carry, input.finishedAt);
  await closeRun(services, staged, report);
  return report;
}

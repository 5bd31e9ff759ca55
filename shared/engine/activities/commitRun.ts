import { resolveSettledConflicts } from "../conflictLog";
import type { EngineServices } from "../engineServices";
import { isQuietCycle, quietFingerprint } from "../quietRun";
import { stepReporter } from "../run/activityProgress";
import { planItems, runCounts } from "../run/reportItems";
import type { CommitRunInput, CommitRunResult } from "../run/runContract";
import { type RunOutcomes, runOutcomes, settleRunState } from "../run/runOutcomes";
import type { RunOutcome, RunProblem, RunReport } from "../run/runReport";
import { addCalls } from "../run/runReport";
import { RunStagingMissing } from "../run/runStagingMissing";
import { StagedRun } from "../run/stagedRun";
import { stateUpdatesFor } from "../run/statePhases";
import { assembleReport, type CycleSummary, closeRun, type ReportHeader } from "../runClosing";
import { settleUnconfirmedBatches } from "../unconfirmedBatches";

/**
 * Commits what the cycle's writes justify (phase two: `settlePlan` with every actual outcome, refused fields held
 * back), then the delta link the cycle read up to, resolves the conflicts that are settled, and ends the run (its
 * record, its staging) — unless the page changed under it and another cycle follows, in which case the cycle's
 * report is carried over to the next.
 */
export async function commitRun(services: EngineServices, input: CommitRunInput): Promise<CommitRunResult> {
  const now = () => new Date(services.clock.now()).toISOString();
  const staged = new StagedRun(services.state.staging, input, now);
  const context = await staged.contextIfStaged();
  if (context === undefined) return { report: await alreadyCommitted(services, input) };
  // Batches that failed for good after sending are looked for first (unless the page update did): what they wrote is
  // in the state, and what was never sent, or is not found, counts as not applied.
  const [plan, progress, page, versions, carry] = await Promise.all([
    staged.plan(),
    settleUnconfirmedBatches(services, staged, context),
    staged.page(),
    staged.versions(),
    staged.carry(),
  ]);

  const outcomes = runOutcomes(plan, progress, page, "fromProgress");
  const phaseTwo = {
    ...plan,
    stateUpdates: stateUpdatesFor(plan, "afterPageUpdate", input.confluence !== "notAttempted"),
  };
  const step = stepReporter(services.progress, input, "committing");
  await services.state.items.commit(input.profileKey, settleRunState(phaseTwo, outcomes), versions, {
    onRows: (rows, total) => step({ kind: "committingState", rows, total }),
  });

  const cycle: CycleSummary = {
    counts: runCounts(plan, outcomes, context.readProblems.length),
    items: [...context.readProblems, ...planItems(plan, outcomes, input.cycle)],
    apiCalls: addCalls(context.apiCalls, outcomes.apiCalls),
  };
  // Every change the delta reported was planned and is now in the state (applied, or remembered as a pending edit),
  // so the next round starts where this cycle's read ended. A cycle that planned nothing marks the cursor quiet.
  const at = now();
  const quiet =
    isQuietCycle(cycle) && outcomes.page === null && input.failedBatchIds.length === 0
      ? {
          pageVersion: context.page.version,
          inputs: quietFingerprint(context.profile, context.codecInputs),
          runId: input.runId,
        }
      : undefined;
  await services.state.cursors.save(
    input.profileKey,
    {
      deltaLink: context.readLink,
      select: [...context.select],
      pageEditedAt: context.page.editedAt,
      fieldSamples: { ...context.fieldSamples },
      ...(quiet ? { quiet } : {}),
      ...(context.sharePointGateClosed === undefined ? {} : { gatedItems: [...context.sharePointGateClosed] }),
      runId: input.runId,
      updatedAt: at,
    },
    context.cursorVersion,
  );
  await resolveSettledConflicts(services.state.conflicts, input.profileKey, plan, outcomes, input.runId, at);

  const header: ReportHeader = { ...input, dryRun: false, startedAt: context.startedAt, trigger: context.trigger };
  if (outcomes.page?.kind === "versionConflict" && !input.finalCycle) {
    await staged.putCarry({ cycles: [...carry.cycles, { cycle: input.cycle, ...cycle }] });
    return {
      report: assembleReport(
        header,
        "completedWithErrors",
        versionConflictProblem(input.cycle, false),
        cycle,
        carry,
        at,
      ),
    };
  }
  const { outcome, problem } = verdict(outcomes, input, cycle);
  const report = assembleReport(header, outcome, problem, cycle, carry, now());
  await closeRun(services, staged, report);
  return { report };
}

function verdict(
  outcomes: RunOutcomes,
  input: CommitRunInput,
  cycle: CycleSummary,
): { outcome: RunOutcome; problem?: RunProblem } {
  if (outcomes.page?.kind === "versionConflict")
    return { outcome: "completedWithErrors", problem: versionConflictProblem(input.cycle, true) };
  if (outcomes.page?.kind === "failed") return { outcome: "completedWithErrors", problem: outcomes.page.problem };
  if (input.failedBatchIds.length > 0) {
    return {
      outcome: "completedWithErrors",
      problem: {
        code: "SHAREPOINT_BATCH_FAILED",
        message: `${input.failedBatchIds.length} SharePoint batch(es) failed after their retries; the next run tries their writes again`,
      },
    };
  }
  return { outcome: cycle.counts.errors > 0 ? "completedWithErrors" : "completed" };
}

function versionConflictProblem(cycle: number, final: boolean): RunProblem {
  return {
    code: "PAGE_VERSION_CONFLICT",
    message: final
      ? `the Confluence page changed under the run in each of its ${cycle} cycles; SharePoint's changes are committed, the page gets them on the next run`
      : `the Confluence page changed under cycle ${cycle}; SharePoint's changes are committed and another cycle re-reads the page`,
  };
}

/** A commit retried after it finished: the run's record holds its report. */
async function alreadyCommitted(services: EngineServices, input: CommitRunInput): Promise<RunReport> {
  const recent = await services.state.runs.recent(input.profileKey, 50);
  const report = recent.find((run) => run.runId === input.runId) as RunReport | undefined;
  if (report === undefined)
    throw new RunStagingMissing(input.profileKey, input.runId, `context of cycle ${input.cycle}`);
  return report;
}

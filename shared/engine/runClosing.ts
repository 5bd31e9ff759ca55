import type { EngineServices } from "./engineServices";
import type { RunOutcome, RunProblem, RunReport, SyncTrigger } from "./run/runReport";
import {
  type ApiCalls,
  addCalls,
  addCounts,
  NO_CALLS,
  NO_COUNTS,
  type RunCounts,
  type RunItemReport,
} from "./run/runReport";
import type { RunCarry } from "./run/stagedDocuments";
import type { StagedRun } from "./run/stagedRun";
import { emitRunEnded } from "./telemetryEmission";

/** Report entries a run report keeps (the run record keeps fewer); the counts always cover every item. */
export const MAX_REPORT_ITEMS = 500;

/** Staged rows older than this belong to runs that will never commit. */
const ABANDONED_AFTER_MS = 24 * 3600_000;
/** Rows one commit may sweep, so no commit takes long; the rest go on the next. */
const SWEEP_LIMIT = 200;

/** What one cycle of a run did, for its report. */
export interface CycleSummary {
  readonly counts: RunCounts;
  readonly items: readonly RunItemReport[];
  readonly apiCalls: ApiCalls;
}

export const EMPTY_CYCLE: CycleSummary = { counts: NO_COUNTS, items: [], apiCalls: NO_CALLS };

export interface ReportHeader {
  readonly profileKey: string;
  readonly runId: string;
  readonly cycle: number;
  readonly dryRun: boolean;
  readonly trigger: SyncTrigger;
  readonly startedAt: string;
}

/** The report of a whole run: this cycle plus what earlier cycles did (counts and calls summed, entries joined). */
export function assembleReport(
  header: ReportHeader,
  outcome: RunOutcome,
  problem: RunProblem | undefined,
  current: CycleSummary,
  carry: RunCarry,
  finishedAt: string,
): RunReport {
  const cycles = [...carry.cycles, current];
  const items = cycles.flatMap((cycle) => cycle.items);
  const kept = items.slice(0, MAX_REPORT_ITEMS);
  return {
    profile: header.profileKey,
    runId: header.runId,
    dryRun: header.dryRun,
    trigger: header.trigger,
    outcome,
    ...(problem === undefined ? {} : { problem }),
    startedAt: header.startedAt,
    finishedAt,
    cycles: header.cycle,
    counts: cycles.map((cycle) => cycle.counts).reduce(addCounts, NO_COUNTS),
    items: kept,
    ...(items.length > kept.length ? { itemsOmitted: items.length - kept.length } : {}),
    apiCalls: addCalls(...cycles.map((cycle) => cycle.apiCalls)),
  };
}

/**
 * Ends a run: stores its record (not for dry runs, which write nothing), then removes what it staged and sweeps the
 * profile's abandoned staging. The record comes first, so a crash in between leaves the staging for the sweep; the
 * run's event follows its record (docs/operations.md#application-insights).
 */
export async function closeRun(services: EngineServices, staged: StagedRun, report: RunReport): Promise<void> {
  if (report.dryRun) return;
  await services.state.runs.save(report);
  await emitRunEnded(services, report);
  await staged.clear();
  const cutoff = new Date(services.clock.now() - ABANDONED_AFTER_MS).toISOString();
  await services.state.staging.sweep(report.profile, cutoff, SWEEP_LIMIT);
}

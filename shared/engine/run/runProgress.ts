import type { ReadyPlan } from "../../sync";

/**
 * Where a run is, as the `syncProfile` orchestration publishes it in its custom status (the Durable status URL, the
 * Azure portal, `GET /api/profiles/{key}/sync/status`) and as the CLI draws it (docs/engine.md#progress). One shape for
 * both modes: table mode counts SharePoint batches, pages mode counts SharePoint batches and page jobs.
 *
 * Every field comes from what the orchestrator already has: its input, the activity results in its history, and the
 * history's own timestamps (`currentUtcDateTime`). So a replay sets the same status, and progress costs no API call.
 */
export interface RunProgress {
  readonly runId: string;
  /** 1-based; another cycle re-reads both sides after someone saved the page during the run. */
  readonly cycle: number;
  readonly stage: RunStage;
  /** When the run started (orchestration time, ISO 8601). */
  readonly startedAt: string;
  /** When the current stage started (orchestration time). */
  readonly stageStartedAt: string;
  /** When this status was set: the orchestration time of the episode that saw the latest result. */
  readonly updatedAt: string;
  /** What the plan writes, once `prepareRun` planned (absent before, and in histories from before progress). */
  readonly planned?: PlannedWrites;
  /** The SharePoint `$batch` activities of this cycle (at most 20 writes each), once planned. */
  readonly batches?: StepCount;
  /** Pages mode: the page jobs of this cycle (one page update, create or trash each), once planned. */
  readonly pages?: StepCount;
  /** SharePoint writes the finished batches applied so far this cycle. */
  readonly sharePointWritesApplied?: number;
  /**
   * Estimated seconds until the stage's batches or page jobs are all done, from the pace of those done so far (absent
   * until one is done, and outside the counted stages).
   */
  readonly secondsLeft?: number;
}

/**
 * - `preparing`: `prepareRun` reads the list changes and the page, plans, stages the plan;
 * - `writingSharePoint`: the SharePoint batches, in parallel;
 * - `updatingPage`: table mode's one page update;
 * - `writingPages`: pages mode's page jobs;
 * - `linkingPages`: pages mode writes the ids of created pages into their items;
 * - `committing`: the state, the delta link, conflicts and the run record;
 * - `recordingFailure`: an activity failed for good; the run is being recorded as failed.
 */
export type RunStage =
  | "preparing"
  | "writingSharePoint"
  | "updatingPage"
  | "writingPages"
  | "linkingPages"
  | "committing"
  | "recordingFailure";

/** Activities of one kind in this cycle: `done` have finished (those that failed for good included, in `failed`). */
export interface StepCount {
  readonly done: number;
  readonly failed: number;
  readonly total: number;
}

/** What a plan writes: items in SharePoint, rows (or pages) in Confluence, and the conflicts it records. */
export interface PlannedWrites {
  readonly sharePoint: { readonly created: number; readonly updated: number; readonly deleted: number };
  readonly confluence: { readonly created: number; readonly updated: number; readonly deleted: number };
  readonly conflicts: number;
}

/** The writes `plan` makes, counted as the run report counts them (a key written back counts as a row update). */
export function plannedWrites(plan: ReadyPlan): PlannedWrites {
  return {
    sharePoint: {
      created: plan.sharePoint.creates.length,
      updated: plan.sharePoint.updates.length,
      deleted: plan.sharePoint.deletes.length,
    },
    confluence: {
      created: plan.confluence.appends.length,
      updated: plan.confluence.rowUpdates.length + plan.confluence.keyWriteBacks.length,
      deleted: plan.confluence.removals.length,
    },
    conflicts: plan.conflicts.length,
  };
}

/** The progress at the start of a cycle. */
export function cycleStarted(run: { runId: string; cycle: number; startedAt: string }, now: string): RunProgress {
  return { ...run, stage: "preparing", stageStartedAt: now, updatedAt: now };
}

/** `progress` moved on to `stage` at `now`: the stage's estimate no longer applies. */
export function stageStarted(progress: RunProgress, stage: RunStage, now: string): RunProgress {
  const { secondsLeft: _dropped, ...rest } = progress;
  return { ...rest, stage, stageStartedAt: now, updatedAt: now };
}

/**
 * `progress` with a new count for the stage's batches (`batches`) or page jobs (`pages`), and the estimate of the
 * stage's time left: the time the stage took so far, per finished activity, times those left. The activities run in
 * parallel, so this is the pace of the whole stage, not of one activity. Unknown (absent) before the first finishes.
 */
export function stepsCounted(
  progress: RunProgress,
  of: "batches" | "pages",
  count: StepCount,
  now: string,
  extra: { sharePointWritesApplied?: number } = {},
): RunProgress {
  const { secondsLeft: _previous, ...rest } = progress;
  const left = secondsLeft(progress.stageStartedAt, now, count);
  return {
    ...rest,
    [of]: count,
    ...extra,
    updatedAt: now,
    ...(left === undefined ? {} : { secondsLeft: left }),
  };
}

/** The estimate `stepsCounted` gives, in whole seconds (at least 1 while anything is left). */
export function secondsLeft(stageStartedAt: string, now: string, count: StepCount): number | undefined {
  const elapsedMs = Date.parse(now) - Date.parse(stageStartedAt);
  if (count.done <= 0 || count.done >= count.total || !(elapsedMs >= 0)) return undefined;
  const leftMs = (elapsedMs / count.done) * (count.total - count.done);
  return Math.max(1, Math.round(leftMs / 1000));
}

/** The `RunProgress` in a custom status, when it is one (the status of an older run may have another shape). */
export function asRunProgress(customStatus: unknown): RunProgress | undefined {
  if (typeof customStatus !== "object" || customStatus === null) return undefined;
  const candidate = customStatus as Partial<RunProgress>;
  return typeof candidate.runId === "string" &&
    typeof candidate.cycle === "number" &&
    typeof candidate.stage === "string" &&
    typeof candidate.startedAt === "string"
    ? (customStatus as RunProgress)
    : undefined;
}

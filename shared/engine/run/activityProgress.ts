import type { Logger } from "../../runtime";

/**
 * Where an activity is inside itself (docs/engine.md#progress): what `prepareRun` and `commitRun` report while they
 * work, between the orchestrator's custom status updates, which only move when an activity finishes.
 *
 * - `readingSharePoint`: the delta (or the full enumeration) so far: `items` distinct items, `pages` delta pages read;
 * - `readingConfluence`: the managed page (table mode), or the pages-mode pages: which changed, then `pages` read so
 *   far of those the run needs;
 * - `planning`: decoding both sides, loading the state rows the plan needs, planning, staging the plan;
 * - `committingState`: `rows` of `total` state rows written (Table Storage transactions finished so far).
 *
 * Counts only, never a value of an item.
 */
export type ActivityStep =
  | { readonly kind: "readingSharePoint"; readonly items: number; readonly pages: number }
  | {
      readonly kind: "readingConfluence";
      /** Table mode's one page, or pages mode's pages (the feed and tree first, then the pages themselves). */
      readonly of: "page" | "pages";
      readonly pages?: { readonly done: number; readonly total: number };
    }
  | { readonly kind: "planning" }
  | { readonly kind: "committingState"; readonly rows: number; readonly total: number };

/** A step of one run's activity: which run and cycle it belongs to, and which activity (and so which stage) it is in. */
export interface ActivityProgress {
  readonly profileKey: string;
  readonly runId: string;
  readonly cycle: number;
  /** The run stage the activity works in: `prepareRun` is `preparing`, `commitRun` is `committing`. */
  readonly stage: "preparing" | "committing";
  readonly step: ActivityStep;
}

/**
 * Where activities report their steps. It is called from inside the engine's loops (once per delta page, per state
 * transaction), so it must return at once and never throw; a sink that shows or logs throttles itself. It never
 * touches the orchestration: in Azure an activity cannot change its orchestration's custom status.
 */
export type ActivityProgressSink = (progress: ActivityProgress) => void;

/** The sink that drops everything (the default). */
export const silentProgress: ActivityProgressSink = () => undefined;

/** What an activity calls to report a step of its run. */
export type StepReporter = (step: ActivityStep) => void;

/** The reporter for one activity of one run. */
export function stepReporter(
  sink: ActivityProgressSink,
  run: { readonly profileKey: string; readonly runId: string; readonly cycle: number },
  stage: ActivityProgress["stage"],
): StepReporter {
  if (sink === silentProgress) return ignoreStep;
  const { profileKey, runId, cycle } = run;
  return (step) => sink({ profileKey, runId, cycle, stage, step });
}

const ignoreStep: StepReporter = () => undefined;

/** How often the Functions app's progress log writes a line per run (see `progressLog`). */
export const PROGRESS_LOG_INTERVAL_MS = 15_000;

/**
 * A sink that writes a run's steps as a trace line (`run progress`, info) at most every `intervalMs` per run and
 * activity, from `intervalMs` after its first step on: in Azure the only place an in-activity step can go without a
 * storage write (docs/engine.md#progress), and only long activities write any. A step that comes sooner is dropped,
 * not delayed, so nothing waits on a timer.
 */
export function progressLog(
  logger: Logger,
  now: () => number,
  intervalMs = PROGRESS_LOG_INTERVAL_MS,
): ActivityProgressSink {
  const lastLine = new Map<string, number>();
  return (progress) => {
    const key = `${progress.runId}|${progress.cycle}|${progress.stage}`;
    const at = now();
    const last = lastLine.get(key);
    if (last === undefined) {
      // The first step only starts the clock: an activity done within the interval (most runs) logs nothing.
      if (lastLine.size >= 64) lastLine.clear(); // runs end; the map must not grow with them
      lastLine.set(key, at);
      return;
    }
    if (at - last < intervalMs) return;
    lastLine.set(key, at);
    logger.info("run progress", {
      profile: progress.profileKey,
      runId: progress.runId,
      cycle: progress.cycle,
      stage: progress.stage,
      step: progress.step,
    });
  };
}

import type * as df from "durable-functions";
import {
  cycleStarted,
  type PlannedWrites,
  type RunProgress,
  type RunStage,
  type StepCount,
  stageStarted,
  stepsCounted,
} from "../run/runProgress";

/**
 * The orchestration's custom status as the run's `RunProgress` (docs/engine.md#progress): each call computes the next
 * progress from the last and sets it. Time is `currentUtcDateTime`, everything else what the orchestrator passes in
 * (its input and activity results), so a replay sets the same status.
 */
export class ProgressStatus {
  readonly #context: df.OrchestrationContext;
  #progress: RunProgress | undefined;

  constructor(context: df.OrchestrationContext) {
    this.#context = context;
  }

  /** A cycle starts: `preparing`. */
  cycleStarted(run: { runId: string; cycle: number; startedAt: string }): void {
    this.#show(cycleStarted(run, this.#now()));
  }

  /** The run moves on to `stage`; `planned` and the counts it starts with, when the plan gave them. */
  stage(
    stage: RunStage,
    counts: { planned?: PlannedWrites; batches?: StepCount; pages?: StepCount; sharePointWritesApplied?: number } = {},
  ): void {
    if (this.#progress === undefined) return;
    const { planned, ...rest } = counts;
    this.#show({ ...stageStarted(this.#progress, stage, this.#now()), ...(planned ? { planned } : {}), ...rest });
  }

  /** The stage's batches or page jobs: `count` done, and the estimate of the time left that follows. */
  counted(of: "batches" | "pages", count: StepCount, extra: { sharePointWritesApplied?: number } = {}): void {
    if (this.#progress === undefined) return;
    this.#show(stepsCounted(this.#progress, of, count, this.#now(), extra));
  }

  #now(): string {
    return this.#context.df.currentUtcDateTime.toISOString();
  }

  #show(progress: RunProgress): void {
    this.#progress = progress;
    this.#context.df.setCustomStatus(progress);
  }
}

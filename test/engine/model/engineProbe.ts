import type { BatchProgress } from "../../../shared/engine/run/stagedDocuments";
import type { RunRecordStore } from "../../../shared/state/runRecordStore";
import type { RunStagingStore, StagingRun } from "../../../shared/state/runStagingStore";
import type { StateStores } from "../../../shared/state/stateStores";
import type { SyncCursorStore } from "../../../shared/state/syncCursorStore";

/**
 * Where the model crashes the engine, each between two I/O steps that Durable's at-least-once retries must join up:
 * - `batchOutcome`: after a `$batch` went out, before its outcome is staged (the retry must find what it wrote);
 * - `phaseOne`: after the page activity committed the SharePoint outcomes, before the page update;
 * - `pageOutcome`: after the page update landed, before its outcome is staged (the retry must find its version);
 * - `beforeCommit`: after every write, before the run's state commit (the brief's "crash between the writes and the
 *   state commit");
 * - `cursorSave`: in the commit, after the item states, before the delta link;
 * - `afterCursorSave`: in the commit, after the delta link, before the conflicts are settled and the run recorded;
 * - `afterRunRecord`: in the commit, after the run record, before the run's staging is cleared (the retry must find
 *   the run already committed).
 */
export type CrashPoint =
  | "batchOutcome"
  | "phaseOne"
  | "pageOutcome"
  | "beforeCommit"
  | "cursorSave"
  | "afterCursorSave"
  | "afterRunRecord";

/** A crash at `point`, `times` attempts in a row: 1 is absorbed by Durable's activity retry, 3 exhaust it and fail the run. */
export interface Crash {
  readonly point: CrashPoint;
  readonly times: 1 | 3;
}

/** Thrown at a crash point; the local Durable host treats it like any activity failure. */
export class SimulatedCrash extends Error {
  constructor(point: CrashPoint) {
    super(`simulated crash at ${point}`);
    this.name = "SimulatedCrash";
  }
}

/**
 * The model's probe in the engine's state stores (installed once, through the harness's `wrapState`): it records
 * every document the engine stages — the plan of each cycle, each batch's outcomes, the page outcome — so the model can
 * follow a run without changing it, and it crashes the engine at the armed crash points.
 */
export class EngineProbe {
  readonly #staged = new Map<string, Map<string, unknown>>();
  readonly #armed = new Map<CrashPoint, number>();
  /** Crashes that happened, by point: what the model's runs actually exercised. */
  readonly crashes = new Map<CrashPoint, number>();
  /** The activity running now (set by the model's activity wrappers): where a staging write comes from. */
  activity: string | null = null;

  /** Arms crashes for the next run (none disarms). */
  arm(crashes: readonly Crash[]): void {
    this.#armed.clear();
    for (const crash of crashes) this.#armed.set(crash.point, crash.times);
  }

  /** Throws if a crash is armed at `point` and has attempts left. */
  crashAt(point: CrashPoint): void {
    const remaining = this.#armed.get(point) ?? 0;
    if (remaining <= 0) return;
    this.#armed.set(point, remaining - 1);
    this.crashes.set(point, (this.crashes.get(point) ?? 0) + 1);
    throw new SimulatedCrash(point);
  }

  /** The documents the run staged, by name, as last written (a retried activity writes them again). */
  staged(runId: string): ReadonlyMap<string, unknown> {
    return this.#staged.get(runId) ?? new Map();
  }

  /** Forgets a run's documents once the model has read them. */
  forget(runId: string): void {
    this.#staged.delete(runId);
  }

  wrapState(state: StateStores): StateStores {
    return {
      ...state,
      staging: this.#wrapStaging(state.staging),
      cursors: this.#wrapCursors(state.cursors),
      runs: this.#wrapRuns(state.runs),
    };
  }

  #wrapStaging(staging: RunStagingStore): RunStagingStore {
    const put = async (run: StagingRun, name: string, value: unknown, stagedAt: string): Promise<void> => {
      if (/^c\d+\.progress\./.test(name) && (value as BatchProgress).kind === "done") this.crashAt("batchOutcome");
      if (/^c\d+\.page$/.test(name)) this.crashAt("pageOutcome");
      if (/^c\d+\.versions$/.test(name) && this.activity === "applyConfluencePage") this.crashAt("phaseOne");
      await staging.put(run, name, value, stagedAt);
      let documents = this.#staged.get(run.runId);
      if (documents === undefined) {
        documents = new Map();
        this.#staged.set(run.runId, documents);
      }
      documents.set(name, JSON.parse(JSON.stringify(value)) as unknown);
    };
    return delegate(staging, { put });
  }

  #wrapCursors(cursors: SyncCursorStore): SyncCursorStore {
    const save: SyncCursorStore["save"] = async (...args) => {
      this.crashAt("cursorSave");
      const version = await cursors.save(...args);
      this.crashAt("afterCursorSave");
      return version;
    };
    return delegate(cursors, { save });
  }

  #wrapRuns(runs: RunRecordStore): RunRecordStore {
    const save: RunRecordStore["save"] = async (...args) => {
      await runs.save(...args);
      // Only the commit's record: a failed run's record (recordRunFailure) has no staging left to find.
      if (this.activity === "commitRun") this.crashAt("afterRunRecord");
    };
    return delegate(runs, { save });
  }
}

/** `target` with some methods replaced; the others stay bound to it (so its private fields keep working). */
function delegate<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(object, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof T];
      const value = Reflect.get(object, property, object) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}

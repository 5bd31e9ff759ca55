import type { ActivityProgress, ActivityProgressSink } from "../../shared/engine/run/activityProgress";
import { syncInstanceId } from "../../shared/engine/run/runContract";
import { asRunProgress, type RunProgress, withActivityStep } from "../../shared/engine/run/runProgress";
import type { LocalRunOptions } from "./localDurableHost";

/**
 * Hands the steps the engine's activities report to whoever listens while a local run works (the CLI's live line);
 * the engine's `progress` sink in a local process. A listener that throws is ignored: the engine's loops call this.
 */
export class ActivityProgressRelay {
  readonly #listeners = new Set<ActivityProgressSink>();

  readonly sink: ActivityProgressSink = (progress) => {
    for (const listener of this.#listeners) {
      try {
        listener(progress);
      } catch {
        // Showing progress must never fail a run.
      }
    }
  };

  /** Adds `listener`; the answer removes it. */
  listen(listener: ActivityProgressSink): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/**
 * One local run's progress as a live display wants it (docs/cli.md#progress): the `syncProfile` orchestration's custom
 * status as the local Durable host hands it over after each episode, with the step of the activity it waits for
 * merged in (`withActivityStep`) as the activity reports it. `onProgress` hears each change; `stop` stops listening
 * to the relay once the run ended.
 */
export function liveRunProgress(
  relay: ActivityProgressRelay | undefined,
  profileKey: string,
  onProgress: (progress: RunProgress, from: "status" | "step") => void,
): { readonly options: LocalRunOptions; stop(): void } {
  const instanceId = syncInstanceId(profileKey);
  let status: RunProgress | undefined;
  let step: ActivityProgress | undefined;
  const stop =
    relay?.listen((progress) => {
      if (progress.profileKey !== profileKey) return;
      step = progress;
      if (status === undefined) return;
      const merged = withActivityStep(status, progress);
      if (merged.step !== undefined) onProgress(merged, "step");
    }) ?? (() => undefined);
  return {
    options: {
      onCustomStatus: (update) => {
        const shown = update.instanceId === instanceId ? asRunProgress(update.customStatus) : undefined;
        if (shown === undefined) return;
        status = shown;
        onProgress(withActivityStep(shown, step), "status");
      },
    },
    stop: () => {
      stop();
    },
  };
}

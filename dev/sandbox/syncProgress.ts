import type { RunProgress } from "../../shared/engine/run/runProgress";
import { type ActivityProgressRelay, liveRunProgress } from "../localHost/liveProgress";
import type { LocalRunOptions } from "../localHost/localDurableHost";

/**
 * Records one demo sync's progress as its orchestration publishes it (the custom status the local Durable host hands
 * over) and passes each one on to `onProgress`, for the CLI's live line, with the steps the activities report through
 * `relay` merged in (those are shown, not recorded: the record is what the Durable status showed). `stop` once the
 * sync ended.
 */
export function recordSyncProgress(
  profileKey: string,
  onProgress: ((progress: RunProgress) => void) | undefined,
  relay?: ActivityProgressRelay,
): { readonly progress: RunProgress[]; readonly options: LocalRunOptions; stop(): void } {
  const progress: RunProgress[] = [];
  const live = liveRunProgress(onProgress ? relay : undefined, profileKey, (shown, from) => {
    if (from === "status") {
      const { step: _shownOnly, ...status } = shown;
      progress.push(status);
    }
    onProgress?.(shown);
  });
  return { progress, options: live.options, stop: live.stop };
}

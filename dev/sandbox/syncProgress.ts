import { syncInstanceId } from "../../shared/engine/run/runContract";
import { asRunProgress, type RunProgress } from "../../shared/engine/run/runProgress";
import type { LocalRunOptions } from "../localHost/localDurableHost";

/**
 * Records one demo sync's progress as its orchestration publishes it (the custom status the local Durable host hands
 * over) and passes each one on to `onProgress`, for the CLI's live line.
 */
export function recordSyncProgress(
  profileKey: string,
  onProgress: ((progress: RunProgress) => void) | undefined,
): { readonly progress: RunProgress[]; readonly options: LocalRunOptions } {
  const progress: RunProgress[] = [];
  const instanceId = syncInstanceId(profileKey);
  return {
    progress,
    options: {
      onCustomStatus: (update) => {
        const shown = update.instanceId === instanceId ? asRunProgress(update.customStatus) : undefined;
        if (shown === undefined) return;
        progress.push(shown);
        onProgress?.(shown);
      },
    },
  };
}

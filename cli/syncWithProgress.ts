import type { LocalDurableRegistry, LocalRunResult } from "../dev/localHost/localDurableHost";
import { runProfileSyncLocally } from "../dev/localHost/localEngine";
import { type SyncProfileInput, syncInstanceId } from "../shared/engine/run/runContract";
import { asRunProgress } from "../shared/engine/run/runProgress";
import type { CliIo } from "./cliContext";
import { progressDisplayFor } from "./progressDisplay";

/**
 * One run of a profile through the local Durable host, with its progress on stderr while it works (docs/cli.md#progress):
 * the `syncProfile` orchestrator's custom status as each episode leaves it. `quiet` shows none.
 */
export async function syncWithProgress(
  io: CliIo,
  registry: LocalDurableRegistry,
  input: SyncProfileInput,
  options: { quiet: boolean },
): Promise<LocalRunResult> {
  const display = progressDisplayFor(io, { quiet: options.quiet, label: `sync ${input.profileKey}` });
  const instanceId = syncInstanceId(input.profileKey);
  try {
    return await runProfileSyncLocally(registry, input, {
      onCustomStatus: (update) => {
        const progress = update.instanceId === instanceId ? asRunProgress(update.customStatus) : undefined;
        if (progress) display.update(progress);
      },
    });
  } finally {
    display.stop();
  }
}

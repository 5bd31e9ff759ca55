import { liveRunProgress } from "../dev/localHost/liveProgress";
import type { LocalRunResult } from "../dev/localHost/localDurableHost";
import { type LocalEngine, runProfileSyncLocally } from "../dev/localHost/localEngine";
import type { SyncProfileInput } from "../shared/engine/run/runContract";
import type { CliIo } from "./cliContext";
import { progressDisplayFor } from "./progressDisplay";

/**
 * One run of a profile through the local Durable host, with its progress on stderr while it works (docs/cli.md#progress):
 * the `syncProfile` orchestrator's custom status as each episode leaves it, with the steps its activities report
 * merged in. `quiet` shows none.
 */
export async function syncWithProgress(
  io: CliIo,
  engine: Pick<LocalEngine, "registry" | "progress">,
  input: SyncProfileInput,
  options: { quiet: boolean },
): Promise<LocalRunResult> {
  const display = progressDisplayFor(io, { quiet: options.quiet, label: `sync ${input.profileKey}` });
  const live = liveRunProgress(options.quiet ? undefined : engine.progress, input.profileKey, (progress) =>
    display.update(progress),
  );
  try {
    return await runProfileSyncLocally(engine.registry, input, live.options);
  } finally {
    live.stop();
    display.stop();
  }
}

import { createSyncActivities } from "../engine/activities";
import type { EngineServices } from "../engine/engineServices";
import { syncAllProfilesOrchestrator, syncProfileOrchestrator } from "../engine/orchestration";
import { OrchestratorName, syncInstanceId, type RunReport, type SyncProfileInput } from "../engine/runContract";
import { runOrchestrationLocally, type LocalDurableRegistry } from "../hosting/localDurableHost";

/** Runs one profile through the real `syncProfile` orchestrator, replayed in-process, and returns its run report. */
export async function runProfileSyncLocally(engine: EngineServices, input: SyncProfileInput): Promise<RunReport> {
  const registry: LocalDurableRegistry = {
    orchestrators: { [OrchestratorName.syncProfile]: syncProfileOrchestrator, [OrchestratorName.syncAllProfiles]: syncAllProfilesOrchestrator },
    activities: createSyncActivities(engine),
  };
  const result = await runOrchestrationLocally(registry, OrchestratorName.syncProfile, input, syncInstanceId(input.profileKey));
  if (result.status !== "Completed") throw new Error(`the sync of profile "${input.profileKey}" failed: ${result.error ?? "unknown error"}`);
  return result.output as RunReport;
}

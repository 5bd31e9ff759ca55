import type { ConfigServices } from "../../shared/config/configServices";
import { createSyncActivities, type SyncActivities } from "../../shared/engine/activities";
import { createEngineServices, type EngineOptions, type EngineServices } from "../../shared/engine/engineServices";
import {
  syncAllProfilesOrchestrator,
  syncPageJobsOrchestrator,
  syncProfileOrchestrator,
} from "../../shared/engine/orchestration";
import { OrchestratorName, type SyncProfileInput, syncInstanceId } from "../../shared/engine/run/runContract";
import { openStateStores } from "../../shared/state/stateStores";
import { ActivityProgressRelay } from "./liveProgress";
import {
  type LocalDurableRegistry,
  type LocalRunOptions,
  type LocalRunResult,
  runOrchestrationLocally,
} from "./localDurableHost";
import { openStateStorage } from "./stateStorage";

/** The real orchestrators with these activities, for the local Durable host. */
export function syncRegistry(activities: SyncActivities): LocalDurableRegistry {
  return {
    orchestrators: {
      [OrchestratorName.syncProfile]: syncProfileOrchestrator,
      [OrchestratorName.syncAllProfiles]: syncAllProfilesOrchestrator,
      [OrchestratorName.syncPageJobs]: syncPageJobsOrchestrator,
    },
    activities,
  };
}

/** Runs one profile's sync through the real `syncProfile` orchestrator, in-process. */
export function runProfileSyncLocally(
  registry: LocalDurableRegistry,
  input: SyncProfileInput,
  options: LocalRunOptions = {},
): Promise<LocalRunResult> {
  return runOrchestrationLocally(
    registry,
    OrchestratorName.syncProfile,
    input,
    syncInstanceId(input.profileKey),
    options,
  );
}

/** The engine for one local process (the CLI, the sandbox), with the state storage it opened. */
export interface LocalEngine {
  readonly services: EngineServices;
  readonly registry: LocalDurableRegistry;
  /** The steps the activities report while they work (the engine's progress sink), for a live display. */
  readonly progress: ActivityProgressRelay;
  /** Releases the embedded state store, when one was started (the config services stay the caller's). */
  close(): Promise<void>;
}

/**
 * Opens the engine over the caller's profiles and secrets, with the state tables in the configured storage account
 * or in an embedded Azurite under CONFLUENCE_SYNC_HOME (`openStateStorage`).
 */
export async function openLocalEngine(
  config: ConfigServices,
  options: EngineOptions & { onEmbeddedStorage?: (folder: string) => void } = {},
): Promise<LocalEngine> {
  const { onEmbeddedStorage, ...engineOptions } = options;
  const storage = await openStateStorage(config.settings, onEmbeddedStorage ? { onStart: onEmbeddedStorage } : {});
  try {
    const state = await openStateStores(storage.location);
    const progress = new ActivityProgressRelay();
    const services = createEngineServices({ config, state }, { progress: progress.sink, ...engineOptions });
    return {
      services,
      progress,
      registry: syncRegistry(createSyncActivities(services)),
      close: async () => {
        // A rotated refresh token the store refused is kept in memory: one more try before the process ends.
        await services.connections.tokens.settle();
        services.connections.tokens.dispose();
        await storage.close();
      },
    };
  } catch (error) {
    await storage.close();
    throw error;
  }
}

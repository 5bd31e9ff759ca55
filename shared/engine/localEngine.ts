import type { AppSettings } from "../config/appSettings";
import { openConfigServices } from "../config/configServices";
import { runOrchestrationLocally, type LocalDurableRegistry, type LocalRunOptions, type LocalRunResult } from "../hosting/localDurableHost";
import { openStateStorage } from "../hosting/stateStorage";
import { openStateStores } from "../state/stateStores";
import { createSyncActivities, type SyncActivities } from "./activities";
import { createEngineServices, type EngineOptions, type EngineServices } from "./engineServices";
import { syncAllProfilesOrchestrator, syncProfileOrchestrator } from "./orchestration";
import { OrchestratorName, syncInstanceId, type SyncProfileInput } from "./runContract";

/** The real orchestrators with these activities, for the local Durable host. */
export function syncRegistry(activities: SyncActivities): LocalDurableRegistry {
  return {
    orchestrators: { [OrchestratorName.syncProfile]: syncProfileOrchestrator, [OrchestratorName.syncAllProfiles]: syncAllProfilesOrchestrator },
    activities,
  };
}

/** Runs one profile's sync through the real `syncProfile` orchestrator, in-process. */
export function runProfileSyncLocally(registry: LocalDurableRegistry, input: SyncProfileInput, options: LocalRunOptions = {}): Promise<LocalRunResult> {
  return runOrchestrationLocally(registry, OrchestratorName.syncProfile, input, syncInstanceId(input.profileKey), options);
}

/** The engine for one local process (the CLI, the sandbox), with what it opened. */
export interface LocalEngine {
  readonly services: EngineServices;
  readonly registry: LocalDurableRegistry;
  /** Releases the config database and, when one was started, the embedded state store. */
  close(): Promise<void>;
}

/**
 * Opens the engine from app settings: profiles and secrets as configured, the state tables in the configured storage
 * account or in an embedded Azurite under CONFLUENCE_SYNC_HOME (`openStateStorage`).
 */
export async function openLocalEngine(settings: AppSettings, options: EngineOptions & { onEmbeddedStorage?: (folder: string) => void } = {}): Promise<LocalEngine> {
  const { onEmbeddedStorage, ...engineOptions } = options;
  const config = await openConfigServices(settings);
  try {
    const storage = await openStateStorage(settings, onEmbeddedStorage ? { onStart: onEmbeddedStorage } : {});
    try {
      const state = await openStateStores(storage.location);
      const services = createEngineServices({ config, state }, engineOptions);
      return {
        services,
        registry: syncRegistry(createSyncActivities(services)),
        close: async () => {
          try {
            await storage.close();
          } finally {
            config.close();
          }
        },
      };
    } catch (error) {
      await storage.close();
      throw error;
    }
  } catch (error) {
    config.close();
    throw error;
  }
}

import { openStateStorage } from "../dev/localHost/stateStorage";
import type { AppSettings } from "../shared/config";
import { openStateStores, type StateStores } from "../shared/state/stateStores";
import type { CliIo } from "./cliContext";

/**
 * Runs `action` with the state tables: the configured storage account, or the embedded Azurite under
 * CONFLUENCE_SYNC_HOME/azurite (started for the command and stopped afterwards).
 */
export async function withStateStores<T>(
  io: CliIo,
  settings: AppSettings,
  action: (stores: StateStores) => Promise<T>,
): Promise<T> {
  const storage = await openStateStorage(settings, {
    onStart: (folder) => io.stderr(`using the local state store in ${folder}\n`),
  });
  try {
    return await action(await openStateStores(storage.location));
  } finally {
    await storage.close();
  }
}

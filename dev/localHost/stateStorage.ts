import { mkdir, open, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import type { AppSettings } from "../../shared/settings/appSettings";
import { InvalidAppSetting } from "../../shared/settings/invalidAppSetting";
import { type TableStorageLocation, tableStorageFromSettings } from "../../shared/state/tableClientFactory";
import { LocalStateStorageBusy } from "./localStateStorageBusy";

/** Where the state tables are for this process, and how to let go of them. */
export interface StateStorage {
  location: TableStorageLocation;
  /** True when this process started an embedded Azurite for them. */
  embedded: boolean;
  close(): Promise<void>;
}

/** The embedded store's folder under CONFLUENCE_SYNC_HOME. */
export const EMBEDDED_AZURITE_FOLDER = "azurite";
/** Inside that folder: holds the pid of the process that owns the store. */
export const EMBEDDED_LOCK_FILE = "confluence-sync.lock";

/**
 * The state tables for the CLI and the sandbox: the configured storage account (AzureWebJobsStorage or its
 * identity-based form), or, on a developer machine with none configured, an Azurite table service started for this
 * process and persisted under CONFLUENCE_SYNC_HOME/azurite, so runs, conflicts and subscriptions survive between
 * commands. One process at a time owns that folder (a lock file holds its pid).
 */
export async function openStateStorage(
  settings: AppSettings,
  options: { onStart?: (folder: string) => void } = {},
): Promise<StateStorage> {
  const configured = tableStorageFromSettings(settings);
  if (configured) return { location: configured, embedded: false, close: async () => undefined };
  if (settings.runsInAzure) {
    throw new InvalidAppSetting(
      "AzureWebJobsStorage",
      "no storage account is configured for the state tables (set AzureWebJobsStorage__tableServiceUri)",
    );
  }
  const folder = path.join(settings.homeDir, EMBEDDED_AZURITE_FOLDER);
  const releaseLock = await lockFolder(folder);
  try {
    options.onStart?.(folder);
    // Azurite is a devDependency, loaded only where no storage is configured, i.e. on a developer machine.
    const { startAzuriteTable } = await import("../emulators/azuriteTable.js");
    const azurite = await startAzuriteTable({ location: folder });
    return {
      location: { kind: "connectionString", connectionString: azurite.connectionString },
      embedded: true,
      close: async () => {
        try {
          await azurite.close();
        } finally {
          await releaseLock();
        }
      },
    };
  } catch (error) {
    await releaseLock();
    throw error;
  }
}

/** Takes the folder's lock file (created exclusively, holding our pid); a lock whose process is gone is taken over. */
async function lockFolder(folder: string): Promise<() => Promise<void>> {
  await mkdir(folder, { recursive: true });
  const lockPath = path.join(folder, EMBEDDED_LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => unlink(lockPath).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
      const holder = Number((await readFile(lockPath, "utf8").catch(() => "")).trim());
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) throw new LocalStateStorageBusy(folder, holder);
      await unlink(lockPath).catch(() => undefined);
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

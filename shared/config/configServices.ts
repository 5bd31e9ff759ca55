import type { DatabaseSync } from "node:sqlite";
import type { TokenCredential } from "@azure/identity";
import type { Clock, Logger } from "../runtime";
import { createSecretsProvider } from "../secrets/createSecretsProvider";
import type { SecretsProvider } from "../secrets/secretsProvider";
import type { AppSettings } from "../settings/appSettings";
import { openConfigDatabase } from "../settings/configDatabase";
import type { TableStorageLocation } from "../state/tableClientFactory";
import { createProfileStore } from "./createProfileStore";
import type { ProfileStore } from "./profileStore";
import { ProfileValidator } from "./profileValidator";

/** Profiles, their secrets and the validator, wired from the app settings; what every command and activity starts from. */
export interface ConfigServices {
  readonly settings: AppSettings;
  readonly secrets: SecretsProvider;
  readonly profiles: ProfileStore;
  readonly validator: ProfileValidator;
  /** Releases the local config database, when one was opened. */
  close(): void;
}

export interface ConfigServicesDependencies {
  /** Key Vault credential (DefaultAzureCredential when absent). */
  credential?: TokenCredential;
  /** Table Storage for profiles, when not taken from the AzureWebJobsStorage settings. */
  tableStorage?: TableStorageLocation;
  clock?: Clock;
  logger?: Logger;
}

/**
 * Opens the configured SecretsProvider and ProfileStore. When both are local they share one SQLite connection to
 * CONFLUENCE_SYNC_HOME/config.db, opened only if something local is configured.
 */
export async function openConfigServices(
  settings: AppSettings,
  dependencies: ConfigServicesDependencies = {},
): Promise<ConfigServices> {
  let database: DatabaseSync | undefined;
  const configDatabase = (): DatabaseSync => (database ??= openConfigDatabase(settings.homeDir));
  const close = (): void => {
    database?.close();
    database = undefined;
  };
  try {
    const secrets = createSecretsProvider(settings, {
      configDatabase,
      ...(dependencies.credential ? { credential: dependencies.credential } : {}),
      ...(dependencies.logger ? { logger: dependencies.logger } : {}),
    });
    const profiles = await createProfileStore(settings, {
      configDatabase,
      ...(dependencies.tableStorage ? { tableStorage: dependencies.tableStorage } : {}),
      ...(dependencies.clock ? { clock: dependencies.clock } : {}),
    });
    return {
      settings,
      secrets,
      profiles,
      validator: new ProfileValidator(secrets, profiles, settings.endpointAllowlist),
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}

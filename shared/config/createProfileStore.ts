import type { DatabaseSync } from "node:sqlite";
import type { Clock } from "../runtime";
import type { AppSettings } from "../settings/appSettings";
import { openConfigDatabase } from "../settings/configDatabase";
import { InvalidAppSetting } from "../settings/invalidAppSetting";
import { type TableStorageLocation, tableStorageFromSettings } from "../state/tableClientFactory";
import type { ProfileStore } from "./profileStore";
import { SqliteProfileStore } from "./sqliteProfileStore";
import { TableProfileStore } from "./tableProfileStore";

export interface ProfileStoreDependencies {
  /** The local config database; opened from CONFLUENCE_SYNC_HOME when not given. */
  configDatabase?: () => DatabaseSync;
  /** Where the Profiles table lives; resolved from the AzureWebJobsStorage settings when not given. */
  tableStorage?: TableStorageLocation;
  tableName?: string;
  clock?: Clock;
}

/**
 * The profile store the settings ask for: Table Storage (`PROFILE_STORE=table`, the default in Azure) in the app's
 * storage account, or SQLite (`sqlite`, the default elsewhere) in CONFLUENCE_SYNC_HOME/config.db.
 */
export async function createProfileStore(
  settings: Pick<
    AppSettings,
    | "profileStore"
    | "homeDir"
    | "AzureWebJobsStorage"
    | "AzureWebJobsStorage__tableServiceUri"
    | "AzureWebJobsStorage__clientId"
  >,
  dependencies: ProfileStoreDependencies = {},
): Promise<ProfileStore> {
  const clock = dependencies.clock ? { clock: dependencies.clock } : {};
  if (settings.profileStore === "sqlite") {
    return new SqliteProfileStore(
      (dependencies.configDatabase ?? (() => openConfigDatabase(settings.homeDir)))(),
      clock,
    );
  }
  const location = dependencies.tableStorage ?? tableStorageFromSettings(settings);
  if (!location) {
    throw new InvalidAppSetting(
      "AzureWebJobsStorage",
      "profiles in Table Storage (PROFILE_STORE=table, the default in Azure) need a storage account: set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__tableServiceUri",
    );
  }
  return TableProfileStore.open(location, {
    ...clock,
    ...(dependencies.tableName ? { tableName: dependencies.tableName } : {}),
  });
}

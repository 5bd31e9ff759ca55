import type { DatabaseSync } from "node:sqlite";
import type { TokenCredential } from "@azure/identity";
import type { Logger } from "../runtime";
import type { AppSettings } from "../settings/appSettings";
import { openConfigDatabase } from "../settings/configDatabase";
import { InvalidAppSetting } from "../settings/invalidAppSetting";
import { KeyVaultSecretsProvider, type KeyVaultSecretsProviderOptions } from "./keyVaultSecretsProvider";
import type { SecretsProvider } from "./secretsProvider";
import { SqliteSecretsProvider } from "./sqliteSecretsProvider";

export interface SecretsProviderDependencies {
  /** The local config database; opened from CONFLUENCE_SYNC_HOME when not given (the caller then cannot close it). */
  configDatabase?: () => DatabaseSync;
  /** Key Vault credential; DefaultAzureCredential when absent. */
  credential?: TokenCredential;
  keyVaultClientOptions?: KeyVaultSecretsProviderOptions["clientOptions"];
  logger?: Logger;
}

/**
 * The secrets provider the settings ask for: Key Vault (`SECRETS_PROVIDER=keyvault`, the default in Azure) at
 * `KEY_VAULT_URL`, or the local SQLite ConfigStore (`sqlite`, the default elsewhere).
 */
export function createSecretsProvider(
  settings: Pick<AppSettings, "secretsProvider" | "KEY_VAULT_URL" | "homeDir">,
  dependencies: SecretsProviderDependencies = {},
): SecretsProvider {
  if (settings.secretsProvider === "sqlite") {
    return new SqliteSecretsProvider((dependencies.configDatabase ?? (() => openConfigDatabase(settings.homeDir)))());
  }
  const vaultUrl = settings.KEY_VAULT_URL?.trim();
  if (!vaultUrl) {
    throw new InvalidAppSetting(
      "KEY_VAULT_URL",
      "required when secrets live in Key Vault (SECRETS_PROVIDER=keyvault, the default in Azure)",
    );
  }
  if (!/^https:\/\/[^/?#]+\/?$/.test(vaultUrl)) {
    throw new InvalidAppSetting(
      "KEY_VAULT_URL",
      `"${vaultUrl}" is not a vault URL such as https://kv-confluencesync.vault.azure.net`,
    );
  }
  return new KeyVaultSecretsProvider({
    vaultUrl,
    ...(dependencies.credential ? { credential: dependencies.credential } : {}),
    ...(dependencies.keyVaultClientOptions ? { clientOptions: dependencies.keyVaultClientOptions } : {}),
    ...(dependencies.logger ? { logger: dependencies.logger } : {}),
  });
}

import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { isRestError, SecretClient, type SecretClientOptions } from "@azure/keyvault-secrets";
import { createRetryPolicy, type RetryPolicy, type RetryPolicyOptions } from "../resilience";
import { type Logger, silentLogger } from "../runtime";
import { fromKeyVaultSecretName, keyVaultSecretPrefix, toKeyVaultSecretName } from "./keyVaultSecretName";
import { SecretDeleted } from "./secretDeleted";
import type { SecretsProvider } from "./secretsProvider";
import { type SecretsOperation, SecretsStoreError } from "./secretsStoreError";

export interface KeyVaultSecretsProviderOptions {
  /** e.g. `https://kv-confluencesync.vault.azure.net` */
  vaultUrl: string;
  /** Defaults to DefaultAzureCredential (the app's managed identity in Azure; `AZURE_CLIENT_ID` picks a user-assigned one). */
  credential?: TokenCredential;
  /**
   * Passed to SecretClient. Tests against the local emulator need `disableChallengeResourceVerification: true`:
   * the SDK otherwise insists that the vault host ends with the challenge's resource host (`.vault.azure.net`).
   */
  clientOptions?: SecretClientOptions;
  /** How often the delete / recover operations poll for completion, in milliseconds (SDK default 2000). */
  pollIntervalMs?: number;
  /** Retries of Key Vault's transient 409s ("being deleted", "being recovered"). */
  retry?: RetryPolicyOptions;
  logger?: Logger;
}

/** Key Vault's inner error codes for a name in the middle of a soft-delete transition; they clear within seconds. */
const TRANSITIONAL_CONFLICTS = new Set(["ObjectIsBeingDeleted", "ObjectIsBeingRecovered"]);
const DELETED_BUT_RECOVERABLE = "ObjectIsDeletedButRecoverable";

/**
 * Profile secrets in Azure Key Vault, one vault secret per (profile, secret) named `{profileKey}--{SecretName}`
 * (see keyVaultSecretName.ts). Writes create a new version, which keeps the rotation history of refresh tokens.
 *
 * Soft delete is always on in Key Vault, and a deleted name cannot be set again until it is purged or recovered
 * (409 `ObjectIsDeletedButRecoverable`). So:
 * - `delete` soft-deletes, waits for the deletion to finish, then purges; where purging is forbidden (purge
 *   protection, or the identity lacks the purge permission → 403) the secret stays recoverable;
 * - `set` on a soft-deleted name fails with SecretDeleted and recovers nothing: an admin who deleted a profile's
 *   secret to stop the profile must not see it come back (docs/security.md#where-each-secret-lives).
 * Throttling and 5xx are retried by the Azure SDK's own pipeline; we retry only the short "being deleted / being
 * recovered" conflicts, with the app's retry policy.
 */
export class KeyVaultSecretsProvider implements SecretsProvider {
  readonly #client: SecretClient;
  readonly #pollIntervalMs: number | undefined;
  readonly #retry: RetryPolicy;
  readonly #logger: Logger;

  constructor(options: KeyVaultSecretsProviderOptions) {
    this.#client = new SecretClient(
      options.vaultUrl,
      options.credential ?? new DefaultAzureCredential(),
      options.clientOptions,
    );
    this.#pollIntervalMs = options.pollIntervalMs;
    this.#logger = options.logger ?? silentLogger;
    this.#retry = createRetryPolicy({ maxRetries: 5, initialDelayMs: 1_000, ...options.retry });
  }

  async get(profileKey: string, name: string): Promise<string | undefined> {
    const vaultName = toKeyVaultSecretName(profileKey, name);
    try {
      return (await this.#client.getSecret(vaultName)).value;
    } catch (error) {
      // A disabled secret (403 SecretDisabled) is as good as absent: listNames leaves it out too.
      if (isRestError(error) && (error.statusCode === 404 || innerCode(error) === "SecretDisabled")) return undefined;
      throw storeError("get", profileKey, name, error);
    }
  }

  async set(profileKey: string, name: string, value: string): Promise<void> {
    const vaultName = toKeyVaultSecretName(profileKey, name);
    await this.#retry.execute(async () => {
      try {
        await this.#call("set", profileKey, name, () => this.#client.setSecret(vaultName, value));
      } catch (error) {
        if (error instanceof SecretsStoreError && error.serviceCode === DELETED_BUT_RECOVERABLE) {
          this.#logger.warn("refused to write a soft-deleted Key Vault secret", { profileKey, secretName: name });
          throw new SecretDeleted(profileKey, name, vaultName);
        }
        throw error;
      }
    });
  }

  async listNames(profileKey: string): Promise<string[]> {
    // Key Vault compares names case-insensitively, so the profile's secrets are those whose prefix matches ignoring case.
    const prefix = keyVaultSecretPrefix(profileKey).toLowerCase();
    const names: string[] = [];
    await this.#call("list", profileKey, undefined, async () => {
      for await (const properties of this.#client.listPropertiesOfSecrets()) {
        if (properties.enabled === false || !properties.name.toLowerCase().startsWith(prefix)) continue;
        const parsed = fromKeyVaultSecretName(properties.name);
        if (parsed) names.push(parsed.secretName);
      }
    });
    return names.sort();
  }

  async delete(profileKey: string, name: string): Promise<void> {
    const vaultName = toKeyVaultSecretName(profileKey, name);
    try {
      const poller = await this.#client.beginDeleteSecret(vaultName, this.#pollOptions());
      await poller.pollUntilDone();
    } catch (error) {
      // Not there (or already soft-deleted): nothing to remove.
      if (isRestError(error) && error.statusCode === 404) return;
      throw storeError("delete", profileKey, name, error);
    }
    await this.#retry.execute(async () => {
      try {
        await this.#call("purge", profileKey, name, () => this.#client.purgeDeletedSecret(vaultName));
      } catch (error) {
        if (!(error instanceof SecretsStoreError) || (error.status !== 403 && error.status !== 404)) throw error;
        if (error.status === 403) {
          this.#logger.info("Key Vault secret left soft-deleted: purging is not allowed here", {
            profileKey,
            secretName: name,
          });
        }
      }
    });
  }

  #pollOptions(): { intervalInMs?: number } {
    return this.#pollIntervalMs === undefined ? {} : { intervalInMs: this.#pollIntervalMs };
  }

  async #call<T>(
    operation: SecretsOperation,
    profileKey: string,
    name: string | undefined,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw storeError(operation, profileKey, name, error);
    }
  }
}

function innerCode(error: unknown): string | undefined {
  const details = (error as { details?: { error?: { innerError?: { code?: unknown } } } }).details;
  const code = details?.error?.innerError?.code;
  return typeof code === "string" ? code : undefined;
}

/** Copies status, codes and message only: the RestError's request may carry the secret value in its body. */
function storeError(
  operation: SecretsOperation,
  profileKey: string,
  name: string | undefined,
  error: unknown,
): SecretsStoreError {
  if (error instanceof SecretsStoreError) return error;
  if (isRestError(error)) {
    const serviceCode = innerCode(error) ?? error.code;
    return new SecretsStoreError(operation, profileKey, name, {
      ...(error.statusCode !== undefined ? { status: error.statusCode } : {}),
      ...(serviceCode !== undefined ? { serviceCode } : {}),
      message: error.message,
      transient: error.statusCode === 409 && serviceCode !== undefined && TRANSITIONAL_CONFLICTS.has(serviceCode),
    });
  }
  return new SecretsStoreError(operation, profileKey, name, {
    message: error instanceof Error ? error.message : String(error),
  });
}

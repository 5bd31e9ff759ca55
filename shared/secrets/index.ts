export { createSecretsProvider, type SecretsProviderDependencies } from "./createSecretsProvider";
export { InMemorySecretsProvider } from "./inMemorySecretsProvider";
export {
  fromKeyVaultSecretName,
  KEY_VAULT_SEPARATOR,
  keyVaultSecretPrefix,
  toKeyVaultSecretName,
} from "./keyVaultSecretName";
export { KeyVaultSecretsProvider, type KeyVaultSecretsProviderOptions } from "./keyVaultSecretsProvider";
export { SecretDeleted } from "./secretDeleted";
export { SecretNameUnmappable } from "./secretNameUnmappable";
export { SECRET_NAME_PATTERN, type SecretName, SecretNames, type SecretsProvider } from "./secretsProvider";
export { type SecretsOperation, SecretsStoreError } from "./secretsStoreError";
export { SqliteSecretsProvider } from "./sqliteSecretsProvider";

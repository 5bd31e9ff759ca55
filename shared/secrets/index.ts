export { type SecretsProvider, type SecretName, SecretNames, SECRET_NAME_PATTERN } from "./secretsProvider";
export { InMemorySecretsProvider } from "./inMemorySecretsProvider";
export { SqliteSecretsProvider } from "./sqliteSecretsProvider";
export { KeyVaultSecretsProvider, type KeyVaultSecretsProviderOptions } from "./keyVaultSecretsProvider";
export { toKeyVaultSecretName, fromKeyVaultSecretName, keyVaultSecretPrefix, KEY_VAULT_SEPARATOR } from "./keyVaultSecretName";
export { SecretNameUnmappable } from "./secretNameUnmappable";
export { SecretsStoreError, type SecretsOperation } from "./secretsStoreError";
export { createSecretsProvider, type SecretsProviderDependencies } from "./createSecretsProvider";

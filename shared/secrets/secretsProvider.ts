/**
 * Where a profile's credentials live: Key Vault in Azure, the SQLite `ConfigStore` table in local development.
 *
 * Keys are scoped by profile, because every profile (tenant) has its own credentials. The provider must support
 * writes: Atlassian rotates the refresh token on every refresh, and the new one has to be persisted before it is used.
 */
export interface SecretsProvider {
  /** The secret value, or undefined when the profile has no such secret. */
  get(profileKey: string, name: string): Promise<string | undefined>;
  /** Creates or replaces the value (Key Vault keeps the old one as a previous version). */
  set(profileKey: string, name: string, value: string): Promise<void>;
  /** Names (never values) of the secrets this profile has, sorted. */
  listNames(profileKey: string): Promise<string[]>;
  /** Removes the secret; removing a missing secret is not an error. */
  delete(profileKey: string, name: string): Promise<void>;
}

/** Names of the secrets a profile may hold. Letters and digits only, so every store can carry them unchanged. */
export const SecretNames = {
  ConfluenceClientId: "ConfluenceClientId",
  ConfluenceClientSecret: "ConfluenceClientSecret",
  ConfluenceRefreshToken: "ConfluenceRefreshToken",
  GraphTenantId: "GraphTenantId",
  GraphClientId: "GraphClientId",
  GraphClientSecret: "GraphClientSecret",
} as const;
export type SecretName = (typeof SecretNames)[keyof typeof SecretNames];

export const SECRET_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

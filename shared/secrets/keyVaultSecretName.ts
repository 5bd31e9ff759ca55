import { PROFILE_KEY_PATTERN } from "../settings/profileKey";
import { SecretNameUnmappable } from "./secretNameUnmappable";
import { SECRET_NAME_PATTERN } from "./secretsProvider";

/**
 * Key Vault secret names: 1–127 letters, digits and `-`, compared case-insensitively by the service.
 * A profile's secret `ConfluenceRefreshToken` of profile `contoso-hr` is stored as `contoso-hr--ConfluenceRefreshToken`.
 *
 * The mapping is reversible because profile keys never contain `--` (nor start or end with `-`) and secret names
 * are letters and digits only: the first `--` is the separator. Anything else is rejected, never escaped, so a
 * name read back from the vault always means exactly one (profile, secret) pair.
 */
export const KEY_VAULT_SEPARATOR = "--";
export const KEY_VAULT_NAME_MAX_LENGTH = 127;

export function toKeyVaultSecretName(profileKey: string, secretName: string): string {
  assertProfileKeyMappable(profileKey, secretName);
  if (!SECRET_NAME_PATTERN.test(secretName)) {
    throw new SecretNameUnmappable(
      profileKey,
      secretName,
      "secret names must be 1-64 letters and digits, starting with a letter",
    );
  }
  const name = `${profileKey}${KEY_VAULT_SEPARATOR}${secretName}`;
  if (name.length > KEY_VAULT_NAME_MAX_LENGTH) {
    throw new SecretNameUnmappable(
      profileKey,
      secretName,
      `"${name}" is ${name.length} characters; Key Vault allows ${KEY_VAULT_NAME_MAX_LENGTH}`,
    );
  }
  return name;
}

/** The `{profileKey}--` prefix every secret of the profile starts with. */
export function keyVaultSecretPrefix(profileKey: string): string {
  assertProfileKeyMappable(profileKey, "*");
  return `${profileKey}${KEY_VAULT_SEPARATOR}`;
}

/** The (profile, secret) pair a vault secret name stands for, or undefined for names this app did not write. */
export function fromKeyVaultSecretName(name: string): { profileKey: string; secretName: string } | undefined {
  const at = name.indexOf(KEY_VAULT_SEPARATOR);
  if (at === -1) return undefined;
  const profileKey = name.slice(0, at);
  const secretName = name.slice(at + KEY_VAULT_SEPARATOR.length);
  if (!PROFILE_KEY_PATTERN.test(profileKey) || !SECRET_NAME_PATTERN.test(secretName)) return undefined;
  return { profileKey, secretName };
}

function assertProfileKeyMappable(profileKey: string, secretName: string): void {
  if (!PROFILE_KEY_PATTERN.test(profileKey)) {
    throw new SecretNameUnmappable(
      profileKey,
      secretName,
      "profile keys must be 1-63 letters, digits or single hyphens, starting and ending with a letter or digit",
    );
  }
}

import { toKeyVaultSecretName } from "../secrets/keyVaultSecretName";
import { SecretNameUnmappable } from "../secrets/secretNameUnmappable";
import { type SecretName, SecretNames } from "../secrets/secretsProvider";
import { EndpointAllowlist } from "../settings/endpointAllowlist";
import { type Profile, profileKeySchema, profileSchema } from "./profile";
import { profileEndpointIssues } from "./profileEndpoints";
import { type ProfileIssue, profileIssuesFromZod } from "./profileIssue";

/** A profile file: the profile document, optionally with `"secrets": { name: value }` to store alongside it. */
export type ProfileFile =
  | { ok: true; profile: Profile; secrets: Partial<Record<SecretName, string>> }
  | { ok: false; issues: ProfileIssue[] };

const KNOWN_SECRET_NAMES = new Set<string>(Object.values(SecretNames));

/**
 * Validates a whole profile file before anything is stored: the profile against the schema and its endpoint overrides
 * against the deployment's allowlist (the production one unless given), and each secret's
 * name (known), value (a non-empty string) and Key Vault name (`{key}--{name}` must be carriable). Every problem is
 * reported with its JSON path. Issues never quote a secret value.
 */
export function parseProfileFile(document: unknown, options: { endpoints?: EndpointAllowlist } = {}): ProfileFile {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return { ok: false, issues: [{ path: "(root)", message: "a profile file must hold a JSON object" }] };
  }
  const { secrets: secretsSection, ...profileDocument } = document as Record<string, unknown>;
  const parsed = profileSchema.safeParse(profileDocument);
  const endpoints = options.endpoints ?? EndpointAllowlist.production;
  const issues = parsed.success
    ? profileEndpointIssues(parsed.data.endpoints, endpoints)
    : profileIssuesFromZod(parsed.error);

  const secrets: Partial<Record<SecretName, string>> = {};
  if (secretsSection !== undefined) {
    if (typeof secretsSection !== "object" || secretsSection === null || Array.isArray(secretsSection)) {
      issues.push({ path: "secrets", message: "must be an object of secret name → value" });
    } else {
      const key = profileKeySchema.safeParse(profileDocument.key);
      for (const [name, value] of Object.entries(secretsSection)) {
        const path = `secrets.${name}`;
        if (!KNOWN_SECRET_NAMES.has(name)) {
          issues.push({ path, message: `unknown secret name; expected one of ${[...KNOWN_SECRET_NAMES].join(", ")}` });
          continue;
        }
        if (typeof value !== "string" || value === "") {
          issues.push({ path, message: "the value must be a non-empty string" });
          continue;
        }
        if (key.success) {
          try {
            toKeyVaultSecretName(key.data, name);
          } catch (error) {
            if (!(error instanceof SecretNameUnmappable)) throw error;
            issues.push({ path, message: error.message });
            continue;
          }
        }
        secrets[name as SecretName] = value;
      }
    }
  }
  if (!parsed.success || issues.length > 0) return { ok: false, issues };
  return { ok: true, profile: parsed.data, secrets };
}

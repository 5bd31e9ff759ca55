import { type SecretName, SecretNames, type SecretsProvider } from "../secrets/secretsProvider";
import { EndpointAllowlist } from "../settings/endpointAllowlist";
import { profileKeySchema, profileSchema } from "./profile";
import { profileEndpointIssues } from "./profileEndpoints";
import { ProfileInvalid } from "./profileInvalid";
import { type ProfileIssue, profileIssuesFromZod } from "./profileIssue";
import type { ProfileStore } from "./profileStore";

/** What a run needs to know before it starts. Names only: never a secret value. */
export interface ProfileValidationResult {
  valid: boolean;
  /** The document's key when it is a usable profile key, else null. */
  profileKey: string | null;
  /** Required secrets the SecretsProvider does not hold for this profile, by name. */
  missingSecrets: SecretName[];
  /** Schema problems, each with its JSON path. */
  errors: ProfileIssue[];
}

const CONFLUENCE_SECRETS: readonly SecretName[] = [
  SecretNames.ConfluenceClientId,
  SecretNames.ConfluenceClientSecret,
  SecretNames.ConfluenceRefreshToken,
];
const GRAPH_APP_SECRETS: readonly SecretName[] = [
  SecretNames.GraphTenantId,
  SecretNames.GraphClientId,
  SecretNames.GraphClientSecret,
];

/**
 * The secrets a profile cannot run without: Confluence OAuth always; Graph app credentials unless SharePoint is
 * reached with the Function App's managed identity. Reads the auth mode leniently, so it also answers for a
 * document that fails the schema elsewhere.
 */
export function requiredSecretNames(profile: unknown): SecretName[] {
  const mode = (profile as { sharePoint?: { auth?: { mode?: unknown } } } | null)?.sharePoint?.auth?.mode;
  return mode === "managedIdentity" ? [...CONFLUENCE_SECRETS] : [...CONFLUENCE_SECRETS, ...GRAPH_APP_SECRETS];
}

/**
 * Checks a profile before any run: the schema, that its endpoint overrides are on the deployment's allowlist, and that
 * every required secret is present. Presence comes from `listNames`, so no secret value is ever read, returned or
 * logged by validation.
 */
export class ProfileValidator {
  /** The allowlist endpoints are checked against; the run-time guards use the same one. */
  readonly endpoints: EndpointAllowlist;
  readonly #secrets: SecretsProvider;
  readonly #profiles: ProfileStore | undefined;

  constructor(
    secrets: SecretsProvider,
    profiles?: ProfileStore,
    endpoints: EndpointAllowlist = EndpointAllowlist.production,
  ) {
    this.#secrets = secrets;
    this.#profiles = profiles;
    this.endpoints = endpoints;
  }

  /** Validates a document (e.g. a file about to be imported, or a stored profile). */
  async validate(document: unknown): Promise<ProfileValidationResult> {
    const parsed = profileSchema.safeParse(document);
    const errors = parsed.success
      ? profileEndpointIssues(parsed.data.endpoints, this.endpoints)
      : profileIssuesFromZod(parsed.error);
    const key = profileKeySchema.safeParse((document as { key?: unknown } | null)?.key);
    // Without a usable key there is nowhere to look secrets up; the key's own error is already in `errors`.
    const missingSecrets = key.success
      ? await this.#missingSecrets(key.data, parsed.success ? parsed.data : document)
      : [];
    return {
      valid: errors.length === 0 && missingSecrets.length === 0,
      profileKey: key.success ? key.data : null,
      missingSecrets,
      errors,
    };
  }

  /** Validates the stored profile `profileKey`; throws ProfileNotFound when there is none. */
  async validateStored(profileKey: string): Promise<ProfileValidationResult> {
    if (!this.#profiles) throw new Error("ProfileValidator was created without a ProfileStore");
    try {
      return await this.validate((await this.#profiles.get(profileKey)).profile);
    } catch (error) {
      // A stored document that no longer passes the schema is a validation result, not a failure to validate.
      if (error instanceof ProfileInvalid) {
        return {
          valid: false,
          profileKey,
          missingSecrets: await this.#missingSecrets(profileKey, error.document),
          errors: [...error.issues],
        };
      }
      throw error;
    }
  }

  async #missingSecrets(profileKey: string, profile: unknown): Promise<SecretName[]> {
    const present = new Set(await this.#secrets.listNames(profileKey));
    return requiredSecretNames(profile).filter((name) => !present.has(name));
  }
}

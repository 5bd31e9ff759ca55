import type { Profile } from "../config/profile";
import { assertProfileEndpointsAllowed } from "../config/profileEndpoints";
import { ConfluenceErrorCode, DEFAULT_CONFLUENCE_AUTH_BASE_URL, isConfluenceError } from "../confluence";
import { AppError } from "../errors";
import { globalRedactor, secretSlot } from "../runtime";
import { SecretNames } from "../secrets";
import type { EngineServices } from "./engineServices";

/**
 * What table mode needs: read the page and update it (docs/operations.md#atlassian-oauth-20-3lo), each by a granular
 * scope (asked for) or its classic equivalent (accepted when granted, as `confluence-sync check` accepts it).
 */
const TABLE_MODE_SCOPES: readonly (readonly string[])[] = [
  ["read:page:confluence", "read:confluence-content.all"],
  ["write:page:confluence", "write:confluence-content"],
];

/**
 * What a consent for the profile asks for (`offline_access`, for a refresh token at all, and the scopes it syncs with)
 * and what it must get: each `required` entry is satisfied by any one of its scopes.
 */
export function consentScopes(profile: Profile): { required: readonly (readonly string[])[]; requested: string[] } {
  void profile; // Every mode built so far needs the same scopes; pages mode may ask for more.
  return {
    required: TABLE_MODE_SCOPES,
    requested: ["offline_access", ...TABLE_MODE_SCOPES.map((alternatives) => alternatives[0]!)],
  };
}

/** Why a consent was refused or could not be completed; nothing was stored. */
export type ConsentRefusalCode =
  /** The profile has no `ConfluenceClientId` / `ConfluenceClientSecret` to consent with. */
  | "CONSENT_CLIENT_MISSING"
  /** The person declined on the consent screen, or Atlassian sent an error back. */
  | "CONSENT_DECLINED"
  /** The code was refused at the token endpoint (used, expired, another callback URL). */
  | "CONSENT_CODE_REJECTED"
  /** No refresh token came back: the consent lacked `offline_access`. */
  | "CONSENT_NO_REFRESH_TOKEN"
  /** The consent covers sites other than the profile's. */
  | "CONSENT_SITE_MISMATCH"
  /** The consent lacks scopes the profile needs. */
  | "CONSENT_SCOPES_MISSING";

/** A consent that was not stored, with the reason in words a person can act on. */
export class ConsentRefused extends AppError {
  constructor(
    readonly code: ConsentRefusalCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** What a stored consent connected the profile to. */
export interface ConsentStored {
  readonly profileKey: string;
  readonly site: { readonly cloudId: string; readonly url: string; readonly name: string };
  readonly scopes: readonly string[];
}

/** The profile's OAuth client id, or ConsentRefused when it has none (the consent screen needs it). */
export async function consentClientId(services: EngineServices, profile: Profile): Promise<string> {
  const clientId = await services.config.secrets.get(profile.key, SecretNames.ConfluenceClientId);
  const clientSecret = await services.config.secrets.get(profile.key, SecretNames.ConfluenceClientSecret);
  if (clientId === undefined || clientSecret === undefined)
    throw new ConsentRefused(
      "CONSENT_CLIENT_MISSING",
      `profile "${profile.key}" has no ${clientId === undefined ? "ConfluenceClientId" : "ConfluenceClientSecret"}: store the OAuth app's client id and secret first (confluence-sync secrets set)`,
    );
  globalRedactor.register(clientSecret, secretSlot(profile.key, SecretNames.ConfluenceClientSecret));
  return clientId;
}

/**
 * The authorize URL for the profile (docs/references.md#confluence-authorization-code-flow): its OAuth host (held to
 * the allowlist), `audience=api.atlassian.com`, the scopes it needs with `offline_access`, `prompt=consent`.
 */
export function authorizeUrl(
  services: EngineServices,
  profile: Profile,
  request: { clientId: string; redirectUri: string; state: string },
): string {
  // The person's browser is sent there with the client id: only to a host the deployment allows.
  assertProfileEndpointsAllowed(profile, services.config.validator.endpoints);
  const base = (profile.endpoints.confluenceAuthBaseUrl ?? DEFAULT_CONFLUENCE_AUTH_BASE_URL).replace(/\/+$/, "");
  const url = new URL(`${base}/authorize`);
  url.searchParams.set("audience", "api.atlassian.com");
  url.searchParams.set("client_id", request.clientId);
  url.searchParams.set("scope", consentScopes(profile).requested.join(" "));
  url.searchParams.set("redirect_uri", request.redirectUri);
  url.searchParams.set("state", request.state);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("prompt", "consent");
  return url.toString();
}

/**
 * Completes a consent: exchanges the code, checks that the grant covers the profile's site (accessible-resources,
 * picking the cloudId) and every scope the profile needs, and only then stores the refresh token through the token
 * manager (under the grant's lease, the ledger pointed at the new token). Refused consents store nothing
 * (ConsentRefused); transient failures are thrown as they are.
 */
export async function completeConsent(
  services: EngineServices,
  profile: Profile,
  request: { code: string; redirectUri: string },
): Promise<ConsentStored> {
  const clientId = await consentClientId(services, profile);
  const clientSecret = (await services.config.secrets.get(profile.key, SecretNames.ConfluenceClientSecret))!;
  const auth = services.connections.confluenceAuth(profile);
  let grant: Awaited<ReturnType<typeof auth.exchangeCode>>;
  try {
    grant = await auth.exchangeCode(
      { clientId, clientSecret, code: request.code, redirectUri: request.redirectUri },
      profile.key,
    );
  } catch (error) {
    if (isConfluenceError(error) && error.code === ConfluenceErrorCode.AuthorizationCodeRejected)
      throw new ConsentRefused("CONSENT_CODE_REJECTED", error.message);
    throw error;
  }
  if (grant.refreshToken === undefined)
    throw new ConsentRefused(
      "CONSENT_NO_REFRESH_TOKEN",
      `profile "${profile.key}": the consent gave no refresh token (offline_access was not granted); nothing was stored`,
    );
  let site: Awaited<ReturnType<typeof auth.resolveSite>>;
  try {
    site = await auth.resolveSite(
      grant.accessToken,
      { siteUrl: profile.confluence.siteUrl, cloudId: profile.confluence.cloudId },
      profile.key,
    );
  } catch (error) {
    if (
      isConfluenceError(error) &&
      (error.code === ConfluenceErrorCode.SiteNotFound || error.code === ConfluenceErrorCode.SiteAmbiguous)
    )
      throw new ConsentRefused("CONSENT_SITE_MISMATCH", `${error.message}; nothing was stored`);
    throw error;
  }
  const granted = new Set(grant.scopes.length > 0 ? grant.scopes : site.scopes);
  const missing = consentScopes(profile)
    .required.filter((alternatives) => !alternatives.some((scope) => granted.has(scope)))
    .map((alternatives) => alternatives[0]!);
  if (missing.length > 0)
    throw new ConsentRefused(
      "CONSENT_SCOPES_MISSING",
      `profile "${profile.key}": the consent lacks ${missing.join(", ")}; add ${missing.length === 1 ? "it" : "them"} to the app's permissions in the Atlassian developer console and consent again; nothing was stored`,
      { missingScopes: missing },
    );
  await services.connections.tokens.storeNewGrant(profile.key, {
    refreshToken: grant.refreshToken,
    accessToken: grant.accessToken,
    expiresInSeconds: grant.expiresInSeconds,
    scopes: grant.scopes,
  });
  return {
    profileKey: profile.key,
    site: { cloudId: site.cloudId, url: site.url, name: site.name },
    scopes: [...granted].sort(),
  };
}

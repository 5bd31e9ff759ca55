import type { Profile } from "../config/profile";
import { assertProfileEndpointsAllowed } from "../config/profileEndpoints";
import type { EndpointAllowlist } from "../settings/endpointAllowlist";
import { ConfluenceAuthClient, type ConfluenceAuthClientOptions } from "./confluenceAuthClient";
import { ConfluenceClient, type ConfluenceClientOptions } from "./confluenceClient";

/**
 * Wiring from a validated profile: its Atlassian endpoint overrides (`confluenceAuthBaseUrl`,
 * `confluenceApiBaseUrl`; Atlassian's hosts when absent) and its site (`siteUrl` and/or pinned `cloudId`). The
 * overrides are checked against the deployment's allowlist first (EndpointNotAllowed): the auth client sends the
 * client secret and refresh token to one, and the client the access token to the other.
 */
export function confluenceAuthClientForProfile(
  profile: Pick<Profile, "key" | "endpoints">,
  options: Omit<ConfluenceAuthClientOptions, "authBaseUrl" | "apiBaseUrl"> & { endpoints: EndpointAllowlist },
): ConfluenceAuthClient {
  const { endpoints, ...clientOptions } = options;
  assertProfileEndpointsAllowed(profile, endpoints);
  return new ConfluenceAuthClient({
    ...clientOptions,
    ...(profile.endpoints.confluenceAuthBaseUrl ? { authBaseUrl: profile.endpoints.confluenceAuthBaseUrl } : {}),
    ...(profile.endpoints.confluenceApiBaseUrl ? { apiBaseUrl: profile.endpoints.confluenceApiBaseUrl } : {}),
  });
}

export function confluenceClientForProfile(
  profile: Pick<Profile, "key" | "confluence" | "endpoints">,
  options: Omit<ConfluenceClientOptions, "profileKey" | "site" | "apiBaseUrl"> & { endpoints: EndpointAllowlist },
): ConfluenceClient {
  const { endpoints, ...clientOptions } = options;
  assertProfileEndpointsAllowed(profile, endpoints);
  return new ConfluenceClient({
    ...clientOptions,
    profileKey: profile.key,
    site: { siteUrl: profile.confluence.siteUrl, cloudId: profile.confluence.cloudId },
    ...(profile.endpoints.confluenceApiBaseUrl ? { apiBaseUrl: profile.endpoints.confluenceApiBaseUrl } : {}),
  });
}

import type { Profile } from "../config/profile";
import { ConfluenceAuthClient, type ConfluenceAuthClientOptions } from "./confluenceAuthClient";
import { ConfluenceClient, type ConfluenceClientOptions } from "./confluenceClient";

/**
 * Wiring from a validated profile: its Atlassian endpoint overrides (`confluenceAuthBaseUrl`,
 * `confluenceApiBaseUrl`; Atlassian's hosts when absent) and its site (`siteUrl` and/or pinned `cloudId`).
 */
export function confluenceAuthClientForProfile(
  profile: Pick<Profile, "endpoints">,
  options: Omit<ConfluenceAuthClientOptions, "authBaseUrl" | "apiBaseUrl"> = {},
): ConfluenceAuthClient {
  return new ConfluenceAuthClient({
    ...options,
    ...(profile.endpoints.confluenceAuthBaseUrl ? { authBaseUrl: profile.endpoints.confluenceAuthBaseUrl } : {}),
    ...(profile.endpoints.confluenceApiBaseUrl ? { apiBaseUrl: profile.endpoints.confluenceApiBaseUrl } : {}),
  });
}

export function confluenceClientForProfile(
  profile: Pick<Profile, "key" | "confluence" | "endpoints">,
  options: Omit<ConfluenceClientOptions, "profileKey" | "site" | "apiBaseUrl">,
): ConfluenceClient {
  return new ConfluenceClient({
    ...options,
    profileKey: profile.key,
    site: { siteUrl: profile.confluence.siteUrl, cloudId: profile.confluence.cloudId },
    ...(profile.endpoints.confluenceApiBaseUrl ? { apiBaseUrl: profile.endpoints.confluenceApiBaseUrl } : {}),
  });
}

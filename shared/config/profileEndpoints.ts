import type { EndpointAllowlist, EndpointKind } from "../settings/endpointAllowlist";
import { EndpointNotAllowed } from "./endpointNotAllowed";
import type { Profile } from "./profile";
import type { ProfileIssue } from "./profileIssue";

/** Which service each endpoint override stands for, and so which allowlist it is checked against. */
export const PROFILE_ENDPOINT_KINDS = {
  graphBaseUrl: "graph",
  authorityHost: "login",
  confluenceAuthBaseUrl: "atlassian",
  confluenceApiBaseUrl: "atlassian",
} as const satisfies Record<keyof Profile["endpoints"], EndpointKind>;

/** Every endpoint override of the profile the allowlist refuses, with its path (`endpoints.graphBaseUrl`). */
export function profileEndpointIssues(endpoints: Profile["endpoints"], allowlist: EndpointAllowlist): ProfileIssue[] {
  const issues: ProfileIssue[] = [];
  for (const [name, kind] of Object.entries(PROFILE_ENDPOINT_KINDS) as Array<
    [keyof Profile["endpoints"], EndpointKind]
  >) {
    const url = endpoints[name];
    if (url === undefined) continue;
    const problem = allowlist.problem(kind, url);
    if (problem) issues.push({ path: `endpoints.${name}`, message: problem });
  }
  return issues;
}

/**
 * The run-time check, made again right before a profile's endpoints are used (validation may have happened under other
 * settings, or the stored profile changed since): throws EndpointNotAllowed for the first refused endpoint.
 */
export function assertProfileEndpointsAllowed(
  profile: Pick<Profile, "key" | "endpoints">,
  allowlist: EndpointAllowlist,
): void {
  const [issue] = profileEndpointIssues(profile.endpoints, allowlist);
  if (issue) throw new EndpointNotAllowed(profile.key, issue.path, issue.message);
}

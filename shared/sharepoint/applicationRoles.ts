import type { TokenCredential } from "@azure/identity";
import { DEFAULT_GRAPH_BASE_URL, graphTokenScope } from "./graphSdkClient";

/**
 * The application permissions (app roles) of an app-only Microsoft Graph access token: its `roles` claim, e.g.
 * `["Sites.ReadWrite.All"]` (docs/references.md#graph-authentication). Read for diagnostics only — the token is
 * neither verified nor relied on for anything else; `undefined` when the token is not a JWT or has no such claim.
 */
export function applicationRoles(accessToken: string): string[] | undefined {
  const payload = accessToken.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { roles?: unknown };
    return Array.isArray(claims.roles)
      ? claims.roles.filter((role): role is string => typeof role === "string")
      : undefined;
  } catch {
    return undefined;
  }
}

/** Gets a Graph token with the credential, as the SDK client would, and reads its application permissions. */
export async function graphApplicationRoles(
  credential: TokenCredential,
  graphBaseUrl: string = DEFAULT_GRAPH_BASE_URL,
): Promise<{ roles: string[] | undefined }> {
  const token = await credential.getToken(graphTokenScope(graphBaseUrl));
  return { roles: token === null ? undefined : applicationRoles(token.token) };
}

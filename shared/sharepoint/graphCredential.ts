import {
  type AccessToken,
  ClientSecretCredential,
  type GetTokenOptions,
  ManagedIdentityCredential,
  type TokenCredential,
} from "@azure/identity";
import { GraphClientError } from "@microsoft/microsoft-graph-client";
import type { Profile } from "../config/profile";
import { assertProfileEndpointsAllowed } from "../config/profileEndpoints";
import { globalRedactor, type SecretRedactor, secretSlot } from "../runtime";
import { SecretNames, type SecretsProvider } from "../secrets/secretsProvider";
import { readAppSettings } from "../settings/appSettings";
import type { EndpointAllowlist } from "../settings/endpointAllowlist";
import { GraphError, GraphErrorCodes } from "./graphError";

/** Hosts of the Microsoft identity platform's public and sovereign clouds, where instance discovery works. */
const MICROSOFT_AUTHORITY_HOSTS = [
  "login.microsoftonline.com",
  "login.microsoftonline.us",
  "login.chinacloudapi.cn",
  "login.partner.microsoftonline.cn",
];

/**
 * The credential a profile's Graph calls use:
 * - `clientSecret`: the profile's own app registration, from its secrets `GraphTenantId`, `GraphClientId`,
 *   `GraphClientSecret`, against `profile.endpoints.authorityHost` (a sovereign cloud or the emulator). For a host
 *   outside Microsoft's clouds instance discovery is off, as MSAL would otherwise ask the public cloud about it.
 * - `managedIdentity`: a managed identity of the host: the one whose client id the profile names, else the app's own
 *   (`AZURE_CLIENT_ID`, which infra sets to the user-assigned identity the Function App runs as), else the host's
 *   system-assigned identity (a host with no AZURE_CLIENT_ID, e.g. one set up by hand).
 *
 * The profile's endpoints are checked against the deployment's allowlist first (EndpointNotAllowed). The client secret
 * is registered with the redactor before use. Failures surface as `GraphError`s with code
 * `GRAPH_AUTHENTICATION_FAILED` (see `withGraphErrors`).
 */
export async function createGraphCredential(
  profile: Pick<Profile, "key" | "sharePoint" | "endpoints">,
  secrets: SecretsProvider,
  options: { endpoints: EndpointAllowlist; redactor?: SecretRedactor; env?: NodeJS.ProcessEnv },
): Promise<TokenCredential> {
  // Before any secret is read: a profile pointing at a host the deployment does not allow gets no credential at all.
  assertProfileEndpointsAllowed(profile, options.endpoints);
  const redactor = options.redactor ?? globalRedactor;
  const auth = profile.sharePoint.auth;
  if (auth.mode === "managedIdentity") {
    // Without a client id the credential asks for a system-assigned identity, which the deployed app does not have
    // (infra gives it only a user-assigned one): the token request would fail. So default to the app's own identity.
    const clientId = auth.clientId ?? appIdentityClientId(options.env ?? process.env);
    return withGraphErrors(
      clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential(),
      redactor,
    );
  }
  const names = [SecretNames.GraphTenantId, SecretNames.GraphClientId, SecretNames.GraphClientSecret] as const;
  const [tenantId, clientId, clientSecret] = await Promise.all(names.map((name) => secrets.get(profile.key, name)));
  const missing = names.filter((_, i) => ![tenantId, clientId, clientSecret][i]);
  if (missing.length > 0 || !tenantId || !clientId || !clientSecret) {
    throw new GraphError(
      GraphErrorCodes.CredentialsMissing,
      `profile ${profile.key} has no ${missing.join(", ")} secret; set it with \`confluence-sync secrets set\``,
      { transient: false },
    );
  }
  redactor.register(clientSecret, secretSlot(profile.key, SecretNames.GraphClientSecret));
  const authorityHost = profile.endpoints.authorityHost?.replace(/\/+$/, "");
  const external = authorityHost !== undefined && !MICROSOFT_AUTHORITY_HOSTS.includes(new URL(authorityHost).hostname);
  const credential = new ClientSecretCredential(tenantId, clientId, clientSecret, {
    ...(authorityHost ? { authorityHost } : {}),
    ...(external ? { disableInstanceDiscovery: true } : {}),
  });
  return withGraphErrors(credential, redactor);
}

/** The client id of the identity the app runs as (the `AZURE_CLIENT_ID` app setting), if set. */
function appIdentityClientId(env: NodeJS.ProcessEnv): string | undefined {
  const clientId = readAppSettings(env).AZURE_CLIENT_ID?.trim();
  return clientId === "" ? undefined : clientId;
}

/**
 * Wraps a credential so its failures reach our code as `GraphError`s. The Graph SDK rebuilds every error thrown in
 * its middleware into its own GraphError (losing the original) except `GraphClientError`s, which it rethrows as is;
 * so the failure travels as a GraphClientError whose `customError` is our GraphError, unwrapped by the transport.
 */
export function withGraphErrors(credential: TokenCredential, redactor: SecretRedactor): TokenCredential {
  return {
    getToken: async (scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> => {
      try {
        return await credential.getToken(scopes, options);
      } catch (error) {
        const status = (error as { statusCode?: unknown }).statusCode;
        const message = error instanceof Error ? error.message : String(error);
        const graphError = new GraphError(
          GraphErrorCodes.AuthenticationFailed,
          `cannot get a Graph token: ${redactor.redact(message)}`,
          {
            // The identity platform being down or throttling is transient; refused credentials are not.
            transient: typeof status === "number" ? status === 429 || status >= 500 : false,
            ...(typeof status === "number" ? { status } : {}),
          },
        );
        const carrier = new GraphClientError(graphError.message);
        carrier.customError = graphError;
        throw carrier;
      }
    },
  };
}

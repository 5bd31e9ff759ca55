import type { TokenCredential } from "@azure/identity";
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RedirectHandler,
  RedirectHandlerOptions,
  TelemetryHandler,
} from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials";
import { graphUserAgent, type UserAgentOptions } from "./userAgent";

/** Graph hosts the SDK recognises by itself (its GRAPH_URLS); anything else must be declared a custom host. */
const KNOWN_GRAPH_HOSTS = new Set([
  "graph.microsoft.com",
  "graph.microsoft.us",
  "dod-graph.microsoft.us",
  "graph.microsoft.de",
  "microsoftgraph.chinacloudapi.cn",
  "canary.graph.microsoft.com",
]);

export const DEFAULT_GRAPH_BASE_URL = "https://graph.microsoft.com";

export interface GraphSdkClientOptions {
  credential: TokenCredential;
  /** Graph root without the version (`profile.endpoints.graphBaseUrl`); Graph's public cloud when absent. */
  graphBaseUrl?: string;
  userAgent?: UserAgentOptions;
}

/** The token scope for a Graph base URL: always the base URL's own resource (see `createGraphSdkClient`). */
export function graphTokenScope(graphBaseUrl: string): string {
  return `${new URL(graphBaseUrl).origin}/.default`;
}

/**
 * The Graph SDK client for one credential.
 *
 * Retries: the SDK's RetryHandler is left out of the middleware chain on purpose; `shared/resilience`'s policy
 * (in GraphTransport) is the only layer that retries Graph calls. The SDK handler would sleep up to 180 s per
 * `Retry-After` on real timers, retry non-idempotent POSTs on 503/504 (duplicate items), knows nothing of `$batch`
 * sub-responses, and stacked under our policy and Durable's activity retries it would multiply calls (3 × 5 × n)
 * against an API that is already throttling us.
 *
 * Hosts: for a base URL outside Microsoft's Graph hosts (the emulator) the host is declared a custom host, otherwise
 * the SDK strips the bearer token from every request. The token is always asked for the base URL's own resource
 * (`{origin}/.default`): Graph's in its cloud, and for any other host that host's, which the Microsoft identity
 * platform does not issue as a Graph token. So a Graph token is never requested for a host that is not Graph
 * (docs/security.md#the-endpoint-allowlist); the emulator accepts tokens for its own origin.
 */
export function createGraphSdkClient(options: GraphSdkClientOptions): Client {
  const base = new URL(options.graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL);
  const known = KNOWN_GRAPH_HOSTS.has(base.hostname);
  const scope = graphTokenScope(base.href);
  const authProvider = new TokenCredentialAuthenticationProvider(options.credential, { scopes: [scope] });
  return Client.initWithMiddleware({
    middleware: [
      new AuthenticationHandler(authProvider),
      new RedirectHandler(new RedirectHandlerOptions()),
      new TelemetryHandler(),
      new HTTPMessageHandler(),
    ],
    baseUrl: `${base.origin}${base.pathname.replace(/\/+$/, "")}/`,
    defaultVersion: "v1.0",
    ...(known ? {} : { customHosts: new Set([base.hostname]) }),
    fetchOptions: { headers: { "User-Agent": graphUserAgent(options.userAgent) } },
  });
}

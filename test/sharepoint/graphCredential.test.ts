import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GraphClientError } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InMemorySecretsProvider } from "../../shared/secrets/inMemorySecretsProvider";
import { EndpointAllowlist } from "../../shared/settings/endpointAllowlist";
import { createGraphCredential } from "../../shared/sharepoint/graphCredential";
import { GraphError } from "../../shared/sharepoint/graphError";

/**
 * Which managed identity a `managedIdentity` profile's Graph calls use. The deployed Function App has only its
 * user-assigned identity (infra/app/identity.bicep), named by the AZURE_CLIENT_ID app setting; a token request that
 * names no identity asks for a system-assigned one and fails there.
 *
 * The App Service identity endpoint is played by a local server that, like a host with only a user-assigned identity,
 * refuses requests without a known client_id and records what each request asked for. Its own file: the credential
 * reads IDENTITY_ENDPOINT / IDENTITY_HEADER from the process environment.
 */

const APP_IDENTITY = "11111111-2222-4333-8444-555555555555";
const OTHER_IDENTITY = "66666666-7777-4888-8999-aaaaaaaaaaaa";
const IDENTITY_HEADER = "test-identity-header";

const requested: Array<string | null> = [];
let server: Server;
const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const clientId = url.searchParams.get("client_id");
    requested.push(clientId);
    const known = clientId === APP_IDENTITY || clientId === OTHER_IDENTITY;
    if (request.headers["x-identity-header"] !== IDENTITY_HEADER || !known) {
      response.writeHead(400, { "content-type": "application/json" });
      response.end(JSON.stringify({ statusCode: 400, message: "No managed identity found for the request." }));
      return;
    }
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        access_token: `token-for-${clientId}`,
        expires_on: String(Math.floor(Date.now() / 1000) + 3600),
        resource: url.searchParams.get("resource"),
        token_type: "Bearer",
        client_id: clientId,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  process.env.IDENTITY_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`;
  process.env.IDENTITY_HEADER = IDENTITY_HEADER;
});

afterAll(async () => {
  for (const [name, value] of [
    ["IDENTITY_ENDPOINT", saved.endpoint],
    ["IDENTITY_HEADER", saved.header],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await new Promise((resolve) => server.close(resolve));
});

function profile(clientId?: string) {
  return {
    key: "projects",
    sharePoint: {
      siteId: "contoso.sharepoint.com,site,web",
      listId: "list",
      auth: { mode: "managedIdentity" as const, ...(clientId ? { clientId } : {}) },
    },
    endpoints: {},
  };
}

async function tokenFor(clientIdInProfile: string | undefined, env: NodeJS.ProcessEnv) {
  const credential = await createGraphCredential(profile(clientIdInProfile), new InMemorySecretsProvider(), {
    env,
    endpoints: EndpointAllowlist.production,
  });
  return credential.getToken("https://graph.microsoft.com/.default");
}

describe("createGraphCredential with sharePoint.auth.mode managedIdentity", () => {
  it("uses the app's own identity (AZURE_CLIENT_ID) when the profile names none", async () => {
    requested.length = 0;
    const token = await tokenFor(undefined, { AZURE_CLIENT_ID: APP_IDENTITY });
    expect(token?.token).toBe(`token-for-${APP_IDENTITY}`);
    expect(requested).toEqual([APP_IDENTITY]);
  });

  it("uses the identity the profile names, over the app's", async () => {
    requested.length = 0;
    const token = await tokenFor(OTHER_IDENTITY, { AZURE_CLIENT_ID: APP_IDENTITY });
    expect(token?.token).toBe(`token-for-${OTHER_IDENTITY}`);
    expect(requested).toEqual([OTHER_IDENTITY]);
  });

  it("asks for the system-assigned identity only when neither names one, and reports the refusal as GRAPH_AUTHENTICATION_FAILED", async () => {
    requested.length = 0;
    const failure = await tokenFor(undefined, { AZURE_CLIENT_ID: "  " }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.every((clientId) => clientId === null)).toBe(true);
    expect(failure).toBeInstanceOf(GraphClientError);
    const graphError = (failure as GraphClientError).customError;
    expect(graphError).toBeInstanceOf(GraphError);
    expect(graphError).toMatchObject({ code: "GRAPH_AUTHENTICATION_FAILED", transient: false });
  });
});

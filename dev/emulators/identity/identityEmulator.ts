import { randomUUID } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { EmulatorServer } from "../common/emulatorServer";
import type { EmulatorCertificate } from "../common/tls";
import type { AccessTokenIssuer } from "./accessTokens";

export interface IdentityEmulatorOptions {
  tenantId: string;
  /** `roles`: the application permissions the client's tokens carry (the `roles` claim of app-only tokens). */
  clients: ReadonlyArray<{ clientId: string; clientSecret: string; roles?: readonly string[] }>;
  /** Serve the App Service managed-identity endpoint at `/msi/token` for this identity. */
  managedIdentity?: { identityHeader: string; clientId: string; roles?: readonly string[] };
  issuer: AccessTokenIssuer;
  certificate: EmulatorCertificate;
}

/** Audiences the Graph emulator accepts: Graph's resource URI (what `/.default` scopes name) and its app id. */
export const GRAPH_RESOURCE = "https://graph.microsoft.com";

/**
 * The Microsoft identity platform as `@azure/identity` uses it: the v2.0 OpenID configuration MSAL reads first,
 * the client-credentials token endpoint (checking the seed's client ids and secrets), and optionally the App
 * Service managed-identity endpoint (`IDENTITY_ENDPOINT` = `{origin}/msi/token`, `IDENTITY_HEADER`). Errors use
 * AAD's shape: `{"error", "error_description": "AADSTS…", "error_codes", "timestamp", "trace_id", "correlation_id"}`.
 */
export function createIdentityEmulator(options: IdentityEmulatorOptions): EmulatorServer {
  const server = new EmulatorServer({
    name: "identity",
    tls: options.certificate,
    faultBody: (status) =>
      aadError(
        status >= 500 ? "temporarily_unavailable" : "invalid_request",
        50000,
        "The service is temporarily unavailable.",
      ).body,
    state: () => ({ tenantId: options.tenantId, clients: options.clients.map((c) => ({ clientId: c.clientId })) }),
  });
  const app = server.app;
  const knownTenant = (tenant: string): boolean => tenant.toLowerCase() === options.tenantId.toLowerCase();

  app.get("/:tenant/v2.0/.well-known/openid-configuration", async (request, reply) => {
    const { tenant } = request.params as { tenant: string };
    if (!knownTenant(tenant))
      return sendAad(
        reply,
        aadError(
          "invalid_tenant",
          90002,
          `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
        ),
      );
    const base = `${server.baseUrl}/${tenant}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      // MSAL checks that the issuer's scheme, host and port match the authority's.
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${server.baseUrl}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ["sub", "iss", "aud", "exp", "iat", "nbf", "tid"],
      tenant_region_scope: "EU",
      cloud_instance_name: "microsoftonline.com",
      cloud_graph_host_name: "graph.windows.net",
      msgraph_host: "graph.microsoft.com",
    };
  });

  app.post("/:tenant/oauth2/v2.0/token", async (request, reply) => {
    const { tenant } = request.params as { tenant: string };
    if (!knownTenant(tenant))
      return sendAad(reply, aadError("invalid_request", 90002, `Tenant '${tenant}' not found.`));
    const form = new URLSearchParams(typeof request.body === "string" ? request.body : "");
    const basic = basicCredentials(request);
    const clientId = form.get("client_id") ?? basic?.clientId ?? "";
    const clientSecret = form.get("client_secret") ?? basic?.clientSecret;
    const grantType = form.get("grant_type");
    if (grantType !== "client_credentials") {
      return sendAad(
        reply,
        aadError("unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grantType ?? ""}'.`),
      );
    }
    const client = options.clients.find((c) => c.clientId === clientId);
    if (!client) {
      return sendAad(
        reply,
        aadError(
          "unauthorized_client",
          700016,
          `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`,
        ),
      );
    }
    if (clientSecret === undefined || clientSecret === null) {
      return sendAad(
        reply,
        aadError(
          "invalid_client",
          7000216,
          "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
          401,
        ),
      );
    }
    if (clientSecret !== client.clientSecret) {
      // Never echo the secret that was sent.
      return sendAad(
        reply,
        aadError(
          "invalid_client",
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
          401,
        ),
      );
    }
    const scope = form.get("scope") ?? "";
    const resource = scope.split(" ").find((s) => s.endsWith("/.default"));
    if (!resource) {
      return sendAad(
        reply,
        aadError(
          "invalid_scope",
          1002012,
          `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
        ),
      );
    }
    const roles = options.clients.find((client) => client.clientId === clientId)?.roles;
    const { token } = options.issuer.issue({
      tid: options.tenantId,
      appid: clientId,
      aud: resource.slice(0, -"/.default".length),
      grant: "client_credentials",
      ...(roles ? { roles } : {}),
    });
    return {
      token_type: "Bearer",
      expires_in: options.issuer.lifetimeSeconds,
      ext_expires_in: options.issuer.lifetimeSeconds,
      access_token: token,
    };
  });

  // App Service / Functions managed identity (api-version 2019-08-01).
  app.get("/msi/token", async (request, reply) => {
    const mi = options.managedIdentity;
    const query = request.query as Record<string, string | undefined>;
    if (!mi) return reply.code(404).send({ statusCode: 404, message: "Managed identity is not enabled for this app." });
    if (request.headers["x-identity-header"] !== mi.identityHeader) {
      return reply
        .code(401)
        .send({ statusCode: 401, message: "Unauthorized request: the X-IDENTITY-HEADER is missing or wrong." });
    }
    const resource = query.resource;
    if (!resource)
      return reply.code(400).send({ statusCode: 400, message: "Required query parameter 'resource' is missing." });
    if (query.client_id !== undefined && query.client_id !== mi.clientId) {
      return reply.code(400).send({
        statusCode: 400,
        message: `No managed identity with client id '${query.client_id}' is assigned to this app.`,
      });
    }
    const aud = resource.replace(/\/\.default$/, "").replace(/\/$/, "");
    const { token, expiresOn } = options.issuer.issue({
      tid: options.tenantId,
      appid: mi.clientId,
      aud,
      grant: "managed_identity",
      ...(mi.roles ? { roles: mi.roles } : {}),
    });
    return {
      access_token: token,
      expires_on: String(expiresOn),
      resource,
      token_type: "Bearer",
      client_id: mi.clientId,
    };
  });

  return server;
}

function basicCredentials(request: FastifyRequest): { clientId: string; clientSecret: string } | undefined {
  const header = request.headers.authorization;
  if (!header?.startsWith("Basic ")) return undefined;
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon === -1
    ? undefined
    : {
        clientId: decodeURIComponent(decoded.slice(0, colon)),
        clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
      };
}

function aadError(
  error: string,
  code: number,
  description: string,
  status = 400,
): { status: number; body: Record<string, unknown> } {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, "Z");
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

function sendAad(reply: FastifyReply, error: { status: number; body: Record<string, unknown> }): FastifyReply {
  return reply.code(error.status).type("application/json; charset=utf-8").send(error.body);
}

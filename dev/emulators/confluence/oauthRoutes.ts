import type { FastifyRequest } from "fastify";
import { parseJsonBody } from "../common/emulatorServer";
import { AuthorizationCodes } from "./authorizationCodes";
import { registerConsentRoutes } from "./consentRoutes";
import { admitGatewayCall, type ConfluenceEmulatorContext } from "./emulatorContext";
import { oauthErrorBody } from "./errorBodies";

/**
 * auth.atlassian.com's consent screen and token endpoint (authorization-code and refresh grants) and api.atlassian.com's
 * accessible-resources (docs/references.md#confluence-oauth-and-the-gateway).
 */
export function registerOAuthRoutes(context: ConfluenceEmulatorContext): void {
  const { server, seed, tokens } = context;
  const codes = new AuthorizationCodes(context.clock, seed.oauth.authorizationCodeLifetimeSeconds * 1000);
  registerConsentRoutes(context, codes);

  server.app.post("/oauth/token", async (request, reply) => {
    let body: Record<string, unknown>;
    try {
      body = readTokenRequest(request);
    } catch {
      return reply.code(400).send(oauthErrorBody("invalid_request", "Malformed request body"));
    }
    if (body.grant_type !== "refresh_token" && body.grant_type !== "authorization_code") {
      return reply
        .code(400)
        .send(oauthErrorBody("unsupported_grant_type", "grant_type must be authorization_code or refresh_token"));
    }
    // Measured on the live endpoint (docs/references.md#confluence-token-errors): a wrong client secret is 401
    // access_denied, not invalid_client.
    if (body.client_id !== seed.oauth.clientId || body.client_secret !== seed.oauth.clientSecret) {
      return reply.code(401).send(oauthErrorBody("access_denied", "Unauthorized"));
    }
    if (body.grant_type === "authorization_code") {
      // One exchange per code, by the client it was issued to, with the same redirect_uri; the error body for a bad
      // code is unconfirmed and modelled on the refresh grant's (docs/references.md#confluence-authorization-code-flow).
      const exchanged = codes.exchange(String(body.code ?? ""), String(body.client_id), body.redirect_uri);
      if (!exchanged.ok) return reply.code(403).send(oauthErrorBody("invalid_grant", exchanged.reason));
      const issued = tokens.exchangeConsent(exchanged.grant);
      return reply.code(200).send({
        access_token: issued.accessToken,
        ...(issued.refreshToken === undefined ? {} : { refresh_token: issued.refreshToken }),
        expires_in: issued.expiresInSeconds,
        scope: issued.scope,
        token_type: "Bearer",
      });
    }
    if (typeof body.refresh_token !== "string" || body.refresh_token === "") {
      return reply.code(403).send(deadGrantBody(context));
    }
    const outcome = tokens.refresh(body.refresh_token);
    if (outcome.kind === "rejected") return reply.code(403).send(deadGrantBody(context));
    return reply.code(200).send({
      access_token: outcome.accessToken,
      refresh_token: outcome.refreshToken,
      expires_in: outcome.expiresInSeconds,
      scope: outcome.scope,
      token_type: "Bearer",
    });
  });

  server.app.get("/oauth/token/accessible-resources", async (request, reply) => {
    const anyScope = [...seed.oauth.scopes];
    if (!(await admitGatewayCall(context, request, reply, anyScope))) return reply;
    const avatarUrl = "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/site.png";
    // A consent made on the consent screen covers the site the person picked; a seeded one every site.
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1] ?? "";
    const covered = tokens.sitesOf(token);
    const granted = tokens.authorize(token) ?? [];
    const resources = [
      {
        id: seed.cloudId,
        name: seed.siteName,
        url: seed.siteUrl,
        scopes: (covered === undefined ? seed.oauth.scopes : granted).filter((s) => s !== "offline_access"),
        avatarUrl,
      },
      ...seed.additionalResources.map((r) => ({
        id: r.id,
        name: r.name,
        url: r.url,
        scopes: covered === undefined ? r.scopes : granted.filter((s) => s !== "offline_access"),
        avatarUrl,
      })),
    ];
    return reply.send(covered === undefined ? resources : resources.filter((r) => covered.includes(r.id)));
  });
}

/**
 * The 403 for every dead refresh token; which of the two observed bodies is a seed choice
 * (docs/references.md#confluence-token-errors).
 */
function deadGrantBody(context: ConfluenceEmulatorContext): unknown {
  return context.seed.oauth.errorStyle === "unauthorized_client"
    ? oauthErrorBody("unauthorized_client", "refresh_token is invalid")
    : oauthErrorBody("invalid_grant", "Unknown or invalid refresh token.");
}

/** The documented request is JSON; form encoding is accepted too, as the Auth0 backend most likely does. */
function readTokenRequest(request: FastifyRequest): Record<string, unknown> {
  if (
    /application\/x-www-form-urlencoded/i.test(request.headers["content-type"] ?? "") &&
    typeof request.body === "string"
  ) {
    return Object.fromEntries(new URLSearchParams(request.body));
  }
  const parsed = parseJsonBody(request);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
  return parsed as Record<string, unknown>;
}

import type { FastifyReply, FastifyRequest } from "fastify";
import type { AuthorizationCodes } from "./authorizationCodes";
import { type ConfluenceEmulatorContext, queryParams } from "./emulatorContext";

/**
 * auth.atlassian.com's side of the authorization-code flow (docs/references.md#confluence-authorization-code-flow):
 * `GET /authorize` shows the consent screen (scopes, a site picker, Accept and Cancel), the screen's form posts the
 * person's answer to `/authorize/consent`, which redirects to the app's callback with `code` and `state`, or with
 * `error=access_denied`. A client id or callback URL the app does not have never redirects: the person lands on an
 * error page, as on id.atlassian.com. PKCE is not required (Atlassian's 3LO apps are confidential clients).
 */
export function registerConsentRoutes(context: ConfluenceEmulatorContext, codes: AuthorizationCodes): void {
  const { server, seed } = context;
  const sites = [
    { id: seed.cloudId, name: seed.siteName, url: seed.siteUrl },
    ...seed.additionalResources.map((r) => ({ id: r.id, name: r.name, url: r.url })),
  ];

  server.app.get("/authorize", async (request, reply) => {
    const query = queryParams(request);
    const clientId = query.get("client_id") ?? "";
    const redirectUri = query.get("redirect_uri") ?? "";
    const state = query.get("state") ?? undefined;
    if (clientId !== seed.oauth.clientId) return errorPage(reply, "unauthorized_client", "Unknown client_id.");
    if (!seed.oauth.callbackUrls.includes(redirectUri))
      return errorPage(
        reply,
        "unauthorized_client",
        "Callback URL mismatch. The redirect_uri is not one of the app's callback URLs.",
      );
    const back = (error: string, description: string) =>
      redirect(reply, redirectUri, { error, error_description: description, ...(state ? { state } : {}) });
    if (query.get("response_type") !== "code") return back("unsupported_response_type", "response_type must be code");
    if (query.get("audience") !== "api.atlassian.com")
      return back("invalid_request", "audience must be api.atlassian.com");
    const requested = (query.get("scope") ?? "").split(/\s+/).filter(Boolean);
    if (requested.length === 0) return back("invalid_scope", "scope is required");
    const unconfigured = requested.filter((scope) => !seed.oauth.scopes.includes(scope));
    if (unconfigured.length > 0 && seed.oauth.unconfiguredScopes === "refused")
      return back("invalid_scope", `the app is not configured with ${unconfigured.join(" ")}`);
    const scopes = requested.filter((scope) => seed.oauth.scopes.includes(scope));
    const consent = codes.pendConsent({ clientId, redirectUri, state, scopes });
    return reply
      .code(200)
      .header("content-type", "text/html; charset=utf-8")
      .header("cache-control", "no-store")
      .send(consentPage(seed.oauth.appName, consent, scopes, sites));
  });

  server.app.post("/authorize/consent", async (request: FastifyRequest, reply) => {
    const form = new URLSearchParams(typeof request.body === "string" ? request.body : "");
    const consent = codes.takeConsent(form.get("consent") ?? "");
    if (consent === undefined) return errorPage(reply, "invalid_request", "This consent screen has expired.");
    const state: Record<string, string> = consent.state ? { state: consent.state } : {};
    if (form.get("decision") !== "accept")
      return redirect(reply, consent.redirectUri, {
        error: "access_denied",
        error_description: "The user denied access.",
        ...state,
      });
    const site = sites.find((candidate) => candidate.id === form.get("site")) ?? sites[0]!;
    const code = codes.issue(consent.clientId, consent.redirectUri, { scopes: consent.scopes, sites: [site.id] });
    return redirect(reply, consent.redirectUri, { code, ...state });
  });

  server.app.get("/error", async (request, reply) => {
    const query = queryParams(request);
    return errorPage(reply, query.get("error") ?? "error", query.get("error_description") ?? "");
  });
}

function redirect(reply: FastifyReply, to: string, params: Record<string, string>): FastifyReply {
  const url = new URL(to);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return reply.code(302).header("location", url.toString()).header("cache-control", "no-store").send();
}

function errorPage(reply: FastifyReply, error: string, description: string): FastifyReply {
  return reply
    .code(400)
    .header("content-type", "text/html; charset=utf-8")
    .send(
      `<!doctype html><html><head><title>Something went wrong</title></head><body><h1>Something went wrong</h1>` +
        `<p id="error">${escape(error)}</p><p id="description">${escape(description)}</p></body></html>`,
    );
}

function consentPage(
  appName: string,
  consent: string,
  scopes: readonly string[],
  sites: readonly { id: string; name: string; url: string }[],
): string {
  const options = sites.map(
    (site) => `<option value="${escape(site.id)}">${escape(site.name)} (${escape(site.url)})</option>`,
  );
  const granted = scopes.map((scope) => `<li>${escape(scope)}</li>`);
  return (
    `<!doctype html><html><head><title>${escape(appName)} is requesting access to your Atlassian account</title></head>` +
    `<body><h1>${escape(appName)} is requesting access to your Atlassian account</h1>` +
    `<form method="post" action="/authorize/consent">` +
    `<input type="hidden" name="consent" value="${escape(consent)}">` +
    `<label for="site">Use app on</label><select id="site" name="site">${options.join("")}</select>` +
    `<ul id="scopes">${granted.join("")}</ul>` +
    `<button type="submit" name="decision" value="accept" id="accept">Accept</button>` +
    `<button type="submit" name="decision" value="cancel" id="cancel">Cancel</button>` +
    `</form></body></html>`
  );
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

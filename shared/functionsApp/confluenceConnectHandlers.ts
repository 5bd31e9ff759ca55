import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { isStorableProfileKey } from "../config/profileStore";
import {
  authorizeUrl,
  type ConsentRefusalCode,
  ConsentRefused,
  completeConsent,
  consentClientId,
} from "../engine/confluenceConsent";
import type { EngineServices } from "../engine/engineServices";
import { globalRedactor, type Logger } from "../runtime";
import { errorResponse, profileNotFoundResponse, respondSafely } from "./httpResponses";

export interface ConfluenceConnectDependencies {
  engine: EngineServices;
  logger: Logger;
}

/** How long a consent may take from the redirect to the callback. */
export const CONSENT_STATE_TTL_MS = 10 * 60_000;

/** The callback's route under the host's `api` prefix: one for every profile (an Atlassian app has one callback URL). */
export const CONSENT_CALLBACK_ROUTE = "connect/confluence/callback";

/**
 * `GET /api/profiles/{profileKey}/connect/confluence` (function key): issues a single-use, short-lived state bound to
 * the profile and redirects the browser to Atlassian's consent screen with the scopes the profile needs and
 * `offline_access` (docs/operations.md#connecting-a-profile-to-confluence). Opened in a browser, it ends on the
 * callback's page, which says what happened.
 */
export function startConfluenceConnect(
  request: HttpRequest,
  deps: ConfluenceConnectDependencies,
): Promise<HttpResponseInit> {
  return respondSafely(deps.logger, async () => {
    const profileKey = request.params.profileKey ?? "";
    if (!isStorableProfileKey(profileKey)) return profileNotFoundResponse(profileKey);
    const { profile } = await deps.engine.config.profiles.get(profileKey);
    let clientId: string;
    try {
      clientId = await consentClientId(deps.engine, profile);
    } catch (error) {
      if (error instanceof ConsentRefused) return errorResponse(400, error.code, error.message);
      throw error;
    }
    const redirectUri = callbackUrlOf(request);
    const now = deps.engine.clock.now();
    const state = await deps.engine.state.consents.issue(profile.key, redirectUri, now, CONSENT_STATE_TTL_MS);
    deps.logger.info("Confluence consent started", { profileKey: profile.key });
    return {
      status: 302,
      headers: {
        Location: authorizeUrl(deps.engine, profile, { clientId, redirectUri, state }),
        "Cache-Control": "no-store",
        // The function key is in this request's URL; the page we send the browser to must not see it.
        "Referrer-Policy": "no-referrer",
      },
    };
  }) as Promise<HttpResponseInit>;
}

/**
 * `GET /api/connect/confluence/callback` (anonymous: Atlassian's redirect carries no function key). Acts only on a
 * state this app issued, unused and unexpired, compared in constant time; exchanges the code, checks the grant covers
 * the profile's site and scopes, and stores the refresh token through the token manager
 * (docs/security.md#the-consent-callback). Answers a small page that says what happened, never the code or a token.
 */
export function confluenceConnectCallback(
  request: HttpRequest,
  deps: ConfluenceConnectDependencies,
): Promise<HttpResponseInit> {
  return respondSafely(deps.logger, async () => {
    const state = request.query.get("state");
    if (state === null || state === "")
      return page(400, "Nothing was stored", "This address carries no consent state. Start again from the app.");
    const use = await deps.engine.state.consents.consume(state, deps.engine.clock.now());
    if (!use.ok) {
      deps.logger.warn("Confluence consent callback refused", { reason: use.reason });
      const [status, why] = {
        unknown: [400, "This consent link is not one this app issued."],
        used: [409, "This consent link was used already."],
        expired: [410, "This consent link has expired (it is good for 10 minutes)."],
      }[use.reason] as [number, string];
      return page(status, "Nothing was stored", `${why} Start again from the app to connect the profile.`);
    }
    const { profileKey } = use;
    const declined = request.query.get("error");
    if (declined !== null)
      return page(
        400,
        "Nothing was stored",
        // Only an OAuth error code's shape is shown: the rest of the address is anyone's text.
        `The consent for profile "${profileKey}" was not given (${/^[a-z_]{1,40}$/.test(declined) ? declined : "an error"}); the profile's connection is unchanged.`,
      );
    const code = request.query.get("code");
    if (code === null || code === "")
      return page(400, "Nothing was stored", "Atlassian sent no authorization code back. Start again from the app.");
    globalRedactor.register(code);
    try {
      const { profile } = await deps.engine.config.profiles.get(profileKey);
      const stored = await completeConsent(deps.engine, profile, { code, redirectUri: use.redirectUri });
      deps.logger.info("Confluence consent stored", { profileKey, cloudId: stored.site.cloudId });
      return page(
        200,
        "Connected",
        `Profile "${profileKey}" is connected to ${stored.site.name} (${stored.site.url}) as the person who consented; the next run uses the new grant. Granted: ${stored.scopes.join(", ")}. You can close this page.`,
      );
    } catch (error) {
      if (error instanceof ConsentRefused) {
        deps.logger.warn("Confluence consent refused", { profileKey, code: error.code });
        return page(REFUSAL_STATUS[error.code], "Nothing was stored", error.message);
      }
      deps.logger.error("Confluence consent failed", {
        profileKey,
        error: globalRedactor.redact(error instanceof Error ? error.message : String(error)),
      });
      return page(
        502,
        "Nothing was stored",
        `The consent for profile "${profileKey}" could not be completed (a service did not answer as expected). Start again from the app; the function's log has the details.`,
      );
    }
  }) as Promise<HttpResponseInit>;
}

const REFUSAL_STATUS: Record<ConsentRefusalCode, number> = {
  CONSENT_CLIENT_MISSING: 400,
  CONSENT_DECLINED: 400,
  CONSENT_CODE_REJECTED: 400,
  CONSENT_NO_REFRESH_TOKEN: 400,
  CONSENT_SITE_MISMATCH: 403,
  CONSENT_SCOPES_MISSING: 403,
};

/** The callback URL on the origin the caller used: what the Atlassian app's callback URL must be. */
function callbackUrlOf(request: HttpRequest): string {
  const url = new URL(request.url);
  const prefix = url.pathname.slice(0, url.pathname.indexOf("/profiles/"));
  return `${url.origin}${prefix}/${CONSENT_CALLBACK_ROUTE}`;
}

/** A page that says what happened, in plain words; no script, nothing loaded, nothing framed. */
function page(status: number, title: string, text: string): HttpResponseInit {
  const body =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ConfluenceSync: ${escape(title)}</title></head>` +
    `<body><h1>${escape(title)}</h1><p>${escape(globalRedactor.redact(text))}</p></body></html>`;
  return {
    status,
    body,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
    },
  };
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

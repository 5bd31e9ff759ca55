import { describe, expect, it } from "vitest";
import type { ConfluenceEmulator } from "../../../dev/emulators/confluence/confluenceEmulator";
import {
  emulatorPerTest,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_CLOUD_ID,
  testSeed,
} from "../../helpers/confluenceSite";
import { consentByHttp } from "../../helpers/consentByHttp";

/**
 * The Confluence emulator's authorization-code flow, driven with plain HTTP as docs/references.md describes it
 * (#confluence-authorization-code-flow): consent screen, redirect with code and state, one exchange per code.
 */

const start = emulatorPerTest();
/** A callback nothing serves: the flow stops there (the test reads the redirect's address). */
const CALLBACK = "https://app.example.test/callback";

async function emulator(oauth: Record<string, unknown> = {}, more: Record<string, unknown> = {}) {
  const seed = testSeed(more);
  return start({ ...seed, oauth: { ...seed.oauth, callbackUrls: [CALLBACK], ...oauth } });
}

function authorizeUrl(e: ConfluenceEmulator, params: Record<string, string> = {}): string {
  const url = new URL(`${e.urls.authBaseUrl}/authorize`);
  const all = {
    audience: "api.atlassian.com",
    client_id: TEST_CLIENT_ID,
    scope: "offline_access read:page:confluence write:page:confluence",
    redirect_uri: CALLBACK,
    state: "state-123",
    response_type: "code",
    prompt: "consent",
    ...params,
  };
  for (const [name, value] of Object.entries(all)) url.searchParams.set(name, value);
  return url.toString();
}

async function exchange(e: ConfluenceEmulator, code: string, redirectUri = CALLBACK) {
  const response = await fetch(`${e.urls.authBaseUrl}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "authorization_code",
      client_id: TEST_CLIENT_ID,
      client_secret: TEST_CLIENT_SECRET,
      code,
      redirect_uri: redirectUri,
    }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const landOn = (e: ConfluenceEmulator, options: Parameters<typeof consentByHttp>[1] = {}, params = {}) =>
  consentByHttp(authorizeUrl(e, params), { stopAt: new URL(CALLBACK).origin, ...options });

describe("Confluence emulator: the authorization-code flow", () => {
  it("redirects with code and state; the code buys tokens once, for the site the person picked", async () => {
    const e = await emulator();
    const landing = new URL((await landOn(e)).url);
    expect(landing.searchParams.get("state")).toBe("state-123");
    const code = landing.searchParams.get("code")!;
    const first = await exchange(e, code);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_in: 3600,
      scope: "offline_access read:page:confluence write:page:confluence",
    });
    const resources = await fetch(`${e.urls.apiBaseUrl}/oauth/token/accessible-resources`, {
      headers: { authorization: `Bearer ${String(first.json.access_token)}` },
    });
    expect(((await resources.json()) as { id: string }[]).map((r) => r.id)).toEqual([TEST_CLOUD_ID]);
    // The refresh token of the new consent rotates like any other.
    expect(e.tokens.refresh(String(first.json.refresh_token)).kind).toBe("issued");
    const again = await exchange(e, code);
    expect(again).toEqual({
      status: 403,
      json: { error: "invalid_grant", error_description: "authorization code already used" },
    });
  });

  it("refuses a code exchanged with another redirect_uri, or after it expired", async () => {
    const e = await emulator();
    const code = new URL((await landOn(e)).url).searchParams.get("code")!;
    expect((await exchange(e, code, "https://elsewhere.example.test/cb")).status).toBe(403);
    const late = new URL((await landOn(e)).url).searchParams.get("code")!;
    e.clock.advance(601_000);
    expect((await exchange(e, late)).json.error_description).toBe("authorization code expired");
  });

  it("without offline_access there is no refresh token", async () => {
    const e = await emulator();
    const code = new URL((await landOn(e, {}, { scope: "read:page:confluence" })).url).searchParams.get("code")!;
    const tokens = await exchange(e, code);
    expect(tokens.json.refresh_token).toBeUndefined();
  });

  it("a declined consent comes back as error=access_denied with the state", async () => {
    const e = await emulator();
    const landing = new URL((await landOn(e, { decision: "cancel" })).url);
    expect(Object.fromEntries(landing.searchParams)).toEqual({
      error: "access_denied",
      error_description: "The user denied access.",
      state: "state-123",
    });
  });

  it("never redirects to a callback URL the app does not have, nor for an unknown client", async () => {
    const e = await emulator();
    const mismatch = await fetch(authorizeUrl(e, { redirect_uri: "https://evil.example.test/cb" }), {
      redirect: "manual",
    });
    expect([mismatch.status, await mismatch.text()]).toEqual([400, expect.stringContaining("Callback URL mismatch")]);
    const unknown = await fetch(authorizeUrl(e, { client_id: "someone-else" }), { redirect: "manual" });
    expect(unknown.status).toBe(400);
    const noAudience = await fetch(authorizeUrl(e, { audience: "" }), { redirect: "manual" });
    expect(new URL(noAudience.headers.get("location")!).searchParams.get("error")).toBe("invalid_request");
  });

  it("grants only the scopes the app is configured with, or refuses the request (the setting)", async () => {
    const dropped = await emulator({ scopes: ["read:page:confluence", "offline_access"] });
    const code = new URL((await landOn(dropped)).url).searchParams.get("code")!;
    expect((await exchange(dropped, code)).json.scope).toBe("offline_access read:page:confluence");
    await dropped.close();
    const refused = await emulator({
      scopes: ["read:page:confluence", "offline_access"],
      unconfiguredScopes: "refused",
    });
    const landing = new URL((await landOn(refused)).url);
    expect(landing.searchParams.get("error")).toBe("invalid_scope");
  });

  it("a consent for one site: accessible-resources lists it alone and the other site's API is closed", async () => {
    const other = { id: "9b2c0c5e-other-site", name: "Fabrikam", url: "https://fabrikam.atlassian.net" };
    const e = await emulator({}, { additionalResources: [other] });
    const code = new URL((await landOn(e, { site: other.id })).url).searchParams.get("code")!;
    const token = String((await exchange(e, code)).json.access_token);
    const resources = await fetch(`${e.urls.apiBaseUrl}/oauth/token/accessible-resources`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await resources.json()) as { id: string }[]).map((r) => r.id)).toEqual([other.id]);
    const page = await fetch(`${e.urls.apiBaseUrl}/ex/confluence/${TEST_CLOUD_ID}/wiki/api/v2/pages/98306`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(page.status).toBe(404);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { TEST_CLIENT_SECRET as CONFLUENCE_CLIENT_SECRET, TEST_REFRESH_TOKEN } from "../helpers/confluenceSite";
import { type ConsentApp, startConsentApp } from "../helpers/consentApp";
import { consentByHttp } from "../helpers/consentByHttp";
import { HARNESS_PROFILE } from "../helpers/syncHarness";

/**
 * Connecting a profile in Azure (docs/security.md#the-consent-callback), over real HTTPS: the start route redirects to
 * the Confluence emulator's consent screen, the person's browser is played with plain HTTP, and the anonymous callback
 * acts only on a state the start issued, once, in time, for the profile's site.
 */

let app: ConsentApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe("connecting Confluence through the Function App", () => {
  it("start redirects to the consent screen; the callback stores the token and says so; a sync then works", async () => {
    app = await startConsentApp();
    const started = await fetch(app.startUrl, { redirect: "manual" });
    expect(started.status).toBe(302);
    expect(started.headers.get("referrer-policy")).toBe("no-referrer");
    const location = new URL(started.headers.get("location")!);
    expect(location.origin).toBe(new URL(app.h.confluence.urls.authBaseUrl).origin);
    expect(location.searchParams.get("redirect_uri")).toBe(app.callbackUrl);
    expect(location.searchParams.get("scope")).toContain("offline_access");
    expect(location.toString()).not.toContain("function-key-abc123");

    const landing = await consentByHttp(app.startUrl);
    expect(landing.status).toBe(200);
    expect(landing.body).toContain("Connected");
    expect(landing.body).toContain(`Profile &#34;${HARNESS_PROFILE}&#34; is connected to`);
    const stored = await app.h.secrets.get(HARNESS_PROFILE, "ConfluenceRefreshToken");
    expect(stored).not.toBe(TEST_REFRESH_TOKEN);
    const code = new URL(landing.url).searchParams.get("code")!;
    for (const secret of [stored!, code, CONFLUENCE_CLIENT_SECRET]) expect(landing.body).not.toContain(secret);
    expect((await app.h.state.tokenRefreshes.recent(HARNESS_PROFILE, 1))[0]).toMatchObject({
      outcome: "new-grant-stored",
    });
    expect((await app.h.sync()).outcome).toBe("completed");

    // The same callback again (a replay from history or a log): refused, nothing changes.
    const replay = await fetch(landing.url);
    expect(replay.status).toBe(409);
    expect(await replay.text()).toContain("used already");
    expect(await app.h.secrets.get(HARNESS_PROFILE, "ConfluenceRefreshToken")).not.toBe(undefined);
  });

  it("a state it never issued, or one that expired, stores nothing and says so", async () => {
    app = await startConsentApp();
    const before = await app.h.secrets.get(HARNESS_PROFILE, "ConfluenceRefreshToken");
    const forged = await fetch(`${app.callbackUrl}?code=stolen-code&state=${"a".repeat(32)}.${"b".repeat(43)}`);
    expect([forged.status, await forged.text()]).toEqual([400, expect.stringContaining("not one this app issued")]);
    const missing = await fetch(`${app.callbackUrl}?code=stolen-code`);
    expect(missing.status).toBe(400);
    const old = await app.h.state.consents.issue(
      HARNESS_PROFILE,
      app.callbackUrl,
      Date.now() - 11 * 60_000,
      10 * 60_000,
    );
    const expired = await fetch(`${app.callbackUrl}?code=x&state=${old}`);
    expect([expired.status, await expired.text()]).toEqual([410, expect.stringContaining("expired")]);
    expect(await app.h.secrets.get(HARNESS_PROFILE, "ConfluenceRefreshToken")).toBe(before);
  });

  it("a consent for a site other than the profile's is refused, nothing stored", async () => {
    const other = { id: "9b2c0c5e-other-site", name: "Fabrikam", url: "https://fabrikam.atlassian.net" };
    app = await startConsentApp({ confluenceSeed: { additionalResources: [other] } });
    const before = await app.h.secrets.get(HARNESS_PROFILE, "ConfluenceRefreshToken");
    const landing = await consentByHttp(app.startUrl, { site: other.id });
    expect(landing.status).toBe(403);
    expect(landing.body).toContain("Nothing was stored");
    expect(landing.body).toContain("does not cover");
    expect(await app.h.secrets.get(HARNESS_PROFILE, "ConfluenceRefreshToken")).toBe(before);
  });

  it("a declined consent stores nothing; its page has no script and says what happened", async () => {
    app = await startConsentApp();
    const landing = await consentByHttp(app.startUrl, { decision: "cancel" });
    expect(landing.status).toBe(400);
    expect(landing.body).toContain("was not given (access_denied)");
    const page = await fetch(app.callbackUrl);
    expect(page.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("cache-control")).toBe("no-store");
  });

  it("start answers 400 when the profile has no OAuth client to consent with", async () => {
    app = await startConsentApp();
    await app.h.secrets.delete(HARNESS_PROFILE, "ConfluenceClientSecret");
    const started = await fetch(app.startUrl, { redirect: "manual" });
    expect(started.status).toBe(400);
    expect(((await started.json()) as { error: { code: string } }).error.code).toBe("CONSENT_CLIENT_MISSING");
  });
});

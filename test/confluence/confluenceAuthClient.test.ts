import { describe, expect, it } from "vitest";
import {
  type AccessibleResource,
  ConfluenceAuthClient,
  ConfluenceErrorCode,
  pickConfluenceSite,
} from "../../shared/confluence";
import { SecretRedactor } from "../../shared/runtime";
import {
  emulatorPerTest,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_CLOUD_ID,
  TEST_REFRESH_TOKEN,
  testSeed,
} from "../helpers/confluenceSite";
import { FAST_RETRY, PROFILE } from "../helpers/confluenceStack";

const startSite = emulatorPerTest();

const confluenceScopes = ["read:page:confluence", "write:page:confluence"];
const resource = (id: string, url: string, scopes = confluenceScopes): AccessibleResource => ({
  id,
  name: url,
  url,
  scopes,
});

describe("pickConfluenceSite", () => {
  const contoso = resource("c-1", "https://contoso.atlassian.net");
  const fabrikam = resource("f-1", "https://fabrikam.atlassian.net");

  it("matches the site URL ignoring case, a trailing slash and /wiki", () => {
    expect(
      pickConfluenceSite([fabrikam, contoso], { siteUrl: "https://CONTOSO.atlassian.net/wiki/" }, PROFILE).cloudId,
    ).toBe("c-1");
  });

  it("matches a pinned cloudId, and requires both to agree when both are given", () => {
    expect(pickConfluenceSite([fabrikam, contoso], { cloudId: "f-1" }, PROFILE).url).toBe(
      "https://fabrikam.atlassian.net",
    );
    expect(() =>
      pickConfluenceSite([fabrikam, contoso], { cloudId: "f-1", siteUrl: "https://contoso.atlassian.net" }, PROFILE),
    ).toThrow(/does not cover site https:\/\/contoso.atlassian.net and cloudId f-1/);
  });

  it("treats one site listed once per product container as one site, preferring the Confluence entry", () => {
    const jira = resource("c-1", "https://contoso.atlassian.net", ["read:jira-work"]);
    const site = pickConfluenceSite([jira, contoso], { siteUrl: "https://contoso.atlassian.net" }, PROFILE);
    expect(site).toEqual({
      cloudId: "c-1",
      url: "https://contoso.atlassian.net",
      name: "https://contoso.atlassian.net",
      scopes: confluenceScopes,
    });
  });

  it("says which sites the grant covers when none matches", () => {
    expect(() => pickConfluenceSite([fabrikam], { siteUrl: "https://contoso.atlassian.net" }, PROFILE)).toThrow(
      expect.objectContaining({
        code: ConfluenceErrorCode.SiteNotFound,
        message: expect.stringContaining("sites it covers: https://fabrikam.atlassian.net (f-1)"),
      }),
    );
    expect(() => pickConfluenceSite([], { cloudId: "x" }, PROFILE)).toThrow(/sites it covers: none/);
  });

  it("refuses to guess between several matching sites", () => {
    const twin = resource("c-2", "https://contoso.atlassian.net");
    expect(() => pickConfluenceSite([contoso, twin], { siteUrl: "https://contoso.atlassian.net" }, PROFILE)).toThrow(
      expect.objectContaining({
        code: ConfluenceErrorCode.SiteAmbiguous,
        message: expect.stringContaining("set the profile's cloudId"),
      }),
    );
  });
});

describe("ConfluenceAuthClient against the emulator", () => {
  async function start(seed = testSeed()) {
    const emulator = await startSite(seed);
    return {
      e: emulator,
      auth: new ConfluenceAuthClient({
        authBaseUrl: emulator.urls.authBaseUrl,
        apiBaseUrl: emulator.urls.apiBaseUrl,
        retry: FAST_RETRY,
      }),
    };
  }
  const grant = { clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, refreshToken: TEST_REFRESH_TOKEN };

  it("exchanges a refresh token for a new pair", async () => {
    const { auth } = await start();
    const tokens = await auth.refresh(grant, PROFILE);
    expect(tokens).toMatchObject({
      expiresInSeconds: 3600,
      scopes: expect.arrayContaining(["offline_access", "read:page:confluence"]),
    });
    expect(tokens.refreshToken).not.toBe(TEST_REFRESH_TOKEN);
  });

  it("classifies a dead grant and a rejected client secret differently", async () => {
    const { auth } = await start();
    await expect(auth.refresh({ ...grant, refreshToken: "not-a-token-we-issued" }, PROFILE)).rejects.toMatchObject({
      code: ConfluenceErrorCode.GrantRevoked,
      status: 403,
      serviceCode: "invalid_grant",
      transient: false,
    });
    await expect(auth.refresh({ ...grant, clientSecret: "not-the-secret" }, PROFILE)).rejects.toMatchObject({
      code: ConfluenceErrorCode.ClientCredentialsRejected,
      serviceCode: "access_denied",
    });
  });

  it("keeps the credentials it was given out of its errors", async () => {
    const redactor = new SecretRedactor();
    const emulator = await startSite();
    const auth = new ConfluenceAuthClient({
      authBaseUrl: emulator.urls.authBaseUrl,
      apiBaseUrl: emulator.urls.apiBaseUrl,
      redactor,
      retry: { ...FAST_RETRY, maxRetries: 0 },
    });
    emulator.server.faults.add({
      path: "^/oauth/token$",
      status: 400,
      body: { error: "invalid_request", error_description: `bad token ${TEST_REFRESH_TOKEN}` },
    });
    const error = (await auth.refresh(grant, PROFILE).catch((err: unknown) => err)) as Error;
    expect(error.message).toContain("[REDACTED]");
    expect(error.message).not.toContain(TEST_REFRESH_TOKEN);
  });

  it("resolves the site among several accessible resources, and refuses an ambiguous match", async () => {
    const { auth } = await start(
      testSeed({
        additionalResources: [
          { id: "jira-side", name: "Contoso Jira", url: "https://contoso.atlassian.net", scopes: ["read:jira-work"] },
          { id: "other-site", name: "Fabrikam", url: "https://fabrikam.atlassian.net" },
          { id: "other-twin", name: "Fabrikam twin", url: "https://fabrikam.atlassian.net" },
        ],
      }),
    );
    const { accessToken } = await auth.refresh(grant, PROFILE);
    expect((await auth.resolveSite(accessToken, { siteUrl: "https://contoso.atlassian.net" }, PROFILE)).cloudId).toBe(
      TEST_CLOUD_ID,
    );
    await expect(
      auth.resolveSite(accessToken, { siteUrl: "https://fabrikam.atlassian.net" }, PROFILE),
    ).rejects.toMatchObject({ code: ConfluenceErrorCode.SiteAmbiguous });
    await expect(auth.accessibleResources("not-a-live-token", PROFILE)).rejects.toMatchObject({
      code: ConfluenceErrorCode.Unauthorized,
      status: 401,
    });
  });
});

import axios, { type AxiosAdapter } from "axios";
import { describe, expect, it } from "vitest";
import { EMULATOR_ENDPOINTS } from "../../dev/emulators/emulatorEndpoints";
import { profileSchema, tableProfile } from "../../shared/config/profile";
import {
  CONFLUENCE_USER_AGENT,
  ConfluenceClient,
  ConfluenceErrorCode,
  ConfluenceTokenManager,
  confluenceAuthClientForProfile,
  confluenceClientForProfile,
  PageVersionConflict,
} from "../../shared/confluence";
import { rateLimitOf } from "../../shared/confluence/confluenceHttp";
import type { RetryEvent } from "../../shared/resilience";
import { createManualClock } from "../../shared/runtime";
import { SecretNames } from "../../shared/secrets/secretsProvider";
import {
  emulatorPerTest,
  manyPages,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_CLOUD_ID,
  TEST_REFRESH_TOKEN,
  TEST_SITE_URL,
  testSeed,
  withoutLocalIds,
} from "../helpers/confluenceSite";
import { connectStack, FAST_RETRY, PROFILE, profileSecrets, servedCalls, tokenCalls } from "../helpers/confluenceStack";

const start = emulatorPerTest();

describe("ConfluenceClient: pages", () => {
  it("reads a page with its storage body and version", async () => {
    const e = await start();
    const { client } = connectStack(e);
    const page = await client.getPage("98306");
    expect(page).toMatchObject({
      id: "98306",
      title: "Roster",
      spaceId: "65538",
      parentId: "98305",
      version: { number: 3 },
      webui: "/spaces/TEAM/pages/98306/Roster",
    });
    expect(withoutLocalIds(page.storage ?? "")).toContain("<table>");
  });

  it("creates (POST 200, version 1) and updates with version n+1", async () => {
    const e = await start();
    const { client } = connectStack(e);
    const created = await client.createPage({ spaceId: "65538", title: "Backlog", storage: "<p>new</p>" });
    expect(created).toMatchObject({
      title: "Backlog",
      parentId: "98305",
      version: { number: 1 },
    });
    expect(withoutLocalIds(created.storage ?? "")).toBe("<p>new</p>");
    const updated = await client.updatePage({
      id: created.id,
      title: "Backlog",
      storage: "<p>newer</p>",
      version: 2,
      message: "sync: run 1",
    });
    expect(updated.version).toMatchObject({ number: 2, message: "sync: run 1" });
    expect(withoutLocalIds((await client.getPage(created.id)).storage ?? "")).toBe("<p>newer</p>");
  });

  it("turns a stale version into PageVersionConflict carrying the current version, and writes nothing", async () => {
    const e = await start();
    const { client } = connectStack(e);
    const read = await client.getPage("98306");
    await fetch(`${e.urls.baseUrl}/_admin/pages/98306`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ body: "<p>a person's edit</p>" }),
    });
    const error = await client
      .updatePage({ id: "98306", title: read.title, storage: "<p>ours</p>", version: read.version.number + 1 })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PageVersionConflict);
    expect(error).toMatchObject({
      code: ConfluenceErrorCode.VersionConflict,
      status: 409,
      pageId: "98306",
      currentVersion: 4,
      providedVersion: 4,
      transient: false,
    });
    expect((error as Error).message).toContain(
      `profile "${PROFILE}": [PUT] "/wiki/api/v2/pages/98306": 409 CONFLICT Version must be incremented`,
    );
    expect(withoutLocalIds((await client.getPage("98306")).storage ?? "")).toBe("<p>a person's edit</p>");
    expect(servedCalls(e).filter((c) => c.startsWith("PUT"))).toEqual(["PUT /wiki/api/v2/pages/98306 409"]);
  });

  it("reports malformed storage as a bad request with Confluence's parser message", async () => {
    const e = await start();
    const { client } = connectStack(e);
    await expect(
      client.updatePage({ id: "98306", title: "Roster", storage: "<p>unclosed", version: 4 }),
    ).rejects.toMatchObject({
      code: ConfluenceErrorCode.BadRequest,
      status: 400,
      message: expect.stringContaining("Error parsing xhtml"),
    });
  });

  it("lists 600 pages in 3 calls of 250, following _links.next, each page once and in order", async () => {
    const e = await start(
      testSeed({ pages: [{ id: "98305", spaceId: "65538", title: "Team home", body: "<p/>" }, ...manyPages(600)] }),
    );
    const { client } = connectStack(e);
    await client.getPage("98305"); // token first, so the log below holds only the listing
    e.server.requestLog.clear();
    const ids: string[] = [];
    for await (const page of client.listPages({ spaceId: "65538", sort: "id" })) ids.push(page.id);
    expect(ids).toHaveLength(601);
    expect(new Set(ids).size).toBe(601);
    expect(ids).toEqual([...ids].sort((a, b) => Number(a) - Number(b)));
    expect(servedCalls(e)).toEqual(Array.from({ length: 3 }, () => "GET /wiki/api/v2/spaces/65538/pages 200"));
  });

  it("pages through small limits and can stop early without fetching the rest", async () => {
    const e = await start(
      testSeed({ pages: [{ id: "98305", spaceId: "65538", title: "Team home", body: "<p/>" }, ...manyPages(30)] }),
    );
    const { client } = connectStack(e);
    const titles: string[] = [];
    for await (const page of client.listPages({ sort: "-title", limit: 10, storage: true })) {
      expect(page.storage).toBeDefined();
      titles.push(page.title);
      if (titles.length === 12) break;
    }
    expect(titles.slice(0, 2)).toEqual(["Team home", "Item 0030"]);
    expect(servedCalls(e).filter((c) => c.startsWith("GET"))).toHaveLength(2);
  });

  it("resolves a space key and deletes pages", async () => {
    const e = await start();
    const { client } = connectStack(e);
    expect(await client.getSpaceByKey("TEAM")).toEqual({
      id: "65538",
      key: "TEAM",
      name: "Team space",
      homepageId: "98305",
    });
    expect(await client.getSpaceByKey("NOPE")).toBeUndefined();
    await client.deletePage("98306");
    await expect(client.getPage("98306")).rejects.toMatchObject({ code: ConfluenceErrorCode.NotFound, status: 404 });
  });
});

describe("ConfluenceClient: properties and search", () => {
  it("creates and updates a content property by version", async () => {
    const e = await start();
    const { client } = connectStack(e);
    expect(await client.getProperty("98306", "com.contoso.sync")).toBeUndefined();
    const created = await client.setProperty("98306", "com.contoso.sync", { rows: 2 });
    expect(created).toMatchObject({ key: "com.contoso.sync", value: { rows: 2 }, version: { number: 1 } });
    const updated = await client.setProperty("98306", "com.contoso.sync", { rows: 3 });
    expect(updated.version.number).toBe(2);
    await expect(client.updateProperty("98306", created, { rows: 4 })).rejects.toMatchObject({
      code: ConfluenceErrorCode.Conflict,
      status: 409,
    });
    await expect(client.createProperty("98306", "com.contoso.sync", 1)).rejects.toMatchObject({
      code: ConfluenceErrorCode.Conflict,
    });
    await expect(client.setProperty("98306", "com.contoso.big", "x".repeat(40_000))).rejects.toMatchObject({
      code: ConfluenceErrorCode.BadRequest,
    });
  });

  it("searches with CQL across result pages (v1 links are relative to /wiki)", async () => {
    const e = await start(
      testSeed({
        pages: [
          { id: "98305", spaceId: "65538", title: "Team home", body: "<p/>" },
          ...manyPages(7).map((p) => ({ ...p, labels: ["sync-managed"] })),
        ],
      }),
    );
    const { client } = connectStack(e);
    const hits = [];
    for await (const hit of client.search('type = page AND label = "sync-managed" ORDER BY title DESC', { limit: 3 }))
      hits.push(hit);
    expect(hits.map((h) => h.title)).toEqual([
      "Item 0007",
      "Item 0006",
      "Item 0005",
      "Item 0004",
      "Item 0003",
      "Item 0002",
      "Item 0001",
    ]);
    expect(servedCalls(e).filter((c) => c.includes("/search"))).toHaveLength(3);
    await expect(client.search("type = = page").next()).rejects.toMatchObject({
      code: ConfluenceErrorCode.BadRequest,
      serviceCode: "BadRequestException",
    });
  });
});

describe("ConfluenceClient: resilience", () => {
  it("honours a 429's Retry-After before trying again", async () => {
    const e = await start();
    const { client } = connectStack(e);
    await client.getPage("98306");
    e.server.faults.add({ method: "GET", path: "/pages/98306$", status: 429, retryAfter: 1 });
    const started = performance.now();
    await client.getPage("98306");
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(servedCalls(e).slice(-2)).toEqual(["GET /wiki/api/v2/pages/98306 429", "GET /wiki/api/v2/pages/98306 200"]);
  });

  it("gives up after the bounded number of retries with a transient error", async () => {
    const e = await start();
    const { client } = connectStack(e, { retry: { maxRetries: 2, initialDelayMs: 1, random: () => 0.5 } });
    await client.getPage("98306");
    e.server.requestLog.clear();
    e.server.faults.add({ method: "GET", path: "/pages/98306$", status: 503, times: -1 });
    await expect(client.getPage("98306")).rejects.toMatchObject({
      code: ConfluenceErrorCode.Unavailable,
      status: 503,
      transient: true,
    });
    expect(servedCalls(e)).toHaveLength(3);
  });

  it("does not repeat a create after a failure the server may have acted on, but does after a 429", async () => {
    const e = await start();
    const { client } = connectStack(e);
    await client.getPage("98306");
    e.server.faults.add({ method: "POST", path: "/api/v2/pages$", status: 500 });
    await expect(client.createPage({ spaceId: "65538", title: "Once", storage: "<p/>" })).rejects.toMatchObject({
      status: 500,
      transient: true,
    });
    e.server.faults.add({ method: "POST", path: "/api/v2/pages$", status: 429 });
    await client.createPage({ spaceId: "65538", title: "Twice", storage: "<p/>" });
    expect(servedCalls(e).filter((c) => c.startsWith("POST /wiki"))).toEqual([
      "POST /wiki/api/v2/pages 500",
      "POST /wiki/api/v2/pages 429",
      "POST /wiki/api/v2/pages 200",
    ]);
  });

  it("retries a call that timed out", async () => {
    const e = await start();
    const retries: RetryEvent[] = [];
    const { client } = connectStack(e, {
      timeoutMs: 1_000,
      retry: { ...FAST_RETRY, onRetry: (event) => retries.push(event) },
    });
    await client.getPage("98306");
    e.server.faults.add({ method: "GET", path: "/pages/98306$", latencyMs: 2_500 });
    expect((await client.getPage("98306")).id).toBe("98306");
    // One retry, after a failure with no HTTP status: the timeout (the emulator never logs the abandoned call).
    expect(retries).toEqual([{ attempt: 1, delayMs: expect.any(Number) }]);
  });

  it("refreshes once on a 401 from an expired token and carries on", async () => {
    const e = await start();
    const { client } = connectStack(e);
    await client.getPage("98306");
    e.clock.advance(3_600_000); // the server's token expired; our cache still believes it valid
    await client.getPage("98306");
    expect(servedCalls(e)).toEqual([
      "POST /oauth/token 200",
      "GET /wiki/api/v2/pages/98306 200",
      "GET /wiki/api/v2/pages/98306 401",
      "POST /oauth/token 200",
      "GET /wiki/api/v2/pages/98306 200",
    ]);
  });

  it("lets 20 concurrent calls that find the token expired share one refresh", async () => {
    const e = await start();
    const clock = createManualClock(Date.now());
    const { client } = connectStack(e, { clock });
    await client.getPage("98306");
    clock.advance(3_600_000);
    e.clock.advance(3_600_000);
    const pages = await Promise.all(Array.from({ length: 20 }, () => client.getPage("98306")));
    expect(pages.every((p) => p.id === "98306")).toBe(true);
    expect(tokenCalls(e)).toBe(2);
    expect(servedCalls(e).filter((c) => c.endsWith(" 401"))).toEqual([]);
  });

  it("fails clearly when a fresh token is refused too (missing scope), after exactly one refresh", async () => {
    const e = await start(
      testSeed({
        oauth: {
          clientId: TEST_CLIENT_ID,
          clientSecret: TEST_CLIENT_SECRET,
          refreshTokens: [TEST_REFRESH_TOKEN],
          scopes: ["read:page:confluence", "offline_access"],
        },
      }),
    );
    const { client } = connectStack(e);
    const error = await client
      .createPage({ spaceId: "65538", title: "x", storage: "<p/>" })
      .catch((err: unknown) => err);
    expect(error).toMatchObject({ code: ConfluenceErrorCode.Unauthorized, status: 401, transient: false });
    expect((error as Error).message).toContain("Unauthorized; scope does not match");
    expect(tokenCalls(e)).toBe(2);
  });

  it("does not retry a dead grant through the API retry policy", async () => {
    const e = await start();
    await fetch(`${e.urls.baseUrl}/_admin/oauth/revoke-all`, { method: "POST" });
    const { client } = connectStack(e);
    await expect(client.getPage("98306")).rejects.toMatchObject({ code: "REAUTHORIZATION_REQUIRED" });
    expect(tokenCalls(e)).toBe(1);
  });

  it("sends a descriptive User-Agent and never puts a token or secret in errors or logs", async () => {
    const e = await start();
    const userAgents = new Set<string>();
    const http = axios.getAdapter("http");
    const observing: AxiosAdapter = (config) => {
      userAgents.add(String(config.headers["User-Agent"]));
      return http(config);
    };
    const { client, tokens, secrets, logger } = connectStack(e, { adapter: observing });
    await client.getPage("98306");
    e.server.faults.add({ method: "GET", path: "/pages/98306$", status: 503, times: -1 });
    const error = (await client.getPage("98306").catch((err: unknown) => err)) as Error;
    expect(userAgents).toEqual(new Set([CONFLUENCE_USER_AGENT]));
    const token = await tokens.getAccessToken(PROFILE);
    const refresh = (await secrets.get(PROFILE, SecretNames.ConfluenceRefreshToken))!;
    const visible = JSON.stringify([error.message, error, logger.records, String(error.cause ?? "")]);
    for (const secret of [token.value, refresh, TEST_REFRESH_TOKEN, TEST_CLIENT_SECRET])
      expect(visible).not.toContain(secret);
    expect(visible).not.toMatch(/Bearer\s+ey/);
  });
});

describe("ConfluenceClient: site resolution", () => {
  it("is wired from a profile's site and endpoint overrides", async () => {
    const e = await start();
    const profile = profileSchema.parse({
      key: PROFILE,
      sharePoint: { siteId: "contoso.sharepoint.com,1,2", listId: "l" },
      confluence: { siteUrl: TEST_SITE_URL, target: { mode: "table", pageId: "98306" } },
      fields: [{ sharePoint: "Title", confluence: "Name" }],
      endpoints: { confluenceAuthBaseUrl: e.urls.authBaseUrl, confluenceApiBaseUrl: e.urls.apiBaseUrl },
    });
    const auth = confluenceAuthClientForProfile(profile, { endpoints: EMULATOR_ENDPOINTS });
    const tokens = new ConfluenceTokenManager({ auth, secrets: profileSecrets() });
    const client = confluenceClientForProfile(profile, { tokens, auth, endpoints: EMULATOR_ENDPOINTS });
    expect((await client.getPage(tableProfile(profile).confluence.target.pageId)).title).toBe("Roster");
    expect(await client.cloudId()).toBe(TEST_CLOUD_ID);
  });

  it("resolves the cloudId from the profile's site URL once", async () => {
    const e = await start();
    const { client } = connectStack(e, { site: { siteUrl: `${TEST_SITE_URL.toUpperCase()}/wiki/` } });
    await client.getPage("98306");
    await client.getPage("98305");
    expect(servedCalls(e).filter((c) => c.includes("accessible-resources"))).toEqual([
      "GET /oauth/token/accessible-resources 200",
    ]);
  });

  it("refreshes once when the cached token is refused while resolving the site", async () => {
    const e = await start();
    const first = connectStack(e, { site: { cloudId: TEST_CLOUD_ID } });
    await first.client.getPage("98306");
    await fetch(`${e.urls.baseUrl}/_admin/oauth/expire-access-tokens`, { method: "POST" });
    // A new client for the next run, sharing the process's token manager.
    const next = new ConfluenceClient({
      profileKey: PROFILE,
      site: { siteUrl: TEST_SITE_URL },
      tokens: first.tokens,
      auth: first.auth,
      apiBaseUrl: e.urls.apiBaseUrl,
    });
    expect((await next.getPage("98306")).id).toBe("98306");
    expect(servedCalls(e).filter((c) => c.includes("accessible-resources"))).toEqual([
      "GET /oauth/token/accessible-resources 401",
      "GET /oauth/token/accessible-resources 200",
    ]);
  });

  it("fails clearly when the grant does not cover the profile's site", async () => {
    const e = await start();
    const { client } = connectStack(e, { site: { siteUrl: "https://fabrikam.atlassian.net" } });
    await expect(client.getPage("98306")).rejects.toMatchObject({
      code: ConfluenceErrorCode.SiteNotFound,
      message: expect.stringContaining(
        "sites it covers: https://contoso.atlassian.net (1324a887-45db-1bf4-1e99-ef0ff456d421)",
      ),
    });
  });
});

describe("rate-limit headers", () => {
  it("reads RateLimit and RateLimit-Policy, and their Beta- forms as not enforced", () => {
    expect(
      rateLimitOf({
        "ratelimit-policy": '"global-app-quota";q=65000;w=3600',
        ratelimit: '"global-app-quota";r=1200;t=1800',
      }),
    ).toEqual({
      enforced: true,
      quota: 65000,
      remaining: 1200,
      resetSeconds: 1800,
    });
    expect(rateLimitOf({ "beta-ratelimit-policy": '"global-app-quota";q=65000;w=3600' })).toEqual({
      enforced: false,
      quota: 65000,
    });
    expect(rateLimitOf({ "x-ratelimit-limit": "65000" })).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import type { ConfluenceEmulator } from "../../../dev/emulators/confluence/confluenceEmulator";
import { parseConfluenceSeed } from "../../../dev/emulators/confluence/confluenceSeed";
import {
  emulatorPerTest,
  manyPages,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_CLOUD_ID,
  TEST_REFRESH_TOKEN,
  testSeed,
  withoutLocalIds,
} from "../../helpers/confluenceSite";

/** Drives the emulator with plain fetch, the way the reference describes the real service. */

const start = emulatorPerTest();

async function call(
  method: string,
  url: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await fetch(url, {
    method,
    headers: {
      ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined
      ? { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) }
      : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as any) : undefined };
}

async function refresh(e: ConfluenceEmulator, refreshToken: string, secret = TEST_CLIENT_SECRET) {
  return call("POST", `${e.urls.authBaseUrl}/oauth/token`, {
    body: {
      grant_type: "refresh_token",
      client_id: TEST_CLIENT_ID,
      client_secret: secret,
      refresh_token: refreshToken,
    },
  });
}

async function accessToken(e: ConfluenceEmulator): Promise<string> {
  const response = await refresh(e, TEST_REFRESH_TOKEN);
  expect(response.status).toBe(200);
  return response.json.access_token as string;
}

const wiki = (e: ConfluenceEmulator, path: string) => `${e.urls.apiBaseUrl}/ex/confluence/${TEST_CLOUD_ID}/wiki${path}`;

describe("Confluence emulator: OAuth token endpoint", () => {
  it("rotates the refresh token on every refresh and answers in the documented shape", async () => {
    const e = await start();
    const first = await refresh(e, TEST_REFRESH_TOKEN);
    expect(first.status).toBe(200);
    expect(Object.keys(first.json).sort()).toEqual([
      "access_token",
      "expires_in",
      "refresh_token",
      "scope",
      "token_type",
    ]);
    expect(first.json.expires_in).toBe(3600);
    expect(first.json.refresh_token).not.toBe(TEST_REFRESH_TOKEN);
    expect(first.json.scope.split(" ")).toContain("offline_access");
    const second = await refresh(e, first.json.refresh_token);
    expect(second.status).toBe(200);
    expect(second.json.refresh_token).not.toBe(first.json.refresh_token);
  });

  it("lets a rotated-out token be reused within the leeway, and revokes the whole family after it", async () => {
    const e = await start(
      testSeed({
        oauth: {
          clientId: TEST_CLIENT_ID,
          clientSecret: TEST_CLIENT_SECRET,
          refreshTokens: [TEST_REFRESH_TOKEN],
          reuseLeewaySeconds: 60,
        },
      }),
    );
    const first = await refresh(e, TEST_REFRESH_TOKEN);
    e.clock.advance(59_000);
    const reuse = await refresh(e, TEST_REFRESH_TOKEN);
    expect(reuse.status).toBe(200);

    e.clock.advance(2_000);
    const late = await refresh(e, TEST_REFRESH_TOKEN);
    expect(late.status).toBe(403);
    expect(late.json).toEqual({ error: "invalid_grant", error_description: "Unknown or invalid refresh token." });
    // Family revoked: the newest tokens die too.
    expect((await refresh(e, reuse.json.refresh_token)).status).toBe(403);
    expect((await refresh(e, first.json.refresh_token)).status).toBe(403);
    const [family] = e.state().tokenFamilies as Array<{ revoked: boolean; revokedReason: string }>;
    expect(family).toMatchObject({ revoked: true, revokedReason: "refresh token reused after the leeway" });
  });

  it("answers dead grants in the unauthorized_client style when the seed asks for it", async () => {
    const e = await start(
      testSeed({
        oauth: {
          clientId: TEST_CLIENT_ID,
          clientSecret: TEST_CLIENT_SECRET,
          refreshTokens: [TEST_REFRESH_TOKEN],
          errorStyle: "unauthorized_client",
        },
      }),
    );
    const response = await refresh(e, "never-issued-refresh-token");
    expect(response.status).toBe(403);
    expect(response.json).toEqual({ error: "unauthorized_client", error_description: "refresh_token is invalid" });
  });

  it("rejects a wrong client secret with 401 access_denied, without touching the grant", async () => {
    const e = await start();
    const response = await refresh(e, TEST_REFRESH_TOKEN, "wrong-secret-value");
    expect(response.status).toBe(401);
    expect(response.json).toEqual({ error: "access_denied", error_description: "Unauthorized" });
    expect((await refresh(e, TEST_REFRESH_TOKEN)).status).toBe(200);
  });

  it("accepts form encoding as well as JSON", async () => {
    const e = await start();
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      client_id: TEST_CLIENT_ID,
      client_secret: TEST_CLIENT_SECRET,
      refresh_token: TEST_REFRESH_TOKEN,
    });
    const response = await call("POST", `${e.urls.authBaseUrl}/oauth/token`, {
      body: form.toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(200);
  });

  it("lists accessible resources for a live token and refuses anything else with the gateway's 401", async () => {
    const e = await start();
    const token = await accessToken(e);
    const resources = await call("GET", `${e.urls.apiBaseUrl}/oauth/token/accessible-resources`, { token });
    expect(resources.status).toBe(200);
    expect(resources.json).toEqual([
      expect.objectContaining({
        id: TEST_CLOUD_ID,
        url: "https://contoso.atlassian.net",
        name: expect.any(String),
        avatarUrl: expect.any(String),
        scopes: expect.arrayContaining(["read:page:confluence"]),
      }),
    ]);
    const anonymous = await call("GET", `${e.urls.apiBaseUrl}/oauth/token/accessible-resources`);
    expect(anonymous).toMatchObject({ status: 401, json: { code: 401, message: "Unauthorized" } });
  });

  it("expires access tokens after expires_in, by the emulator's clock", async () => {
    const e = await start(
      testSeed({
        oauth: {
          clientId: TEST_CLIENT_ID,
          clientSecret: TEST_CLIENT_SECRET,
          refreshTokens: [TEST_REFRESH_TOKEN],
          accessTokenExpiresIn: 60,
        },
      }),
    );
    const token = await accessToken(e);
    expect((await call("GET", wiki(e, "/api/v2/pages/98306"), { token })).status).toBe(200);
    e.clock.advance(60_000);
    expect(await call("GET", wiki(e, "/api/v2/pages/98306"), { token })).toMatchObject({
      status: 401,
      json: { code: 401, message: "Unauthorized" },
    });
  });

  it("refuses a token without the route's scope with the scope-mismatch body", async () => {
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
    const token = await accessToken(e);
    const response = await call("GET", wiki(e, "/rest/api/search?cql=type%3Dpage"), { token });
    expect(response).toMatchObject({ status: 401, json: { code: 401, message: "Unauthorized; scope does not match" } });
  });
});

describe("Confluence emulator: v2 pages", () => {
  it("omits the body without body-format and returns storage with it", async () => {
    const e = await start();
    const token = await accessToken(e);
    const bare = await call("GET", wiki(e, "/api/v2/pages/98306"), { token });
    expect(bare.json.body).toEqual({});
    const full = await call("GET", wiki(e, "/api/v2/pages/98306?body-format=storage"), { token });
    expect(full.json).toMatchObject({
      id: "98306",
      status: "current",
      title: "Roster",
      spaceId: "65538",
      parentId: "98305",
      parentType: "page",
      version: {
        number: 3,
        authorId: expect.any(String),
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      },
      body: { storage: { representation: "storage", value: expect.stringContaining("&nbsp;") } },
      _links: { base: "https://contoso.atlassian.net/wiki", webui: "/spaces/TEAM/pages/98306/Roster" },
    });
    expect(await call("GET", wiki(e, "/api/v2/pages/4242"), { token })).toMatchObject({
      status: 404,
      json: { errors: [{ status: 404, code: "NOT_FOUND" }] },
    });
  });

  it("paginates with a relative _links.next and a Link header, clamping limit to 1..250", async () => {
    const e = await start(
      testSeed({ pages: [{ id: "98305", spaceId: "65538", title: "Team home", body: "<p/>" }, ...manyPages(260)] }),
    );
    const token = await accessToken(e);
    const one = await call("GET", wiki(e, "/api/v2/pages?space-id=65538&limit=0"), { token });
    expect(one.json.results).toHaveLength(1);
    expect(one.json._links.base).toBe("https://contoso.atlassian.net/wiki");
    expect(one.json._links.next).toMatch(/^\/wiki\/api\/v2\/pages\?space-id=65538&limit=0&cursor=/);
    expect(one.headers.get("link")).toBe(
      `<${one.json._links.next}>; rel="next", <https://contoso.atlassian.net/wiki>; rel="base"`,
    );
    const defaults = await call("GET", wiki(e, "/api/v2/pages"), { token });
    expect(defaults.json.results).toHaveLength(25);
    const most = await call("GET", wiki(e, "/api/v2/pages?limit=1000"), { token });
    expect(most.json.results).toHaveLength(250);
    const rest = await call("GET", `${e.urls.apiBaseUrl}/ex/confluence/${TEST_CLOUD_ID}${most.json._links.next}`, {
      token,
    });
    expect(rest.json.results).toHaveLength(11);
    expect(rest.json._links.next).toBeUndefined();
    expect(rest.headers.get("link")).toBeNull();
  });

  it("lists by -modified-date, newest edit first", async () => {
    const e = await start();
    const token = await accessToken(e);
    e.clock.advance(60_000);
    await call("PUT", `${e.urls.baseUrl}/_admin/pages/98305`, { body: { body: "<p>Edited</p>" } });
    const listed = await call("GET", wiki(e, "/api/v2/spaces/65538/pages?sort=-modified-date"), { token });
    expect(listed.json.results.map((p: { id: string }) => p.id)).toEqual(["98305", "98306"]);
  });

  it("creates pages with 200 and version 1 under the space homepage, and refuses a duplicate title", async () => {
    const e = await start();
    const token = await accessToken(e);
    const created = await call("POST", wiki(e, "/api/v2/pages"), {
      token,
      body: {
        spaceId: "65538",
        status: "current",
        title: "New",
        body: { representation: "storage", value: "<p>x</p>" },
      },
    });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      title: "New",
      parentId: "98305",
      version: { number: 1 },
      body: { storage: { value: expect.stringMatching(/^<p local-id="[0-9a-f-]{36}">x<\/p>$/) } },
    });
    const duplicate = await call("POST", wiki(e, "/api/v2/pages"), {
      token,
      body: { spaceId: "65538", title: "new", body: { storage: { representation: "storage", value: "<p/>" } } },
    });
    expect(duplicate.status).toBe(400);
    expect(duplicate.json.errors[0].title).toContain("A page with this title already exists");
  });

  it("updates only with version current+1 and answers a stale version with the observed 409 body", async () => {
    const e = await start();
    const token = await accessToken(e);
    const update = (number: number) =>
      call("PUT", wiki(e, "/api/v2/pages/98306"), {
        token,
        body: {
          id: "98306",
          status: "current",
          title: "Roster",
          body: { representation: "storage", value: "<p>v</p>" },
          version: { number, message: "sync" },
        },
      });
    const stale = await update(2);
    expect(stale.status).toBe(409);
    expect(stale.json).toEqual({
      errors: [
        {
          status: 409,
          code: "CONFLICT",
          title: "Version must be incremented when updating a page. Current Version: [3]. Provided version: [2]",
          detail: null,
        },
      ],
    });
    const ok = await update(4);
    expect(ok.status).toBe(200);
    expect(ok.json.version).toMatchObject({ number: 4, message: "sync" });
    expect((await update(4)).status).toBe(409);
  });

  it("refuses malformed storage with 'Error parsing xhtml' and accepts HTML named entities and CDATA", async () => {
    const e = await start();
    const token = await accessToken(e);
    const put = (value: string, number: number) =>
      call("PUT", wiki(e, "/api/v2/pages/98306"), {
        token,
        body: {
          id: "98306",
          status: "current",
          title: "Roster",
          body: { representation: "storage", value },
          version: { number },
        },
      });
    const bad = await put("<p>open<div>x</p>", 4);
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0]).toMatchObject({
      code: "INVALID_REQUEST_PARAMETER",
      title: expect.stringMatching(/^Error parsing xhtml: Unexpected close tag <\/p>; expected <\/div>\./),
    });
    expect((await put("<p>a &bogus; b</p>", 4)).status).toBe(400);
    expect((await put("<p>AT&T</p>", 4)).status).toBe(400);
    const good = await put(
      '<p>a&nbsp;b&rsquo;c&#160;</p><ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[a < b]]></ac:plain-text-body></ac:structured-macro>',
      4,
    );
    expect(good.status).toBe(200);
    expect(e.state().pages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: "98306", version: expect.objectContaining({ number: 4 }) }),
      ]),
    );
  });

  it("stores bodies as given when the seed asks for it (storageNormalization: none)", async () => {
    const e = await start(testSeed({ storageNormalization: "none" }));
    const token = await accessToken(e);
    const sent = "<p><b>Bold</b>&nbsp;<i>it</i><br/></p>";
    const put = await call("PUT", wiki(e, "/api/v2/pages/98306"), {
      token,
      body: {
        id: "98306",
        status: "current",
        title: "Roster",
        body: { representation: "storage", value: sent },
        version: { number: 4 },
      },
    });
    expect(put.json.body.storage.value).toBe(sent);
  });

  it("splits marks around links, rewrites styles and gives table parts and blocks local ids, keeping those sent", async () => {
    const e = await start();
    const token = await accessToken(e);
    const sent =
      '<table ac:local-id="kept-table"><tbody><tr><td><p><strong>a <a href="https://x.example">b</a> c</strong></p></td></tr></tbody></table>' +
      '<h2>Heading</h2><ul><li>item</li></ul><p style="COLOR:rgb(255, 86, 48);text-align:center">styled</p>';
    const put = await call("PUT", wiki(e, "/api/v2/pages/98306"), {
      token,
      body: {
        id: "98306",
        status: "current",
        title: "Roster",
        body: { representation: "storage", value: sent },
        version: { number: 4 },
      },
    });
    const id = '="[0-9a-f-]{36}"';
    expect(put.json.body.storage.value).toMatch(
      new RegExp(
        `^<table ac:local-id="kept-table"><tbody><tr ac:local-id${id}><td ac:local-id${id}><p local-id${id}>` +
          '<strong>a </strong><a href="https://x.example"><strong>b</strong></a><strong> c</strong></p></td></tr></tbody></table>' +
          `<h2 local-id${id}>Heading</h2><ul><li local-id${id}>item</li></ul>` +
          `<p style="color: #ff5630; text-align: center;" local-id${id}>styled</p>$`,
      ),
    );
  });

  it("rewrites stored bodies like Confluence (the default)", async () => {
    const e = await start(testSeed({ storageNormalization: "confluence" }));
    const token = await accessToken(e);
    const sent =
      "<p><b>Bold</b>&nbsp;<i>it</i>&amp;<br/></p><ac:structured-macro ac:name=\"code\"><ac:plain-text-body><![CDATA[<b>kept</b>]]></ac:plain-text-body></ac:structured-macro><p class='x'>&rsquo;</p>";
    const put = await call("PUT", wiki(e, "/api/v2/pages/98306"), {
      token,
      body: {
        id: "98306",
        status: "current",
        title: "Roster",
        body: { representation: "storage", value: sent },
        version: { number: 4 },
      },
    });
    expect(put.json.body.storage.value).toMatch(
      /^<p local-id="[0-9a-f-]{36}"><strong>Bold<\/strong>&nbsp;<em>it<\/em>&amp;<br \/><\/p><ac:structured-macro ac:name="code" ac:schema-version="1" ac:macro-id="[0-9a-f-]{36}"><ac:plain-text-body><!\[CDATA\[<b>kept<\/b>\]\]><\/ac:plain-text-body><\/ac:structured-macro><p class="x" local-id="[0-9a-f-]{36}">\u2019<\/p>$/,
    );
  });

  it("moves deleted pages to the trash", async () => {
    const e = await start();
    const token = await accessToken(e);
    expect((await call("DELETE", wiki(e, "/api/v2/pages/98306"), { token })).status).toBe(204);
    const listed = await call("GET", wiki(e, "/api/v2/pages?status=trashed"), { token });
    expect(listed.json.results.map((p: { id: string }) => p.id)).toEqual(["98306"]);
    expect(
      (await call("GET", wiki(e, "/api/v2/pages?space-id=65538"), { token })).json.results.map(
        (p: { id: string }) => p.id,
      ),
    ).toEqual(["98305"]);
  });

  it("resolves a space key to its id", async () => {
    const e = await start();
    const token = await accessToken(e);
    const spaces = await call("GET", wiki(e, "/api/v2/spaces?keys=TEAM"), { token });
    expect(spaces.json.results).toEqual([expect.objectContaining({ id: "65538", key: "TEAM", homepageId: "98305" })]);
  });
});

describe("Confluence emulator: content properties", () => {
  it("creates, versions and caps properties, with 409 on duplicates and stale versions", async () => {
    const e = await start();
    const token = await accessToken(e);
    const url = wiki(e, "/api/v2/pages/98306/properties");
    const created = await call("POST", url, { token, body: { key: "com.example.sync", value: { rows: 1 } } });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ key: "com.example.sync", value: { rows: 1 }, version: { number: 1 } });
    expect((await call("POST", url, { token, body: { key: "com.example.sync", value: 2 } })).status).toBe(409);

    const byKey = await call("GET", `${url}?key=com.example.sync`, { token });
    expect(byKey.json.results).toHaveLength(1);
    const one = `${url}/${created.json.id}`;
    expect(
      (await call("PUT", one, { token, body: { key: "com.example.sync", value: 2, version: { number: 1 } } })).status,
    ).toBe(409);
    const updated = await call("PUT", one, {
      token,
      body: { key: "com.example.sync", value: 2, version: { number: 2 } },
    });
    expect(updated.json).toMatchObject({ value: 2, version: { number: 2 } });

    const large = await call("PUT", one, {
      token,
      body: { key: "com.example.sync", value: "x".repeat(33 * 1024), version: { number: 3 } },
    });
    expect(large.status).toBe(400);
    expect((await call("GET", one, { token })).json.version.number).toBe(2);
    expect((await call("DELETE", one, { token })).status).toBe(204);
  });
});

describe("Confluence emulator: v1 CQL search", () => {
  it("filters by type, space, label and lastmodified, orders, and pages through _links.next relative to /wiki", async () => {
    const e = await start(
      testSeed({
        pages: [
          { id: "98305", spaceId: "65538", title: "Team home", body: "<p/>", lastModified: "2026-01-01T10:00:00.000Z" },
          ...manyPages(3).map((p, i) => ({
            ...p,
            labels: i === 1 ? [] : ["sync-managed"],
            lastModified: `2026-01-0${i + 2}T12:30:00.000Z`,
          })),
        ],
      }),
    );
    const token = await accessToken(e);
    const search = async (cql: string, extra = "") =>
      call("GET", wiki(e, `/rest/api/search?cql=${encodeURIComponent(cql)}${extra}`), { token });

    const labelled = await search(
      'type = page AND space = "TEAM" AND label = "sync-managed" ORDER BY lastmodified DESC',
    );
    expect(labelled.json.results.map((r: { content: { id: string } }) => r.content.id)).toEqual(["200002", "200000"]);
    expect(labelled.json).toMatchObject({
      size: 2,
      totalSize: 2,
      _links: { base: "https://contoso.atlassian.net/wiki", context: "/wiki" },
    });
    expect(labelled.json.results[0]).toMatchObject({
      entityType: "content",
      lastModified: "2026-01-04T12:30:00.000Z",
      content: { type: "page", title: "Item 0003" },
    });

    expect((await search('lastmodified >= "2026-01-03 12:30"')).json.totalSize).toBe(2);
    expect((await search('lastmodified > "2026/01/03 12:30"')).json.totalSize).toBe(1);
    expect(
      (await search('lastmodified < "2026-01-02" OR title ~ "0002"')).json.results.map(
        (r: { content: { id: string } }) => r.content.id,
      ),
    ).toEqual(["98305", "200001"]);

    const paged = await search("type = page order by id", "&limit=2");
    expect(paged.json.results).toHaveLength(2);
    expect(paged.json._links.next).toMatch(/^\/rest\/api\/search\?/);
    const next = await call(
      "GET",
      `${e.urls.apiBaseUrl}/ex/confluence/${TEST_CLOUD_ID}/wiki${paged.json._links.next}`,
      { token },
    );
    expect(next.json.results.map((r: { content: { id: string } }) => r.content.id)).toEqual(["200001", "200002"]);
    expect(next.json._links.next).toBeUndefined();
  });

  it("evaluates now() relative to the emulator clock", async () => {
    const e = await start();
    const token = await accessToken(e);
    const recent = async () =>
      (
        await call("GET", wiki(e, `/rest/api/search?cql=${encodeURIComponent('lastmodified >= now("-15m")')}`), {
          token,
        })
      ).json.totalSize;
    expect(await recent()).toBe(2);
    e.clock.advance(20 * 60_000);
    expect(await recent()).toBe(0);
    await call("PUT", `${e.urls.baseUrl}/_admin/pages/98306`, { body: { body: "<p>edit</p>" } });
    expect(await recent()).toBe(1);
  });

  it("lags writes by the seed's index lag", async () => {
    const e = await start(testSeed({ searchIndexLagSeconds: 300 }));
    e.clock.advance(301_000);
    const token = await accessToken(e);
    const titles = async () =>
      (
        await call("GET", wiki(e, `/rest/api/search?cql=${encodeURIComponent("type = page ORDER BY id")}`), { token })
      ).json.results.map((r: { title: string }) => r.title);
    await call("PUT", `${e.urls.baseUrl}/_admin/pages/98306`, { body: { body: "<p/>", title: "Renamed" } });
    await call("POST", `${e.urls.baseUrl}/_admin/pages`, {
      body: { spaceId: "65538", title: "Brand new", body: "<p/>" },
    });
    expect(await titles()).toEqual(["Team home", "Roster"]);
    e.clock.advance(301_000);
    expect(await titles()).toEqual(["Team home", "Renamed", "Brand new"]);
  });

  it("answers malformed CQL with 400 in the v1 envelope", async () => {
    const e = await start();
    const token = await accessToken(e);
    const bad = await call("GET", wiki(e, `/rest/api/search?cql=${encodeURIComponent("type = page AND (")}`), {
      token,
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining("BadRequestException: Could not parse cql"),
    });
    expect(
      (
        await call("GET", wiki(e, `/rest/api/search?cql=${encodeURIComponent('lastmodified > "yesterday"')}`), {
          token,
        })
      ).status,
    ).toBe(400);
  });
});

describe("Confluence emulator: admin surface and faults", () => {
  it("applies a person's edit as the next version, at the emulator's now, by a human account", async () => {
    const e = await start();
    e.clock.advance(3_600_000);
    const edited = await call("PUT", `${e.urls.baseUrl}/_admin/pages/98306`, { body: { body: "<p>by hand</p>" } });
    expect(edited.status).toBe(200);
    const state = (await call("GET", `${e.urls.baseUrl}/_admin/state`)).json;
    const page = state.pages.find((p: { id: string }) => p.id === "98306");
    expect(page).toMatchObject({ version: { number: 4, authorId: e.seed.humanAccountId } });
    expect(withoutLocalIds(page.body)).toBe("<p>by hand</p>");
    expect(Date.parse(page.version.createdAt)).toBeGreaterThan(Date.now() + 3_500_000);
    expect(page.versionHistory.map((v: { number: number }) => v.number)).toEqual([3, 4]);
    expect((await call("PUT", `${e.urls.baseUrl}/_admin/pages/98306`, { body: { body: "<p>unclosed" } })).status).toBe(
      400,
    );
  });

  it("moves the clock and ends sessions on request", async () => {
    const e = await start();
    const token = await accessToken(e);
    const moved = await call("POST", `${e.urls.baseUrl}/_admin/clock`, { body: { advanceSeconds: 30 } });
    expect(moved.json.offsetMs).toBe(30_000);
    expect((await call("POST", `${e.urls.baseUrl}/_admin/clock`, { body: { offsetSeconds: 90 } })).json.offsetMs).toBe(
      90_000,
    );
    expect((await call("POST", `${e.urls.baseUrl}/_admin/clock`, { body: { advanceSeconds: -1 } })).status).toBe(400);
    expect((await call("POST", `${e.urls.baseUrl}/_admin/oauth/expire-access-tokens`)).json).toEqual({ expired: 1 });
    expect((await call("GET", wiki(e, "/api/v2/pages/98306"), { token })).status).toBe(401);
    const consent = await call("POST", `${e.urls.baseUrl}/_admin/oauth/consent`);
    expect((await refresh(e, consent.json.refresh_token)).status).toBe(200);
  });

  it("injects 429s with Retry-After, Atlassian's rate-limit headers and the v2 error envelope", async () => {
    const e = await start();
    const token = await accessToken(e);
    await call("POST", `${e.urls.baseUrl}/_admin/faults`, {
      body: { method: "GET", path: "/api/v2/pages/", status: 429, retryAfter: 7 },
    });
    const limited = await call("GET", wiki(e, "/api/v2/pages/98306"), { token });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(limited.headers.get("ratelimit-reason")).toBe("confluence-quota-global-based");
    expect(limited.headers.get("beta-ratelimit")).toBe('"global-app-quota";r=0;t=7');
    expect(limited.json.errors[0]).toMatchObject({ status: 429, code: "TOO_MANY_REQUESTS" });
    expect((await call("GET", wiki(e, "/api/v2/pages/98306"), { token })).status).toBe(200);
    const log = (await call("GET", `${e.urls.baseUrl}/_admin/requests`)).json as Array<{
      method: string;
      path: string;
      status: number;
    }>;
    expect(log.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST /oauth/token 200",
      `GET /ex/confluence/${TEST_CLOUD_ID}/wiki/api/v2/pages/98306 429`,
      `GET /ex/confluence/${TEST_CLOUD_ID}/wiki/api/v2/pages/98306 200`,
    ]);
  });
});

describe("Confluence emulator: quota", () => {
  it("throttles beyond the seed's rate limit until the window resets, with Atlassian's headers", async () => {
    const e = await start(testSeed({ rateLimit: { limit: 3, windowSeconds: 60 } }));
    e.clock.advance(60_000 - (e.clock.now() % 60_000)); // start of a window
    const token = await accessToken(e);
    const first = await call("GET", wiki(e, "/api/v2/pages/98306"), { token });
    expect(first.headers.get("x-ratelimit-remaining")).toBe("1");
    expect(first.headers.get("x-ratelimit-nearlimit")).toBeNull();
    expect((await call("GET", wiki(e, "/api/v2/pages/98306"), { token })).headers.get("x-ratelimit-nearlimit")).toBe(
      "true",
    );
    const limited = await call("GET", wiki(e, "/api/v2/pages/98306"), { token });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(50); // seconds to the window's end
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(limited.headers.get("beta-ratelimit-policy")).toBe('"global-app-quota";q=3;w=60');
    expect(limited.json.errors[0].code).toBe("TOO_MANY_REQUESTS");
    expect((await call("GET", `${e.urls.baseUrl}/_admin/state`)).status).toBe(200);
    e.clock.advance(60_000);
    expect((await call("GET", wiki(e, "/api/v2/pages/98306"), { token })).status).toBe(200);
  });
});

describe("Confluence seed validation", () => {
  it("names the bad path", () => {
    expect(() =>
      parseConfluenceSeed({ ...testSeed(), pages: [{ id: "1", spaceId: "999", title: "x", body: "" }] }),
    ).toThrow("confluence.pages[0].spaceId: no space with id 999");
    expect(() =>
      parseConfluenceSeed({ ...testSeed(), oauth: { clientId: "a", clientSecret: "b", refreshTokens: [] } }),
    ).toThrow(/confluence\.oauth\.refreshTokens/);
  });

  it("refuses a seeded page whose body is not well-formed storage", async () => {
    await expect(start(testSeed({ pages: [{ id: "1", spaceId: "65538", title: "x", body: "<p>" }] }))).rejects.toThrow(
      /confluence\.pages\[0\]\.body: Error parsing xhtml/,
    );
  });
});

import { describe, expect, it } from "vitest";
import type { ConfluenceEmulator } from "../../../dev/emulators/confluence/confluenceEmulator";
import {
  emulatorPerTest,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_CLOUD_ID,
  TEST_REFRESH_TOKEN,
  testSeed,
} from "../../helpers/confluenceSite";

/** The emulator behaviours pages mode depends on (docs/emulators.md#confluence-pages-mode-behaviours), over HTTP. */

const start = emulatorPerTest();
const PARENT = "4231790669";

/** A parent page with `count` children (ids above 2^31), one restricted page among them, and a grandchild. */
function treeSeed(count: number) {
  const base = testSeed();
  const children = Array.from({ length: count }, (_, i) => ({
    id: String(4_231_800_000 + i),
    spaceId: "65538",
    parentId: PARENT,
    title: `Customer ${String(i + 1).padStart(3, "0")}`,
    body: `<p>customer ${i + 1}</p>`,
  }));
  return testSeed({
    pages: [
      ...(base.pages ?? []),
      { id: PARENT, spaceId: "65538", parentId: "98305", title: "Customers", body: "<p>parent</p>" },
      ...children,
      {
        id: "4231799999",
        spaceId: "65538",
        parentId: PARENT,
        title: "Secret customer",
        body: "<p>x</p>",
        restricted: true,
      },
      { id: "4231799998", spaceId: "65538", parentId: children[0]!.id, title: "Grandchild", body: "<p>g</p>" },
    ],
  });
}

async function token(e: ConfluenceEmulator): Promise<string> {
  const response = await fetch(`${e.urls.authBaseUrl}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "refresh_token",
      client_id: TEST_CLIENT_ID,
      client_secret: TEST_CLIENT_SECRET,
      refresh_token: TEST_REFRESH_TOKEN,
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function get(e: ConfluenceEmulator, path: string): Promise<{ status: number; json: any }> {
  const response = await fetch(`${e.urls.apiBaseUrl}/ex/confluence/${TEST_CLOUD_ID}/wiki${path}`, {
    headers: { authorization: `Bearer ${await token(e)}` },
  });
  return { status: response.status, json: await response.json() };
}

describe("the Confluence emulator for pages mode", () => {
  it("lists children 25 at a time by default, without versions, and follows the cursor to the rest", async () => {
    const e = await start(treeSeed(30));
    const first = await get(e, `/api/v2/pages/${PARENT}/children`);
    expect(first.json.results).toHaveLength(25);
    expect(first.json.results[0]).toEqual({
      id: "4231800000",
      status: "current",
      title: "Customer 001",
      spaceId: "65538",
      childPosition: expect.any(Number),
    });
    expect(first.json._links.next).toBeDefined();
    const rest = await get(e, first.json._links.next.replace(/^\/wiki/, ""));
    expect(rest.json.results).toHaveLength(5);
    // The restricted child is never listed.
    expect([...first.json.results, ...rest.json.results].map((row: { id: string }) => row.id)).not.toContain(
      "4231799999",
    );
  });

  it("lists descendants top to bottom with their depth", async () => {
    const e = await start(treeSeed(2));
    const rows = (await get(e, `/api/v2/pages/${PARENT}/descendants?limit=250`)).json.results;
    expect(rows.map((row: { id: string; depth: number }) => [row.id, row.depth])).toEqual([
      ["4231800000", 1],
      ["4231800001", 1],
      ["4231799998", 2],
    ]);
  });

  it("reads up to 250 pages by id, 25 unless asked for more, in an order of its own, leaving out what it cannot show", async () => {
    const e = await start(treeSeed(40));
    const ids = Array.from({ length: 40 }, (_, i) => String(4_231_800_000 + i));
    const defaulted = await get(e, `/api/v2/pages?id=${ids.join(",")}`);
    expect(defaulted.json.results).toHaveLength(25);
    const all = await get(e, `/api/v2/pages?id=${[...ids, "4231799999", "123"].join(",")}&limit=250`);
    const returned = all.json.results.map((page: { id: string }) => page.id);
    expect([...returned].sort()).toEqual([...ids].sort());
    expect(returned).not.toEqual(ids);
    const tooMany = await get(e, `/api/v2/pages?id=${Array.from({ length: 251 }, (_, i) => String(i + 1)).join(",")}`);
    expect(tooMany.status).toBe(400);
  });

  it("finds pages below a page with CQL ancestor, and gives the version the index holds", async () => {
    const e = await start({ ...treeSeed(2), searchIndexLagSeconds: 60 });
    await fetch(`${e.urls.baseUrl}/_admin/clock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ advanceSeconds: 120 }),
    });
    await fetch(`${e.urls.baseUrl}/_admin/pages/4231800000`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ body: "<p>edited</p>" }),
    });
    const cql = encodeURIComponent(`type = page AND ancestor = ${PARENT}`);
    const hits = (await get(e, `/rest/api/search?cql=${cql}&expand=content.version`)).json.results;
    const byId = new Map(hits.map((hit: any) => [hit.content.id, hit.content.version.number]));
    expect([...byId.keys()].sort()).toEqual(["4231799998", "4231800000", "4231800001"]);
    // The edit is not indexed yet: the search still says version 1, while the page is at 2.
    expect(byId.get("4231800000")).toBe(1);
    expect((await get(e, "/api/v2/pages/4231800000")).json.version.number).toBe(2);
  });

  it("holds the title of a page the app cannot see, and copies a page with its content properties", async () => {
    const e = await start(treeSeed(1));
    const bearer = await token(e);
    const create = await fetch(`${e.urls.apiBaseUrl}/ex/confluence/${TEST_CLOUD_ID}/wiki/api/v2/pages`, {
      method: "POST",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
      body: JSON.stringify({
        spaceId: "65538",
        parentId: PARENT,
        title: "secret CUSTOMER",
        body: { representation: "storage", value: "<p>x</p>" },
      }),
    });
    expect(create.status).toBe(400);
    expect(((await create.json()) as any).errors[0].title).toMatch(/already exists/);
    expect((await get(e, `/api/v2/pages?title=${encodeURIComponent("Secret customer")}`)).json.results).toEqual([]);

    e.content.createProperty("4231800000", "confluencesync.link", { itemId: "1" }, "app");
    const copied = await fetch(`${e.urls.baseUrl}/_admin/pages/4231800000/copy`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "Customer 001 (copy)" }),
    });
    const copy = (await copied.json()) as { id: string; parentId: string };
    expect(copy.parentId).toBe(PARENT);
    const properties = (await get(e, `/api/v2/pages/${copy.id}/properties`)).json.results;
    expect(properties).toEqual([expect.objectContaining({ key: "confluencesync.link", value: { itemId: "1" } })]);
  });
});

describe("the points quota", () => {
  it("charges a GET 1 plus its objects and a write 1, reports r after 80 %, and refuses every call at the limit until the top of the hour", async () => {
    const e = await start({ ...treeSeed(30), pointsQuota: { pointsPerHour: 100 } });
    const bearer = await token(e);
    const at = (path: string) =>
      fetch(`${e.urls.apiBaseUrl}/ex/confluence/${TEST_CLOUD_ID}/wiki${path}`, {
        headers: { authorization: `Bearer ${bearer}` },
      });
    const list = await at(`/api/v2/pages/${PARENT}/children?limit=30`);
    expect(list.headers.get("ratelimit-policy")).toBe('"global-app-quota";q=100;w=3600');
    expect(list.headers.get("ratelimit")).toBeNull();
    expect(e.points?.used(e.clock.now())).toBe(31);
    await at(`/api/v2/pages/${PARENT}/children?limit=30`);
    await at(`/api/v2/pages/${PARENT}/children?limit=30`);
    expect(e.points?.used(e.clock.now())).toBe(93);
    const nearly = await at(`/api/v2/pages/${PARENT}`);
    expect(nearly.headers.get("ratelimit")).toMatch(/^"global-app-quota";r=5;t=\d+$/);
    await at(`/api/v2/pages/${PARENT}/children?limit=30`);
    const refused = await at(`/api/v2/pages/${PARENT}`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("ratelimit-reason")).toBe("confluence-quota-global-based");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    e.clock.advance(retryAfter * 1000);
    expect((await at(`/api/v2/pages/${PARENT}`)).status).toBe(200);
  });

  it("only reports a quota that is not enforced yet (Beta- headers, no 429)", async () => {
    const e = await start({ ...treeSeed(30), pointsQuota: { pointsPerHour: 10, enforced: false } });
    const bearer = await token(e);
    for (let i = 0; i < 3; i += 1) {
      const response = await fetch(
        `${e.urls.apiBaseUrl}/ex/confluence/${TEST_CLOUD_ID}/wiki/api/v2/pages/${PARENT}/children`,
        {
          headers: { authorization: `Bearer ${bearer}` },
        },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("beta-ratelimit-policy")).toContain("q=10");
    }
  });
});

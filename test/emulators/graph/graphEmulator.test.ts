import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateEmulatorCertificate } from "../../../dev/emulators/common/tls";
import { startGraphEmulator } from "../../../dev/emulators/graph/graphEmulator";
import { startTestGraph, type TestGraph } from "../../helpers/graphEmulator";
import { buildGraphSeed, TEST_CLIENT_ID, TEST_LIST_ID, TEST_SITE_ID, TEST_TENANT_ID } from "../../helpers/graphSeed";

const list = `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}`;
const adminItems = `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}/items`;

describe("Graph emulator (plain HTTPS, as curl would drive it)", () => {
  let graph: TestGraph;

  beforeAll(async () => {
    graph = await startTestGraph(buildGraphSeed({ itemCount: 30 }));
  });
  afterAll(() => graph.close());
  beforeEach(async () => {
    await graph.admin("DELETE", "faults");
    await graph.admin("DELETE", "requests");
  });

  describe("identity", () => {
    it("serves the v2.0 OpenID configuration MSAL reads, with an issuer on its own origin", async () => {
      const config: unknown = await (
        await fetch(`${graph.authorityHost}/${TEST_TENANT_ID}/v2.0/.well-known/openid-configuration`)
      ).json();
      expect(config).toMatchObject({
        token_endpoint: `${graph.authorityHost}/${TEST_TENANT_ID}/oauth2/v2.0/token`,
        issuer: `${graph.authorityHost}/${TEST_TENANT_ID}/v2.0`,
        authorization_endpoint: expect.any(String),
        jwks_uri: expect.any(String),
      });
    });

    it("refuses a wrong client secret with AADSTS7000215 and never echoes it", async () => {
      const response = await fetch(`${graph.authorityHost}/${TEST_TENANT_ID}/oauth2/v2.0/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: TEST_CLIENT_ID,
          client_secret: "wrong-secret-value",
          scope: "https://graph.microsoft.com/.default",
        }),
      });
      expect(response.status).toBe(401);
      const body: unknown = await response.json();
      expect(body).toMatchObject({ error: "invalid_client", error_codes: [7000215] });
      expect(JSON.stringify(body)).not.toContain("wrong-secret-value");
    });
  });

  describe("authentication on Graph", () => {
    it("answers 401 InvalidAuthenticationToken without a token, or with a forged one", async () => {
      for (const authorization of [undefined, "Bearer eyJhbGciOi.forged.token"]) {
        const response = await fetch(`${graph.graphBaseUrl}/v1.0/${list}`, {
          headers: authorization ? { authorization } : {},
        });
        expect(response.status).toBe(401);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe("InvalidAuthenticationToken");
      }
    });
  });

  describe("items", () => {
    it("pages by $skiptoken = base64(Paged=TRUE&p_ID=n) with absolute https nextLinks keeping the other parameters", async () => {
      const first = await graph.call("GET", `${list}/items?$expand=fields($select=Title)&$top=12`);
      expect(first.body.value.map((i: { id: string }) => i.id)).toEqual(
        Array.from({ length: 12 }, (_, i) => String(i + 1)),
      );
      const next: string = first.body["@odata.nextLink"];
      expect(next).toMatch(
        new RegExp(
          `^${graph.graphBaseUrl}/v1\\.0/sites/.+/items\\?\\$expand=fields\\(\\$select=Title\\)&\\$top=12&\\$skiptoken=`,
        ),
      );
      expect(decodeURIComponent(next.split("$skiptoken=")[1]!)).toBe(
        Buffer.from("Paged=TRUE&p_ID=12").toString("base64").replace(/=+$/, ""),
      );
      const second = await graph.call("GET", next);
      expect(second.body.value[0].id).toBe("13");
      expect(second.body.value[0].fields).toEqual({ "@odata.etag": second.body.value[0].eTag, Title: "Item 13" });
    });

    it("uses 200 as the default page size and caps $top at 5,000", async () => {
      await graph.admin("PATCH", "settings", { defaultPageSize: 7, maxPageSize: 10 });
      try {
        expect((await graph.call("GET", `${list}/items`)).body.value).toHaveLength(7);
        expect((await graph.call("GET", `${list}/items?$top=25`)).body.value).toHaveLength(10);
      } finally {
        await graph.admin("PATCH", "settings", { defaultPageSize: 200, maxPageSize: 5000 });
      }
      expect((await graph.call("GET", `${list}/items?$top=7600`)).body.value).toHaveLength(30);
    });

    it("filters on indexed columns, and refuses non-indexed ones without the Prefer header", async () => {
      const indexed = await graph.call(
        "GET",
        `${list}/items?$expand=fields&$filter=${encodeURIComponent("fields/Code eq 'C00007'")}`,
      );
      expect(indexed.body.value.map((i: { id: string }) => i.id)).toEqual(["7"]);

      const refused = await graph.call(
        "GET",
        `${list}/items?$filter=${encodeURIComponent("startswith(fields/Title,'Item 2')")}`,
      );
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toContain("cannot be referenced in filter or orderby as it is not indexed");

      const honoured = await graph.call(
        "GET",
        `${list}/items?$filter=${encodeURIComponent("startswith(fields/Title,'Item 2') and fields/Amount gt 40")}`,
        {
          headers: { Prefer: "HonorNonIndexedQueriesWarningMayFailRandomly" },
        },
      );
      expect(honoured.body.value.map((i: { id: string }) => i.id)).toEqual(["27", "28", "29"]);
    });

    it('creates with 201, an absolute Location and the full item; eTags are "{guid},{version}"', async () => {
      const created = await graph.call("POST", `${list}/items`, { body: { fields: { Title: "Widget", Amount: 32 } } });
      expect(created.status).toBe(201);
      expect(created.headers.get("location")).toBe(`${graph.graphBaseUrl}/v1.0/${list}/items/${created.body.id}`);
      expect(created.body.eTag).toMatch(/^"[0-9a-f-]{36},1"$/);
      expect(created.body.fields).toMatchObject({
        Title: "Widget",
        Amount: 32,
        "@odata.etag": created.body.eTag,
        _UIVersionString: "1.0",
      });
      expect(created.body.lastModifiedBy.application).toEqual({
        id: TEST_CLIENT_ID,
        displayName: "ConfluenceSync tests",
      });

      const patched = await graph.call("PATCH", `${list}/items/${created.body.id}/fields`, {
        body: { Amount: 33 },
        headers: { "If-Match": created.body.eTag },
      });
      expect(patched.status).toBe(200);
      // The whole fieldValueSet after the update, not only the changed keys.
      expect(patched.body).toMatchObject({ Title: "Widget", Amount: 33, _UIVersionString: "2.0" });
      expect(patched.body["@odata.etag"]).toBe(created.body.eTag.replace(/,1"$/, ',2"'));

      const stale = await graph.call("DELETE", `${list}/items/${created.body.id}`, {
        headers: { "If-Match": created.body.eTag },
      });
      expect(stale.status).toBe(412);
      expect(stale.body.error).toMatchObject({
        code: "resourceModified",
        innerError: {
          "request-id": expect.any(String),
          date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
        },
      });
      expect(
        (
          await graph.call("DELETE", `${list}/items/${created.body.id}`, {
            headers: { "If-Match": patched.body["@odata.etag"] },
          })
        ).status,
      ).toBe(204);
      expect((await graph.call("GET", `${list}/items/${created.body.id}`)).status).toBe(404);
    });

    it("validates field writes as SharePoint does through Graph", async () => {
      const write = (fields: Record<string, unknown>, headers: Record<string, string> = {}) =>
        graph.call("PATCH", `${list}/items/5/fields`, { body: fields, headers });
      const refused = async (fields: Record<string, unknown>) => {
        const response = await write(fields);
        expect(response.status, JSON.stringify(fields)).toBe(400);
        return response.body.error as { code: string; message: string };
      };
      expect(await refused({ Colour: "x" })).toMatchObject({
        code: "invalidRequest",
        message: "Field 'Colour' is not recognized",
      });
      expect((await refused({ Tags: ["red"] })).message).toContain("A value without a type name was found");
      expect((await refused({ Tags: "red;blue" })).code).toBe("generalException");
      expect((await refused({ ReviewersLookupId: [11, 12] })).message).toContain(
        "A value without a type name was found",
      );
      // Hyperlinks (the hyperlinkWrites setting): the object only with Prefer: apiversion=2.1, the text form never.
      expect((await refused({ Link: { Url: "https://example.com", Description: "Example" } })).message).toBe(
        "Invalid request",
      );
      expect((await refused({ Link: "https://example.com, Example" })).message).toBe("Invalid request");
      expect((await refused({ Modified: "2020-01-01T00:00:00Z" })).message).toBe("Field 'Modified' is read-only");
      expect((await refused({ Amount: "lots" })).code).toBe("invalidRequest");

      const accepted = await write(
        {
          "Tags@odata.type": "Collection(Edm.String)",
          Tags: ["red", "blue"],
          "ReviewersLookupId@odata.type": "Collection(Edm.Int32)",
          ReviewersLookupId: [11, 12],
          OwnerLookupId: 12,
          Link: { Url: "https://example.com", Description: "Example" },
        },
        { Prefer: "apiversion=2.1" },
      );
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({
        Tags: ["red", "blue"],
        Reviewers: [
          { LookupId: 11, LookupValue: "Megan Bowen", Email: "MeganB@contoso.onmicrosoft.com" },
          { LookupId: 12, LookupValue: "Alex Wilber", Email: "AlexW@contoso.onmicrosoft.com" },
        ],
        OwnerLookupId: "12",
        Link: { Description: "Example", Url: "https://example.com" },
      });
      expect(accepted.body).not.toHaveProperty("Owner");
      // The display value of a single person/lookup comes only when selected by name.
      const selected = await graph.call("GET", `${list}/items/5?$expand=fields($select=Owner,OwnerLookupId)`);
      expect(selected.body.fields).toMatchObject({ Owner: "Alex Wilber", OwnerLookupId: "12" });
    });

    it("lists columns in real columnDefinition shapes: no hyperlink facet, system columns read-only", async () => {
      const columns = (await graph.call("GET", `${list}/columns`)).body.value as Array<Record<string, unknown>>;
      const link = columns.find((c) => c.name === "Link")!;
      expect(link).not.toHaveProperty("hyperlinkOrPicture");
      expect(
        ["text", "number", "choice", "boolean", "dateTime", "personOrGroup", "lookup"].some((facet) => facet in link),
      ).toBe(false);
      expect(columns.find((c) => c.name === "Editor")).toMatchObject({
        readOnly: true,
        personOrGroup: expect.any(Object),
      });
      expect(columns.some((c) => c.hidden)).toBe(false);
      const withHidden = (await graph.call("GET", `${list}/columns?$select=name,hidden`)).body.value as Array<
        Record<string, unknown>
      >;
      expect(withHidden.some((c) => c.name === "ItemChildCount")).toBe(true);
    });
  });

  describe("delta", () => {
    it("serves token=latest, changes since a token with deletions, replays, and 410 with Location after expiry", async () => {
      const latest = await graph.call("GET", `${list}/items/delta?token=latest`);
      expect(latest.body.value).toEqual([]);
      const link: string = latest.body["@odata.deltaLink"];
      expect(link).toMatch(/^https:\/\/localhost:\d+\/v1\.0\/.+\/items\/delta\?token=[A-Za-z0-9_-]+$/);

      await graph.admin("PATCH", `${adminItems}/10`, { fields: { Title: "Ten" } });
      await graph.admin("DELETE", `${adminItems}/11`);
      const changes = await graph.call("GET", link);
      // A deletion takes OData's deleted-resource path by default (the `deltaDeletion` setting).
      expect(changes.body.value).toEqual([
        expect.objectContaining({ id: "10", eTag: expect.stringMatching(/,2"$/) }),
        { id: "11", "@removed": { reason: "deleted" } },
      ]);
      // No fields unless the first call asked for them; no lastModifiedBy in delta.
      expect(changes.body.value[0]).not.toHaveProperty("fields");
      expect(changes.body.value[0]).not.toHaveProperty("lastModifiedBy");
      // Replays are allowed: the same token gives the same answer.
      expect((await graph.call("GET", link)).body.value.map((v: { id: string }) => v.id)).toEqual(["10", "11"]);

      await graph.admin("POST", "delta/expire");
      const gone = await graph.call("GET", link);
      expect(gone.status).toBe(410);
      expect(gone.body.error.code).toBe("resyncChangesApplyDifferences");
      const restart = gone.headers.get("location")!;
      expect(restart).toMatch(/^https:\/\/localhost:\d+\/v1\.0\/.+\/items\/delta\?token=/);
      const enumeration = await graph.call("GET", restart);
      expect(enumeration.status).toBe(200);
      expect(enumeration.body.value.some((v: { id: string }) => v.id === "11")).toBe(false);
    });

    it("shows a deletion in the shape the deltaDeletion setting names, the observed error entry included", async () => {
      const link = (await graph.call("GET", `${list}/items/delta?token=latest`)).body["@odata.deltaLink"] as string;
      await graph.admin("DELETE", `${adminItems}/12`);
      const entry = async (shape: string) => {
        await graph.admin("PATCH", "settings", { deltaDeletion: shape });
        const page = await graph.call("GET", link);
        expect(page.status).toBe(200);
        expect(page.body["@odata.deltaLink"]).toEqual(expect.any(String));
        return page.body.value[0];
      };
      try {
        expect(await entry("deletedFacet")).toEqual({
          id: "12",
          parentReference: { siteId: TEST_SITE_ID },
          contentType: expect.any(Object),
          deleted: { state: "deleted" },
        });
        expect(await entry("withoutFields")).toEqual({ id: "12" });
        expect(await entry("errorEntry")).toEqual({
          error: {
            code: "InternalServerError",
            message: expect.stringContaining("Cannot write a deleted resource"),
            innerError: expect.objectContaining({ "request-id": expect.any(String) }),
          },
        });
      } finally {
        await graph.admin("PATCH", "settings", { deltaDeletion: null });
      }
    });
  });

  describe("$batch", () => {
    const get = (id: string, itemId = 1) => ({ id, method: "GET", url: `/${list}/items/${itemId}` });

    it("refuses more than 20 requests, duplicate ids (case-insensitive) and a body without Content-Type", async () => {
      const tooMany = await graph.call("POST", "$batch", {
        body: { requests: Array.from({ length: 21 }, (_, i) => get(`r${i}`)) },
      });
      expect(tooMany.status).toBe(400);
      const duplicate = await graph.call("POST", "$batch", { body: { requests: [get("a"), get("A")] } });
      expect(duplicate.status).toBe(400);
      const noHeaders = await graph.call("POST", "$batch", {
        body: { requests: [{ id: "1", method: "PATCH", url: `/${list}/items/1/fields`, body: { Title: "x" } }] },
      });
      expect(noHeaders.status).toBe(400);
      expect(noHeaders.body.error.message).toContain("does not contain Content-Type header");
    });

    it("answers 424 for requests depending on a failed one, and logs sub-requests under the batch", async () => {
      const response = await graph.call("POST", "$batch", {
        body: { requests: [get("1", 999), { ...get("2", 2), dependsOn: ["1"] }, get("3", 3)] },
      });
      expect(response.status).toBe(200);
      const byId = Object.fromEntries(
        response.body.responses.map((r: { id: string; status: number }) => [r.id, r.status]),
      );
      expect(byId).toEqual({ "1": 404, "2": 424, "3": 200 });

      const log = (await graph.admin("GET", "requests")).body as Array<{
        seq: number;
        path: string;
        parentSeq?: number;
      }>;
      const batch = log.find((e) => e.path === "/v1.0/$batch")!;
      expect(
        log
          .filter((e) => e.parentSeq === batch.seq)
          .map((e) => e.path)
          .sort(),
      ).toEqual([`/v1.0/${list}/items/3`, `/v1.0/${list}/items/999`]);
    });

    it("throttles sub-requests with 429 + Retry-After inside an outer 200 once the resource-unit budget is spent", async () => {
      await graph.admin("PATCH", "settings", { resourceUnitsPerMinute: 10 });
      try {
        await graph.admin("POST", "clock", { advanceSeconds: 61 }); // a fresh one-minute window
        // Five single-item GETs cost 1 RU each; five writes cost 2 each: the writes run out of budget.
        const requests = [
          ...Array.from({ length: 5 }, (_, i) => get(`g${i}`, i + 1)),
          ...Array.from({ length: 5 }, (_, i) => ({
            id: `w${i}`,
            method: "PATCH",
            url: `/${list}/items/${i + 1}/fields`,
            headers: { "Content-Type": "application/json" },
            body: { Title: `w${i}` },
          })),
        ];
        const response = await graph.call("POST", "$batch", { body: { requests } });
        expect(response.status).toBe(200);
        const throttled = response.body.responses.filter((r: { status: number }) => r.status === 429);
        expect(throttled.length).toBeGreaterThan(0);
        expect(Number(throttled[0].headers["Retry-After"])).toBeGreaterThan(0);
        expect(throttled[0].body.error.code).toBe("TooManyRequests");
        expect(
          response.body.responses.filter((r: { status: number }) => r.status === 200).length + throttled.length,
        ).toBe(10);
      } finally {
        await graph.admin("PATCH", "settings", { resourceUnitsPerMinute: null });
        await graph.admin("POST", "clock", { advanceSeconds: 61 });
      }
    });

    it("applies injected faults to sub-requests too", async () => {
      await graph.admin("POST", "faults", { method: "GET", path: "/items/2$", status: 503, retryAfter: 4 });
      const response = await graph.call("POST", "$batch", { body: { requests: [get("1", 1), get("2", 2)] } });
      const second = response.body.responses.find((r: { id: string }) => r.id === "2");
      expect(second).toMatchObject({
        status: 503,
        headers: { "Retry-After": "4" },
        body: { error: { code: "serviceNotAvailable" } },
      });
    });
  });

  describe("subscriptions", () => {
    it("refuses other change types, too-long lifetimes, long clientStates and plain-http URLs with 400", async () => {
      // The emulator clock may have been moved by earlier tests: lifetimes count from its "now".
      const now = Date.parse((await graph.admin("GET", "state")).body.now);
      const base = {
        changeType: "updated",
        notificationUrl: "https://localhost:1/hook",
        resource: list,
        expirationDateTime: new Date(now + 3600_000).toISOString(),
        clientState: "abc",
      };
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ ...base, changeType: "created" }, "Invalid 'changeType' attribute: 'created'."],
        [{ ...base, expirationDateTime: new Date(now + 42_301 * 60_000).toISOString() }, "42300 minutes"],
        [{ ...base, clientState: "x".repeat(129) }, "128 characters"],
        [{ ...base, notificationUrl: "http://localhost:1/hook" }, "HTTPS"],
      ];
      for (const [body, message] of cases) {
        const response = await graph.call("POST", "subscriptions", { body });
        expect(response.status).toBe(400);
        expect(response.body.error.message).toContain(message);
      }
    });
  });
});

describe("Graph seed validation", () => {
  it("names the bad path of an invalid seed", async () => {
    const seed = buildGraphSeed({ itemCount: 2 }).graph as unknown as {
      sites: Array<{ lists: Array<{ items: Array<{ id: string; fields: Record<string, unknown> }> }> }>;
    };
    seed.sites[0]!.lists[0]!.items[1]!.id = "two";
    const certificate = await generateEmulatorCertificate();
    await expect(startGraphEmulator(seed, { certificate })).rejects.toThrow(
      /graph\.sites\[0\]\.lists\[0\]\.items\[1\]\.id: item ids are SharePoint integer ids/,
    );

    seed.sites[0]!.lists[0]!.items[1]!.id = "2";
    seed.sites[0]!.lists[0]!.items[1]!.fields = { Colour: "red" };
    await expect(startGraphEmulator(seed, { certificate })).rejects.toThrow(
      /graph\.sites\[0\]\.lists\[0\]\.items\[1\]\.fields: Field 'Colour' is not recognized/,
    );
  });
});

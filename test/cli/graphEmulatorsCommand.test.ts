import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServedEmulators, serveEmulatorsFromCli } from "../helpers/cli";
import {
  buildGraphSeed,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_LIST_ID,
  TEST_SITE_ID,
  TEST_TENANT_ID,
} from "../helpers/graphSeed";

describe("`confluence-sync emulators` serving the Graph + identity emulators", () => {
  let served: ServedEmulators<{ graph: { graphBaseUrl: string; authorityHost: string } }>;
  let ports: (typeof served)["ports"];

  beforeAll(async () => {
    served = await serveEmulatorsFromCli(buildGraphSeed({ itemCount: 3 }));
    ports = served.ports;
  });

  afterAll(() => served.stop());

  it("writes the graph URLs to the ports file and answers curl-style calls: token, then list items", async () => {
    expect(ports.graph).toEqual({
      graphBaseUrl: expect.stringMatching(/^https:\/\/localhost:\d+$/),
      authorityHost: expect.stringMatching(/^https:\/\/localhost:\d+$/),
    });

    // curl -X POST "$AUTHORITY/$TENANT/oauth2/v2.0/token" -d grant_type=client_credentials -d client_id=… -d client_secret=… -d scope=https://graph.microsoft.com/.default
    const tokenResponse = await fetch(`${ports.graph.authorityHost}/${TEST_TENANT_ID}/oauth2/v2.0/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: TEST_CLIENT_ID,
        client_secret: TEST_CLIENT_SECRET,
        scope: "https://graph.microsoft.com/.default",
      }),
    });
    expect(tokenResponse.status).toBe(200);
    const token = (await tokenResponse.json()) as { token_type: string; access_token: string; expires_in: number };
    expect(token).toMatchObject({ token_type: "Bearer", expires_in: 3599 });

    // curl -H "Authorization: Bearer $TOKEN" "$GRAPH/v1.0/sites/$SITE/lists/$LIST/items?expand=fields"
    const items = await fetch(
      `${ports.graph.graphBaseUrl}/v1.0/sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}/items?expand=fields`,
      {
        headers: { authorization: `Bearer ${token.access_token}` },
      },
    );
    expect(items.status).toBe(200);
    expect(items.headers.get("request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await items.json()) as { value: Array<{ id: string; fields: { Title: string } }> };
    expect(body.value.map((i) => [i.id, i.fields.Title])).toEqual([
      ["1", "Item 1"],
      ["2", "Item 2"],
      ["3", "Item 3"],
    ]);
  });
});

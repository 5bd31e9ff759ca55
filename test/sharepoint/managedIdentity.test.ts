import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_ENDPOINTS } from "../../dev/emulators/emulatorEndpoints";
import { InMemorySecretsProvider } from "../../shared/secrets/inMemorySecretsProvider";
import { SharePointClient } from "../../shared/sharepoint";
import { startTestGraph, type TestGraph } from "../helpers/graphEmulator";
import { buildGraphSeed, TEST_LIST_ID, TEST_SITE_ID } from "../helpers/graphSeed";

// Its own file: ManagedIdentityCredential reads IDENTITY_ENDPOINT / IDENTITY_HEADER from the process environment.
describe("SharePointClient with the Function App's managed identity", () => {
  let graph: TestGraph;
  const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

  beforeAll(async () => {
    graph = await startTestGraph(buildGraphSeed({ itemCount: 3, withManagedIdentity: true }));
    process.env.IDENTITY_ENDPOINT = `${graph.authorityHost}/msi/token`;
    process.env.IDENTITY_HEADER = "test-identity-header";
  });
  afterAll(async () => {
    for (const [name, value] of [
      ["IDENTITY_ENDPOINT", saved.endpoint],
      ["IDENTITY_HEADER", saved.header],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await graph.close();
  });

  it("gets its token from the App Service identity endpoint; no profile secrets needed", async () => {
    const sp = await SharePointClient.forProfile(
      {
        key: "projects",
        sharePoint: { siteId: TEST_SITE_ID, listId: TEST_LIST_ID, auth: { mode: "managedIdentity" } },
        endpoints: { graphBaseUrl: graph.graphBaseUrl },
      },
      new InMemorySecretsProvider(),
      { endpoints: EMULATOR_ENDPOINTS },
    );
    const pages = [];
    for await (const page of sp.readItems()) pages.push(page.map((item) => item.id));
    expect(pages).toEqual([["1", "2", "3"]]);
    // Writes are attributed to the managed identity's application.
    const [outcome] = await sp.applyWrites([{ kind: "update", itemId: "1", fields: { Title: "by the app" } }]);
    expect(outcome?.kind).toBe("applied");
    const item = await graph.call("GET", `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}/items/1`);
    expect(item.body.lastModifiedBy.application).toEqual({
      id: "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
      displayName: "ConfluenceSync (managed identity)",
    });

    // The token was asked for the endpoint's own host: never a Graph token for a host that is not Graph.
    const resources = graph.emulator.identity.requestLog
      .entries()
      .filter((entry) => entry.path === "/msi/token")
      .map((entry) => new URLSearchParams(entry.query).get("resource"));
    expect(resources.length).toBeGreaterThan(0);
    for (const resource of resources) expect(resource).toBe(graph.graphBaseUrl);
  });
});

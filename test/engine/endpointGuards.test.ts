import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfluenceEmulator } from "../../dev/emulators/confluence/confluenceEmulator";
import { EndpointAllowlist, type Profile, profileSchema } from "../../shared/config";
import { ProfileConnections } from "../../shared/engine/profileConnections";
import { InMemorySecretsProvider, type SecretsProvider } from "../../shared/secrets";
import { startTestConfluence, TEST_CLIENT_SECRET, testSeed } from "../helpers/confluenceSite";
import { PROFILE, profileSecretValues } from "../helpers/confluenceStack";
import { startTestGraph, type TestGraph } from "../helpers/graphEmulator";
import { buildGraphSeed, TEST_CLIENT_ID, TEST_LIST_ID, TEST_SITE_ID, TEST_TENANT_ID } from "../helpers/graphSeed";

/**
 * The run-time guard: a profile someone wrote straight into the profiles table (no import, no validation), pointing
 * the app's credentials at a host the deployment does not allow. Here the "attackers" are emulators on localhost, and
 * the deployment allows localhost for one service only; whatever the profile says, nothing reaches the other.
 */
describe("endpoints at run time", () => {
  let attackerConfluence: ConfluenceEmulator;
  let attackerGraph: TestGraph;
  beforeAll(async () => {
    attackerConfluence = await startTestConfluence(testSeed());
    attackerGraph = await startTestGraph(buildGraphSeed({ itemCount: 1 }));
  });
  afterAll(async () => {
    await attackerConfluence.close();
    await attackerGraph.close();
  });

  /** Records which secrets were read: a guarded profile gets none of them read. */
  function spyingSecrets(): SecretsProvider & { reads: string[] } {
    const inner = new InMemorySecretsProvider({
      [PROFILE]: {
        ...profileSecretValues()[PROFILE]!,
        GraphTenantId: TEST_TENANT_ID,
        GraphClientId: TEST_CLIENT_ID,
        GraphClientSecret: "graph-client-secret-value",
      },
    });
    const reads: string[] = [];
    return {
      reads,
      get: async (key, name) => {
        reads.push(name);
        return inner.get(key, name);
      },
      set: (key, name, value) => inner.set(key, name, value),
      listNames: (key) => inner.listNames(key),
      delete: (key, name) => inner.delete(key, name),
    };
  }

  function plantedProfile(endpoints: Profile["endpoints"]): Profile {
    return profileSchema.parse({
      key: PROFILE,
      sharePoint: { siteId: TEST_SITE_ID, listId: TEST_LIST_ID },
      confluence: { cloudId: "cloud-1", target: { mode: "table", pageId: "98306" } },
      fields: [{ sharePoint: "Title", confluence: "Name" }],
      endpoints,
    });
  }

  it("sends no Atlassian credential to a Confluence endpoint off the allowlist", async () => {
    const secrets = spyingSecrets();
    // Graph and sign-in may be local (an emulator deployment), Atlassian may not.
    const endpoints = new EndpointAllowlist({
      graph: ["localhost"],
      login: ["localhost"],
      atlassian: ["auth.atlassian.com", "api.atlassian.com"],
    });
    const connections = new ProfileConnections({ secrets, endpoints });
    const profile = plantedProfile({
      confluenceAuthBaseUrl: attackerConfluence.urls.authBaseUrl,
      confluenceApiBaseUrl: attackerConfluence.urls.apiBaseUrl,
    });
    const error = await connections
      .confluence(profile)
      .then((client) => client.getPage("98306"))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: "ENDPOINT_NOT_ALLOWED",
      profileKey: PROFILE,
      path: "endpoints.confluenceAuthBaseUrl",
      transient: false,
    });
    expect(attackerConfluence.server.requestLog.entries()).toEqual([]);
    expect(secrets.reads).toEqual([]);
    expect(String(error)).not.toContain(TEST_CLIENT_SECRET);
  });

  it("requests no Graph token for, and sends none to, a Graph endpoint off the allowlist", async () => {
    const secrets = spyingSecrets();
    const endpoints = new EndpointAllowlist({
      graph: ["graph.microsoft.com"],
      login: ["localhost"],
      atlassian: ["localhost"],
    });
    const connections = new ProfileConnections({ secrets, endpoints });
    const profile = plantedProfile({
      graphBaseUrl: attackerGraph.graphBaseUrl,
      authorityHost: attackerGraph.authorityHost,
    });
    const error = await connections
      .sharePoint(profile)
      .then((client) => client.columns())
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "ENDPOINT_NOT_ALLOWED", path: "endpoints.graphBaseUrl" });
    expect(attackerGraph.emulator.graph.requestLog.entries()).toEqual([]);
    expect(attackerGraph.emulator.identity.requestLog.entries()).toEqual([]);
    expect(secrets.reads).toEqual([]);
  });

  it("refuses an endpoint that turned bad after its connection was first opened in this process", async () => {
    const secrets = spyingSecrets();
    const connections = new ProfileConnections({ secrets, endpoints: EndpointAllowlist.only("localhost") });
    const good = plantedProfile({
      graphBaseUrl: attackerGraph.graphBaseUrl,
      authorityHost: attackerGraph.authorityHost,
    });
    await connections.sharePoint(good);
    const edited = { ...good, endpoints: { ...good.endpoints, graphBaseUrl: "https://graph.attacker.example" } };
    await expect(connections.sharePoint(edited)).rejects.toMatchObject({ code: "ENDPOINT_NOT_ALLOWED" });
  });
});

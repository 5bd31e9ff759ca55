import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EMULATOR_ENDPOINTS } from "../../dev/emulators/emulatorEndpoints";
import { InMemorySecretsProvider } from "../../shared/secrets/inMemorySecretsProvider";
import {
  changeNotificationCollectionSchema,
  GraphError,
  hasExpectedClientState,
  SharePointClient,
  type SubscriptionManager,
} from "../../shared/sharepoint";
import { SubscriptionStore } from "../../shared/state/subscriptionStore";
import { startTestGraph, type TestGraph } from "../helpers/graphEmulator";
import {
  buildGraphSeed,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_LIST_ID,
  TEST_SITE_ID,
  TEST_TENANT_ID,
} from "../helpers/graphSeed";
import { NotificationListener } from "../helpers/notificationListener";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";

describe("webhook subscriptions against the Graph emulator", () => {
  let graph: TestGraph;
  let listener: NotificationListener;
  let store: SubscriptionStore;
  let subscriptions: SubscriptionManager;

  beforeAll(async () => {
    graph = await startTestGraph(
      buildGraphSeed({
        itemCount: 5,
        settings: { notificationRetry: { initialDelayMs: 20, maxDelayMs: 40, maxDurationMs: 5_000 } },
      }),
    );
    listener = await NotificationListener.start();
    store = await SubscriptionStore.open(azuriteLocation(), uniqueTablePrefix("subs"));
    const secrets = new InMemorySecretsProvider({
      projects: { GraphTenantId: TEST_TENANT_ID, GraphClientId: TEST_CLIENT_ID, GraphClientSecret: TEST_CLIENT_SECRET },
    });
    const client = await SharePointClient.forProfile(
      {
        key: "projects",
        sharePoint: { siteId: TEST_SITE_ID, listId: TEST_LIST_ID, auth: { mode: "clientSecret" } },
        endpoints: { graphBaseUrl: graph.graphBaseUrl, authorityHost: graph.authorityHost },
      },
      secrets,
      { subscriptionStore: store, retry: { initialDelayMs: 5, maxDelayMs: 20 }, endpoints: EMULATOR_ENDPOINTS },
    );
    subscriptions = client.subscriptions!;
  });
  afterAll(async () => {
    await graph.close();
    await listener.close();
  });
  beforeEach(() => {
    listener.validation = "echo";
    listener.failures.clear();
  });

  it("creates a subscription after the validation handshake and stores its generated clientState", async () => {
    const record = await subscriptions.create(
      "projects",
      { siteId: TEST_SITE_ID, listId: TEST_LIST_ID },
      {
        notificationUrl: listener.url("/api/notify?code=fn-key"),
        lifecycleNotificationUrl: listener.url("/api/lifecycle"),
      },
    );

    // Graph POSTed both URLs with a URL-encoded token the listener had to decode and echo as text/plain.
    const handshakes = listener.calls.filter((c) => c.validationToken !== undefined);
    expect(handshakes.map((c) => c.path).sort()).toEqual(["/api/lifecycle", "/api/notify"]);
    expect(handshakes[0]!.validationToken).toMatch(/^Validation: Testing client application reachability/);
    expect(handshakes[0]!.contentType).toMatch(/^text\/plain/);

    expect(record.clientState).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(record.resource).toBe(`sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}`);
    expect(Date.parse(record.expirationDateTime) - Date.now()).toBeLessThanOrEqual(42_300 * 60_000);
    expect(await store.get(record.subscriptionId)).toEqual(record);
    const other = await subscriptions.create(
      "projects",
      { siteId: TEST_SITE_ID, listId: TEST_LIST_ID },
      { notificationUrl: listener.url("/api/notify2") },
    );
    expect(other.clientState).not.toBe(record.clientState);
    expect((await store.listByProfile("projects")).map((r) => r.subscriptionId).sort()).toEqual(
      [record.subscriptionId, other.subscriptionId].sort(),
    );
    await subscriptions.delete(other.subscriptionId);
    await subscriptions.delete(record.subscriptionId);
  });

  it("delivers a change notification without item data after a person edits an item", async () => {
    const record = await subscriptions.create(
      "projects",
      { siteId: TEST_SITE_ID, listId: TEST_LIST_ID },
      { notificationUrl: listener.url("/hooks/edit") },
    );
    await graph.admin("PATCH", `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}/items/2`, {
      fields: { Title: "Edited by a person" },
    });
    await listener.until(() => listener.notifications("/hooks/edit").length > 0);

    const [body] = listener.notifications("/hooks/edit");
    const [notification] = changeNotificationCollectionSchema.parse(body).value;
    expect(notification).toEqual({
      subscriptionId: record.subscriptionId,
      subscriptionExpirationDateTime: record.expirationDateTime,
      tenantId: TEST_TENANT_ID,
      clientState: record.clientState,
      changeType: "updated",
      resource: `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}`,
      resourceData: { "@odata.type": "#Microsoft.Graph.ListItem" },
    });
    expect(hasExpectedClientState(notification!, (await store.get(record.subscriptionId))!.clientState)).toBe(true);
    expect(hasExpectedClientState({ ...notification!, clientState: "forged" }, record.clientState)).toBe(false);
    await subscriptions.delete(record.subscriptionId);
  });

  it("redelivers a notification the endpoint answered with non-2xx, with backoff", async () => {
    const record = await subscriptions.create(
      "projects",
      { siteId: TEST_SITE_ID, listId: TEST_LIST_ID },
      { notificationUrl: listener.url("/hooks/flaky") },
    );
    listener.failures.set("/hooks/flaky", 2);
    await graph.admin("DELETE", `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}/items/3`);
    await listener.until(() => listener.notifications("/hooks/flaky").length === 3);

    const state = (await graph.admin("GET", "state")).body;
    const attempts = state.deliveries.filter(
      (d: { subscriptionId: string; kind: string }) =>
        d.subscriptionId === record.subscriptionId && d.kind === "notification",
    );
    expect(attempts.map((d: { attempt: number; status: number }) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 202],
    ]);
    await subscriptions.delete(record.subscriptionId);
  });

  it("is refused with Graph's 400 when the endpoint echoes a wrong token, answers HTML or is too slow; nothing is stored", async () => {
    await graph.admin("PATCH", "settings", { validationTimeoutMs: 100 });
    for (const mode of ["wrongToken", "html", "slow"] as const) {
      listener.validation = mode;
      const error = await subscriptions
        .create(
          "refused",
          { siteId: TEST_SITE_ID, listId: TEST_LIST_ID },
          { notificationUrl: listener.url(`/hooks/${mode}`) },
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GraphError);
      expect(error).toMatchObject({ code: "GRAPH_BAD_REQUEST", status: 400, graphCode: "InvalidRequest" });
      expect((error as Error).message).toContain("Subscription validation request failed");
    }
    await graph.admin("PATCH", "settings", { validationTimeoutMs: 10_000 });
    expect(await store.listByProfile("refused")).toEqual([]);
  });

  it("asks for less than Graph's maximum, and a day less again when a clock ahead of Graph's is refused", async () => {
    const graphNow = async () => Date.parse(((await graph.admin("GET", "state")).body as { now: string }).now);
    const managerAhead = async (aheadMs: number) => {
      const offset = (await graphNow()) + aheadMs - Date.now();
      const secrets = new InMemorySecretsProvider({
        projects: {
          GraphTenantId: TEST_TENANT_ID,
          GraphClientId: TEST_CLIENT_ID,
          GraphClientSecret: TEST_CLIENT_SECRET,
        },
      });
      const client = await SharePointClient.forProfile(
        {
          key: "projects",
          sharePoint: { siteId: TEST_SITE_ID, listId: TEST_LIST_ID, auth: { mode: "clientSecret" } },
          endpoints: { graphBaseUrl: graph.graphBaseUrl, authorityHost: graph.authorityHost },
        },
        secrets,
        {
          subscriptionStore: store,
          clock: { now: () => Date.now() + offset },
          retry: { initialDelayMs: 5 },
          endpoints: EMULATOR_ENDPOINTS,
        },
      );
      return client.subscriptions!;
    };
    const posts = () =>
      graph.emulator.graph.requestLog
        .entries()
        .filter((entry) => entry.method === "POST" && entry.path === "/v1.0/subscriptions")
        .map((entry) => entry.status);
    const list = { siteId: TEST_SITE_ID, listId: TEST_LIST_ID };

    // A clock 20 minutes ahead of Graph's: the margin absorbs it.
    graph.emulator.graph.requestLog.clear();
    const slightly = await (await managerAhead(20 * 60_000)).create("projects", list, {
      notificationUrl: listener.url("/hooks/ahead"),
    });
    expect(posts()).toEqual([201]);
    expect(Date.parse(slightly.expirationDateTime) - (await graphNow())).toBeLessThanOrEqual(42_300 * 60_000);

    // Two hours ahead: the first ask is refused (400) and the one a day shorter is granted.
    graph.emulator.graph.requestLog.clear();
    const far = await (await managerAhead(2 * 3600_000)).create("projects", list, {
      notificationUrl: listener.url("/hooks/far-ahead"),
    });
    expect(posts()).toEqual([400, 201]);
    expect(await store.get(far.subscriptionId)).toEqual(far);
  });

  it("renews, deletes, and reports a subscription Graph no longer has as notFound", async () => {
    const record = await subscriptions.create(
      "projects",
      { siteId: TEST_SITE_ID, listId: TEST_LIST_ID },
      { notificationUrl: listener.url("/hooks/renew"), expiresInMinutes: 60 },
    );
    const renewed = await subscriptions.renew(record.subscriptionId, 120);
    expect(renewed.kind).toBe("renewed");
    if (renewed.kind !== "renewed") return;
    expect(Date.parse(renewed.record.expirationDateTime)).toBeGreaterThan(Date.parse(record.expirationDateTime));
    expect((await store.get(record.subscriptionId))?.expirationDateTime).toBe(renewed.record.expirationDateTime);

    await subscriptions.delete(record.subscriptionId);
    expect(await store.get(record.subscriptionId)).toBeUndefined();
    expect((await graph.call("GET", `subscriptions/${record.subscriptionId}`)).status).toBe(404);

    // Expired in Graph (the emulator clock moved past it): renewal says so and drops the stale record.
    const short = await subscriptions.create(
      "projects",
      { siteId: TEST_SITE_ID, listId: TEST_LIST_ID },
      { notificationUrl: listener.url("/hooks/short"), expiresInMinutes: 5 },
    );
    await graph.admin("POST", "clock", { advanceSeconds: 600 });
    expect(await subscriptions.renew(short.subscriptionId)).toEqual({
      kind: "notFound",
      subscriptionId: short.subscriptionId,
    });
    expect(await store.get(short.subscriptionId)).toBeUndefined();
  });

  it("sends reauthorizationRequired lifecycle events to the lifecycle URL", async () => {
    const record = await subscriptions.create(
      "projects",
      { siteId: TEST_SITE_ID, listId: TEST_LIST_ID },
      {
        notificationUrl: listener.url("/hooks/main"),
        lifecycleNotificationUrl: listener.url("/hooks/lifecycle"),
      },
    );
    expect(
      (
        await graph.admin("POST", `subscriptions/${record.subscriptionId}/lifecycle`, {
          lifecycleEvent: "reauthorizationRequired",
        })
      ).status,
    ).toBe(202);
    await listener.until(() => listener.notifications("/hooks/lifecycle").length > 0);
    expect(listener.notifications("/hooks/lifecycle")[0]!.value[0]).toEqual({
      subscriptionId: record.subscriptionId,
      subscriptionExpirationDateTime: record.expirationDateTime,
      tenantId: TEST_TENANT_ID,
      clientState: record.clientState,
      lifecycleEvent: "reauthorizationRequired",
    });
    await subscriptions.delete(record.subscriptionId);
  });
});

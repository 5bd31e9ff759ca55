import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppServices, sharePointWebhook, subscriptionKeeper } from "../../shared/functionsApp";
import { createMemoryLogger } from "../../shared/runtime";
import { DurableSyncStarter } from "../../shared/syncStart";
import {
  SubscriptionKeeper,
  type SubscriptionKeeperOptions,
  sharePointSubscriptionManagers,
} from "../../shared/webhooks";
import { validProfile } from "../config/profileFixtures";
import { FakeDurableExtension } from "../helpers/fakeDurableExtension";
import { FunctionHttpServer } from "../helpers/functionHttpServer";
import { TEST_SECRETS, testAppServices } from "../helpers/functionsApp";
import { startTestGraph, type TestGraph } from "../helpers/graphEmulator";
import {
  buildGraphSeed,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_LIST_ID,
  TEST_SITE_ID,
  TEST_TENANT_ID,
} from "../helpers/graphSeed";

const WEBHOOK_PATH = "/api/webhooks/sharepoint";

/**
 * The whole webhook path on loopback: the Graph emulator creates a subscription (its validation handshake answered
 * by our handler), a person's edit in the emulator makes it POST a change notification to our handler, which starts
 * the profile's sync through the Durable client (a fake extension records the start). Plus the renewal timer's
 * work against the same emulator.
 */
describe("SharePoint webhooks end to end (Graph emulator → webhook handler → Durable client)", () => {
  let graph: TestGraph;
  let server: FunctionHttpServer;
  let extension: FakeDurableExtension;
  let services: AppServices;
  const logger = createMemoryLogger();
  let subscriptionId = "";
  /** A change notification as Graph delivered it, kept to be replayed later as an attacker who captured it would. */
  let captured = "";

  const profile = (key: string, enabled = true) =>
    validProfile(key, {
      enabled,
      sharePoint: { siteId: TEST_SITE_ID, listId: TEST_LIST_ID },
      endpoints: { graphBaseUrl: graph.graphBaseUrl, authorityHost: graph.authorityHost },
    });
  const graphSecrets = {
    ...TEST_SECRETS,
    GraphTenantId: TEST_TENANT_ID,
    GraphClientId: TEST_CLIENT_ID,
    GraphClientSecret: TEST_CLIENT_SECRET,
  };
  const keeper = () => subscriptionKeeper(services, logger);
  /** A keeper whose clock (and whose Graph calls' clock) is `offsetMs` ahead of real time. */
  const keeperAhead = (offsetMs: number, options: Partial<SubscriptionKeeperOptions> = {}) => {
    const clock = { now: () => Date.now() + offsetMs };
    return new SubscriptionKeeper({
      profiles: services.config.profiles,
      validator: services.config.validator,
      store: services.state.subscriptions,
      managerFor: sharePointSubscriptionManagers(services.config.secrets, services.state.subscriptions, {
        ...services.sharePoint,
        endpoints: services.config.validator.endpoints,
        clock,
      }),
      notificationUrl: server.url(WEBHOOK_PATH),
      clock,
      ...options,
    });
  };
  const graphRequests = async (): Promise<Array<{ method: string; path: string; status: number }>> =>
    (await graph.admin("GET", "requests")).body;

  beforeAll(async () => {
    graph = await startTestGraph(
      buildGraphSeed({
        itemCount: 3,
        settings: { notificationRetry: { initialDelayMs: 20, maxDelayMs: 40, maxDurationMs: 2_000 } },
      }),
    );
    extension = await FakeDurableExtension.start();
    server = await FunctionHttpServer.start({
      [WEBHOOK_PATH]: (request) =>
        sharePointWebhook(request, {
          subscriptions: services.state.subscriptions,
          profiles: services.config.profiles,
          starter: new DurableSyncStarter(extension.context().client, { logger }),
          keeper: async () => keeper(),
          logger,
        }),
    });
    services = await testAppServices({
      secrets: { projects: graphSecrets },
      env: { WEBHOOK_NOTIFICATION_URL: server.url(WEBHOOK_PATH) },
      sharePoint: { retry: { initialDelayMs: 5, maxDelayMs: 20 } },
    });
    await services.config.profiles.save(profile("projects"));
  });
  afterAll(async () => {
    await graph.close();
    await server.close();
    await extension.close();
  });

  it("subscribes every enabled profile; Graph's handshake (to both URLs) is answered by our handler", async () => {
    const report = await keeper().maintain();
    expect(report.notificationUrl).toBe(server.url(WEBHOOK_PATH));
    expect(report.results).toEqual([
      expect.objectContaining({ profileKey: "projects", outcome: "created", reason: "missing" }),
    ]);
    subscriptionId = report.results[0]!.subscriptionId!;

    expect(server.served).toEqual([
      { method: "POST", path: WEBHOOK_PATH, status: 200 },
      { method: "POST", path: WEBHOOK_PATH, status: 200 },
    ]);
    const stored = await services.state.subscriptions.get(subscriptionId);
    expect(stored).toMatchObject({
      profileKey: "projects",
      notificationUrl: server.url(WEBHOOK_PATH),
      resource: `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}`,
    });
    expect((await graph.call("GET", `subscriptions/${subscriptionId}`)).body).toMatchObject({
      lifecycleNotificationUrl: server.url(WEBHOOK_PATH),
    });
  });

  it("a person's edit in SharePoint makes Graph notify us, and the profile's sync starts", async () => {
    await graph.admin("PATCH", `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}/items/2`, {
      fields: { Title: "Edited by a person" },
    });
    await extension.until(() => extension.starts().length === 1);
    expect(extension.starts()).toEqual([
      {
        orchestrator: "syncProfile",
        instanceId: "sync-projects",
        input: { profileKey: "projects", dryRun: false, trigger: "webhook" },
      },
    ]);
    await server.until(() => server.served.length === 3);
    expect(server.served[2]).toEqual({ method: "POST", path: WEBHOOK_PATH, status: 202 });
    captured = server.received[2]!.body;
    expect(JSON.parse(captured).value[0]).toMatchObject({ subscriptionId, changeType: "updated" });
  });

  it("an edit while that sync runs arranges one follow-up run instead of a second run", async () => {
    extension.setStatus("sync-projects", "Running");
    await graph.admin("PATCH", `sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}/items/3`, {
      fields: { Title: "Edited mid-run" },
    });
    await extension.until(() => extension.starts("syncFollowUp").length === 1);
    expect(extension.starts("syncFollowUp")).toEqual([
      {
        orchestrator: "syncFollowUp",
        instanceId: "followup-projects",
        input: { profileKey: "projects", trigger: "webhook" },
      },
    ]);
    expect(extension.starts("syncProfile")).toHaveLength(1);
    await server.until(() => server.served.length === 4);
  });

  it("renews the subscription when Graph sends reauthorizationRequired, with a new clientState", async () => {
    const served = server.served.length;
    const before = (await services.state.subscriptions.get(subscriptionId))!;
    expect(
      (
        await graph.admin("POST", `subscriptions/${subscriptionId}/lifecycle`, {
          lifecycleEvent: "reauthorizationRequired",
        })
      ).status,
    ).toBe(202);
    // The lifecycle notification, then Graph's handshakes for the replacement (notification and lifecycle URLs).
    await server.until(() => server.served.length === served + 3);
    // The request's one summary line carries the renewal.
    const summary = logger.records.find(
      (r) => r.message === "change notifications received" && Array.isArray(r.fields.lifecycle),
    );
    const handled = (summary?.fields.lifecycle as Array<Record<string, unknown>> | undefined)?.[0];
    expect(handled).toMatchObject({ outcome: "renewed", previousSubscriptionId: subscriptionId });
    const replacement = (handled as { subscriptionId: string }).subscriptionId;
    expect(replacement).not.toBe(subscriptionId);
    const after = (await services.state.subscriptions.get(replacement))!;
    expect(after.clientState).not.toBe(before.clientState);
    expect(await services.state.subscriptions.get(subscriptionId)).toBeUndefined();
    expect((await graph.call("GET", `subscriptions/${subscriptionId}`)).status).toBe(404);
    expect(JSON.stringify(logger.records)).not.toContain(after.clientState);
    subscriptionId = replacement;
  });

  it("ignores a notification captured before the renewal when it is replayed", async () => {
    const starts = extension.starts().length;
    extension.setStatus("sync-projects", "Completed");
    const replay = await fetch(server.url(WEBHOOK_PATH), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: captured,
    });
    expect(replay.status).toBe(202);
    expect(extension.starts()).toHaveLength(starts);
    expect(logger.records.at(-1)).toMatchObject({
      message: "change notifications received",
      fields: { ignored: { unknownSubscription: 1 } },
    });
    // The same notification with the live subscription's id but the old clientState is refused too.
    const forged = JSON.parse(captured) as { value: Array<Record<string, unknown>> };
    forged.value[0]!.subscriptionId = subscriptionId;
    await fetch(server.url(WEBHOOK_PATH), { method: "POST", body: JSON.stringify(forged) });
    expect(extension.starts()).toHaveLength(starts);
    expect(logger.records.at(-1)).toMatchObject({ fields: { ignored: { clientStateMismatch: 1 } } });
  });

  it("keeps a subscription with time left after checking Graph still has it, and renews one under the threshold", async () => {
    const kept = await keeper().maintain();
    expect(kept.results).toEqual([expect.objectContaining({ outcome: "kept", subscriptionId })]);

    // Everything is "about to expire" under a threshold longer than the longest lifetime.
    const renewed = await keeperAhead(0, { renewBeforeMs: 43_000 * 60_000 }).maintain();
    expect(renewed.results).toEqual([
      expect.objectContaining({ outcome: "renewed", previousSubscriptionId: subscriptionId }),
    ]);
    subscriptionId = renewed.results[0]!.subscriptionId!;
    expect(await services.state.subscriptions.listByProfile("projects")).toEqual([
      expect.objectContaining({ subscriptionId }),
    ]);
  });

  it("extends the old subscription, saying its clientState was not rotated, when no replacement can be made", async () => {
    await graph.admin("POST", "faults", { method: "POST", path: "^/v1.0/subscriptions$", status: 503, times: 10 });
    const report = await keeperAhead(0, { renewBeforeMs: 43_000 * 60_000 }).maintain();
    await graph.admin("DELETE", "faults");
    expect(report.results).toEqual([
      expect.objectContaining({
        outcome: "renewed",
        reason: "clientStateNotRotated",
        subscriptionId,
        problem: expect.objectContaining({ code: expect.any(String) }),
      }),
    ]);
    expect((await graph.call("GET", `subscriptions/${subscriptionId}`)).status).toBe(200);
  });

  it("recreates a subscription Graph no longer has, and forgets the old one", async () => {
    expect((await graph.call("DELETE", `subscriptions/${subscriptionId}`)).status).toBe(204);
    const report = await keeper().maintain();
    expect(report.results).toEqual([
      expect.objectContaining({ profileKey: "projects", outcome: "recreated", reason: "goneFromGraph" }),
    ]);
    const replacement = report.results[0]!.subscriptionId!;
    expect(replacement).not.toBe(subscriptionId);
    expect(await services.state.subscriptions.get(subscriptionId)).toBeUndefined();
    expect((await graph.call("GET", `subscriptions/${replacement}`)).status).toBe(200);
    subscriptionId = replacement;
  });

  it("recreates a subscription that expired while the app was down", async () => {
    await graph.admin("POST", "clock", { advanceSeconds: 43_000 * 60 });
    const record = (await services.state.subscriptions.get(subscriptionId))!;
    // Our record says it expired too (the app's clock agrees with the emulator's).
    await services.state.subscriptions.save({
      ...record,
      expirationDateTime: new Date(Date.now() - 60_000).toISOString(),
    });
    const report = await keeperAhead(0, {
      managerFor: sharePointSubscriptionManagers(services.config.secrets, services.state.subscriptions, {
        ...services.sharePoint,
        endpoints: services.config.validator.endpoints,
        clock: { now: () => Date.now() + 43_000 * 60_000 },
      }),
    }).maintain();
    expect(report.results.map((r) => [r.outcome, r.reason])).toEqual([
      ["forgotten", "expired"],
      ["created", "expired"],
    ]);
    subscriptionId = report.results[1]!.subscriptionId!;
  });

  it("removes a disabled profile's subscription and skips a profile without its secrets", async () => {
    await services.config.profiles.save(profile("projects", false));
    await services.config.profiles.save(profile("nosecrets"));
    const before = (await graphRequests()).length;
    const report = await keeperAhead(43_000 * 60_000).maintain();
    expect(report.results.map((r) => [r.profileKey, r.outcome, r.reason])).toEqual([
      ["nosecrets", "skipped", "profileInvalid"],
      ["projects", "deleted", "profileDisabled"],
    ]);
    expect(await services.state.subscriptions.listByProfile("projects")).toEqual([]);
    const calls = (await graphRequests()).slice(before).filter((r) => r.path.startsWith("/v1.0/"));
    expect(calls.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `DELETE /v1.0/subscriptions/${subscriptionId} 204`,
    ]);
  });

  it("does nothing without WEBHOOK_NOTIFICATION_URL, saying so", async () => {
    const quiet = createMemoryLogger();
    const report = await keeperAhead(0, {
      managerFor: () => Promise.reject(new Error("must not be called")),
      notificationUrl: undefined,
      logger: quiet,
    }).maintain();
    expect(report).toEqual({ notificationUrl: null, results: [] });
    expect(quiet.records[0]?.level).toBe("warn");
  });

  it("never logged a clientState or a secret value", async () => {
    const stored = await services.state.subscriptions.list();
    const text = JSON.stringify(logger.records);
    for (const value of [...Object.values(graphSecrets), ...stored.map((s) => s.clientState)])
      expect(text).not.toContain(value);
  });
});

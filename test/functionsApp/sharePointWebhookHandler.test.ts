import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AppServices } from "../../shared/functionsApp";
import {
  type LazyWebhookDependencies,
  type SharePointWebhookDependencies,
  sharePointWebhook,
} from "../../shared/functionsApp";
import { createMemoryLogger, type LogRecord } from "../../shared/runtime";
import type { SubscriptionRecord } from "../../shared/state/subscriptionStore";
import { DurableSyncStarter } from "../../shared/syncStart";
import {
  MAX_NOTIFICATION_BODY_BYTES,
  MAX_NOTIFICATIONS_PER_REQUEST,
  MAX_SUBSCRIPTIONS_PER_REQUEST,
  MAX_VALIDATION_TOKEN_LENGTH,
} from "../../shared/webhooks";
import { validProfile } from "../config/profileFixtures";
import { FakeDurableExtension } from "../helpers/fakeDurableExtension";
import { post, readResponse, testAppServices } from "../helpers/functionsApp";

const URL_BASE = "https://func-confluence.azurewebsites.net/api/webhooks/sharepoint";
const CLIENT_STATE = "bm90LWEtcmVhbC1zZWNyZXQtYnV0LWxvbmctZW5vdWdoLTQz";

function subscription(subscriptionId: string, profileKey: string): SubscriptionRecord {
  return {
    subscriptionId,
    profileKey,
    clientState: `${CLIENT_STATE}-${profileKey}`,
    expirationDateTime: "2099-01-01T00:00:00.000Z",
    resource: `sites/site/lists/${profileKey}`,
    notificationUrl: URL_BASE,
  };
}

function notification(record: SubscriptionRecord, extra: Record<string, unknown> = {}) {
  return {
    subscriptionId: record.subscriptionId,
    clientState: record.clientState,
    changeType: "updated",
    resource: record.resource,
    subscriptionExpirationDateTime: record.expirationDateTime,
    tenantId: "tenant",
    resourceData: { "@odata.type": "#Microsoft.Graph.ListItem" },
    ...extra,
  };
}

describe("SharePoint webhook handler", () => {
  let services: AppServices;
  let extension: FakeDurableExtension;
  let logger: ReturnType<typeof createMemoryLogger>;
  let keeperCalls: SubscriptionRecord[];
  const alpha = subscription("5f6e7d8c-0000-4000-8000-00000000000a", "alpha");
  const beta = subscription("5f6e7d8c-0000-4000-8000-00000000000b", "beta");
  const paused = subscription("5f6e7d8c-0000-4000-8000-00000000000c", "paused");

  beforeAll(async () => {
    services = await testAppServices();
    extension = await FakeDurableExtension.start();
    await services.config.profiles.save(validProfile("alpha"));
    await services.config.profiles.save(validProfile("beta"));
    await services.config.profiles.save(validProfile("paused", { enabled: false }));
    for (const record of [alpha, beta, paused]) await services.state.subscriptions.save(record);
  });
  afterAll(() => extension.close());
  beforeEach(() => {
    extension.requests.length = 0;
    extension.instances.clear();
    extension.faults.length = 0;
    logger = createMemoryLogger();
    keeperCalls = [];
  });

  function deps(
    overrides:
      | Partial<SharePointWebhookDependencies>
      | { subscriptions: SharePointWebhookDependencies["subscriptions"] } = {},
  ): SharePointWebhookDependencies {
    return {
      subscriptions: services.state.subscriptions,
      profiles: services.config.profiles,
      starter: new DurableSyncStarter(extension.context().client, { logger }),
      keeper: async () => ({
        reauthorize: async (record) => {
          keeperCalls.push(record);
          return { profileKey: record.profileKey, outcome: "renewed", subscriptionId: record.subscriptionId };
        },
      }),
      logger,
      ...overrides,
    };
  }

  /** The subscription store, counting its reads and how many run at once. */
  function countingSubscriptions() {
    const counter = { calls: 0, inFlight: 0, maxInFlight: 0 };
    const subscriptions = {
      get: async (id: string) => {
        counter.calls += 1;
        counter.inFlight += 1;
        counter.maxInFlight = Math.max(counter.maxInFlight, counter.inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, 1));
          return await services.state.subscriptions.get(id);
        } finally {
          counter.inFlight -= 1;
        }
      },
    };
    return Object.assign(counter, { subscriptions });
  }
  const guid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

  const deliver = async (body: unknown, d: SharePointWebhookDependencies | LazyWebhookDependencies = deps()) =>
    readResponse(
      await sharePointWebhook(
        post(URL_BASE, typeof body === "string" ? body : JSON.stringify(body), { "content-type": "application/json" }),
        d,
      ),
    );
  const logText = (records: LogRecord[]) => JSON.stringify(records);
  /** What the webhook itself logged (the starter logs each orchestration it starts on its own). */
  const webhookLog = () => logger.records.filter((record) => record.message !== "orchestration started");

  describe("validation handshake", () => {
    it("echoes the URL-decoded token as text/plain, never as HTML, without touching anything else", async () => {
      const token = "Validation: Testing client application reachability <script>alert('x')</script> & more";
      const response = await readResponse(
        await sharePointWebhook(post(`${URL_BASE}?validationToken=${encodeURIComponent(token)}`), deps()),
      );
      expect(response.status).toBe(200);
      expect(response.text).toBe(token);
      expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(extension.requests).toEqual([]);
    });

    it("decodes the token as a query value: `%2B` is a plus, `%20` and `+` (form encoding, as .NET writes it) are spaces", async () => {
      const response = await readResponse(
        await sharePointWebhook(post(`${URL_BASE}?validationToken=a%2Bb%20c%3Ad+e`), deps()),
      );
      expect(response.text).toBe("a+b c:d e");
    });

    it.each([
      ["an empty token", `${URL_BASE}?validationToken=`, ""],
      [
        "a token over the length bound",
        `${URL_BASE}?validationToken=${"x".repeat(MAX_VALIDATION_TOKEN_LENGTH + 1)}`,
        "",
      ],
      ["a token with control characters", `${URL_BASE}?validationToken=a%0D%0ASet-Cookie:%20x`, ""],
      ["two tokens", `${URL_BASE}?validationToken=a&validationToken=b`, ""],
      ["a body next to the token", `${URL_BASE}?validationToken=abc`, '{"value":[]}'],
    ])("refuses %s with 400 and reflects nothing", async (_case, url, body) => {
      const response = await readResponse(await sharePointWebhook(post(url, body), deps()));
      expect(response.status).toBe(400);
      expect(response.json.error.code).toBe("INVALID_VALIDATION_REQUEST");
      expect(response.headers.get("content-type") ?? "").not.toContain("text/plain");
    });
  });

  describe("notifications", () => {
    it("starts the profile's sync once for any number of its notifications, and answers 202 with an empty body", async () => {
      const response = await deliver({ value: [notification(alpha), notification(alpha), notification(beta)] });
      expect(response.status).toBe(202);
      expect(response.text).toBe("");
      // Profiles start concurrently: in either order.
      const starts = extension.starts().sort((a, b) => a.instanceId.localeCompare(b.instanceId));
      expect(starts).toEqual([
        {
          orchestrator: "syncProfile",
          instanceId: "sync-alpha",
          input: { profileKey: "alpha", dryRun: false, trigger: "webhook" },
        },
        {
          orchestrator: "syncProfile",
          instanceId: "sync-beta",
          input: { profileKey: "beta", dryRun: false, trigger: "webhook" },
        },
      ]);
    });

    it("coalesces into a running sync and arranges one follow-up run", async () => {
      extension.setStatus("sync-alpha", "Running");
      expect((await deliver({ value: [notification(alpha)] })).status).toBe(202);
      expect((await deliver({ value: [notification(alpha)] })).status).toBe(202);
      expect(extension.starts("syncProfile")).toEqual([]);
      expect(extension.starts("syncFollowUp")).toEqual([
        {
          orchestrator: "syncFollowUp",
          instanceId: "followup-alpha",
          input: { profileKey: "alpha", trigger: "webhook" },
        },
      ]);
    });

    it("ignores, logs and still acknowledges a notification for an unknown subscription", async () => {
      const forged = { ...notification(alpha), subscriptionId: "00000000-dead-beef-0000-000000000000" };
      const response = await deliver({ value: [forged] });
      expect(response.status).toBe(202);
      expect(extension.requests).toEqual([]);
      expect(logger.records).toEqual([
        expect.objectContaining({
          level: "warn",
          message: "change notifications received",
          fields: expect.objectContaining({
            ignored: { unknownSubscription: 1 },
            ignoredSubscriptions: [forged.subscriptionId],
          }),
        }),
      ]);
    });

    it("ignores a notification whose clientState does not match, without logging either clientState", async () => {
      const forged = notification(alpha, { clientState: "guessed-client-state-value" });
      const response = await deliver({ value: [forged, notification(beta, { clientState: null })] });
      expect(response.status).toBe(202);
      expect(extension.requests).toEqual([]);
      expect(logger.records).toHaveLength(1);
      expect(logger.records[0]?.fields.ignored).toEqual({ clientStateMismatch: 2 });
      expect(logText(logger.records)).not.toContain("guessed-client-state-value");
      expect(logText(logger.records)).not.toContain(CLIENT_STATE);
    });

    it("does not sync a disabled profile its lingering subscription still notifies for", async () => {
      expect((await deliver({ value: [notification(paused)] })).status).toBe(202);
      expect(extension.requests).toEqual([]);
      expect(logger.records).toEqual([
        expect.objectContaining({ fields: expect.objectContaining({ ignored: { profileDisabled: 1 } }) }),
      ]);
    });

    it.each([
      ["not JSON", "{value: nope"],
      ["not a collection", { notifications: [] }],
      ["a notification without subscriptionId", { value: [{ changeType: "updated" }] }],
      ["a value that is not an array", { value: "updated" }],
    ])("refuses a body that is %s with 400", async (_case, body) => {
      const response = await deliver(body);
      expect(response.status).toBe(400);
      expect(response.json.error.code).toBe("INVALID_NOTIFICATION");
      expect(extension.requests).toEqual([]);
    });

    it("refuses a subscription id that is not a GUID with 400, before any lookup, in one log line", async () => {
      const lookups = countingSubscriptions();
      for (const id of ["x".repeat(20_000), "../../etc", ""]) {
        const response = await deliver({ value: [{ ...notification(alpha), subscriptionId: id }] }, deps(lookups));
        expect(response.status).toBe(400);
        expect(response.json.error.code).toBe("INVALID_NOTIFICATION");
      }
      expect(lookups.calls).toBe(0);
      expect(logger.records).toHaveLength(3);
      expect(logText(logger.records)).not.toContain("x".repeat(100));
    });

    it("refuses more notifications, or more subscriptions, than Graph sends in one request, looking nothing up", async () => {
      const lookups = countingSubscriptions();
      const many = Array.from({ length: MAX_NOTIFICATIONS_PER_REQUEST + 1 }, () => notification(alpha));
      expect((await deliver({ value: many }, deps(lookups))).status).toBe(400);
      const distinct = Array.from({ length: MAX_SUBSCRIPTIONS_PER_REQUEST + 1 }, (_, i) => ({
        ...notification(alpha),
        subscriptionId: guid(i),
      }));
      const response = await deliver({ value: distinct }, deps(lookups));
      expect(response.status).toBe(400);
      expect(response.json.error.message).toContain(`at most ${MAX_SUBSCRIPTIONS_PER_REQUEST} are looked up`);
      expect(lookups.calls).toBe(0);
      expect(extension.requests).toEqual([]);
    });

    it("looks each subscription up once, a few at a time, and logs the request once", async () => {
      const lookups = countingSubscriptions();
      const forged = Array.from({ length: MAX_SUBSCRIPTIONS_PER_REQUEST - 1 }, (_, i) => ({
        ...notification(alpha),
        subscriptionId: guid(i),
      }));
      const response = await deliver({ value: [...forged, ...forged, notification(alpha)] }, deps(lookups));
      expect(response.status).toBe(202);
      expect(lookups.calls).toBe(MAX_SUBSCRIPTIONS_PER_REQUEST);
      expect(lookups.maxInFlight).toBeLessThanOrEqual(4);
      expect(webhookLog()).toEqual([
        expect.objectContaining({
          message: "change notifications received",
          fields: expect.objectContaining({
            notifications: 2 * MAX_SUBSCRIPTIONS_PER_REQUEST - 1,
            subscriptions: MAX_SUBSCRIPTIONS_PER_REQUEST,
            ignored: { unknownSubscription: 2 * (MAX_SUBSCRIPTIONS_PER_REQUEST - 1) },
            syncs: [expect.objectContaining({ profileKey: "alpha" })],
          }),
        }),
      ]);
    });

    it("stops reading a body past the limit, with or without Content-Length: 413", async () => {
      const declared = await readResponse(
        await sharePointWebhook(
          post(URL_BASE, "{}", { "content-length": String(MAX_NOTIFICATION_BODY_BYTES + 1) }),
          deps(),
        ),
      );
      expect(declared.status).toBe(413);
      // No Content-Length, and a body that never ends: reading stops just past the limit.
      let pulled = 0;
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += 1;
          controller.enqueue(new Uint8Array(16 * 1024).fill(0x20));
        },
      });
      const response = await readResponse(
        await sharePointWebhook({ url: URL_BASE, headers: new Headers(), body: endless } as never, deps()),
      );
      expect(response.status).toBe(413);
      expect(pulled * 16 * 1024).toBeLessThan(MAX_NOTIFICATION_BODY_BYTES + 3 * 16 * 1024);
      expect(extension.requests).toEqual([]);
    });

    it("answers the handshake without opening the services; opens them for a notification", async () => {
      let opened = 0;
      const lazy = {
        logger,
        services: async () => {
          opened += 1;
          return deps();
        },
      };
      const handshake = await readResponse(
        await sharePointWebhook(post(`${URL_BASE}?validationToken=hello`), {
          logger,
          services: () => Promise.reject(new Error("storage unreachable")),
        }),
      );
      expect([handshake.status, handshake.text]).toEqual([200, "hello"]);
      expect((await readResponse(await sharePointWebhook(post(`${URL_BASE}?validationToken=hi`), lazy))).status).toBe(
        200,
      );
      expect(opened).toBe(0);
      expect((await deliver({ value: [notification(alpha)] }, lazy as never)).status).toBe(202);
      expect(opened).toBe(1);
    });

    it("answers 503 when the start cannot be recorded, so Graph delivers again", async () => {
      extension.faults.push({ method: "POST", pathPattern: /orchestrators/, status: 500, remaining: 1 });
      const response = await deliver({ value: [notification(alpha)] });
      expect(response.status).toBe(503);
      expect(response.json.error).toMatchObject({
        code: "NOTIFICATION_NOT_PROCESSED",
        profiles: [{ profileKey: "alpha", code: "SYNC_START_FAILED" }],
      });
    });
  });

  describe("lifecycle notifications", () => {
    it("renews on reauthorizationRequired once per subscription, after checking the clientState", async () => {
      const event = {
        subscriptionId: alpha.subscriptionId,
        clientState: alpha.clientState,
        lifecycleEvent: "reauthorizationRequired",
        subscriptionExpirationDateTime: alpha.expirationDateTime,
        tenantId: "t",
      };
      const response = await deliver({ value: [event, event, { ...event, clientState: "wrong" }] });
      expect(response.status).toBe(202);
      expect(keeperCalls.map((r) => r.subscriptionId)).toEqual([alpha.subscriptionId]);
      expect(extension.requests).toEqual([]);
    });

    it("syncs on `missed`, and does nothing but log an event it does not know", async () => {
      const event = {
        subscriptionId: alpha.subscriptionId,
        clientState: alpha.clientState,
        subscriptionExpirationDateTime: alpha.expirationDateTime,
        tenantId: "t",
      };
      await deliver({
        value: [
          { ...event, lifecycleEvent: "missed" },
          { ...event, lifecycleEvent: "somethingNew" },
        ],
      });
      expect(extension.starts().map((s) => s.instanceId)).toEqual(["sync-alpha"]);
      expect(keeperCalls).toEqual([]);
      expect(webhookLog()).toEqual([
        expect.objectContaining({
          message: "change notifications received",
          fields: expect.objectContaining({ unhandledLifecycle: ["somethingNew"] }),
        }),
      ]);
    });

    it("answers without waiting for a renewal that outlasts its budget", async () => {
      const never = new Promise<never>(() => undefined);
      const event = {
        subscriptionId: alpha.subscriptionId,
        clientState: alpha.clientState,
        lifecycleEvent: "reauthorizationRequired",
        subscriptionExpirationDateTime: "x",
        tenantId: "t",
      };
      const response = await deliver(
        { value: [event] },
        deps({ keeper: async () => ({ reauthorize: () => never }), lifecycleBudgetMs: 20 }),
      );
      expect(response.status).toBe(202);
      expect(logger.records.map((r) => r.message)).toContain(
        "lifecycle renewal is taking long; answering Graph now and finishing in the background",
      );
    });
  });
});

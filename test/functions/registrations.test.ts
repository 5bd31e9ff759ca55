import { readdirSync } from "node:fs";
import path from "node:path";
import * as df from "durable-functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HistoryEventType, historyEvent } from "../../dev/localHost/historyEvent";
import { replaceAppServices } from "../../shared/functionsApp";
import { validProfile } from "../config/profileFixtures";
import { FAKE_SYSTEM_KEY, FakeDurableExtension } from "../helpers/fakeDurableExtension";
import { registeredFunction, registeredFunctionNames } from "../helpers/fakeFunctionsCore";
import { get, post, readResponse, TEST_SECRETS, testAppServices } from "../helpers/functionsApp";

/**
 * Everything under functions/ loaded as the Functions worker loads it (package.json `main: dist/functions/*.js`),
 * with a stand-in for the worker's `@azure/functions-core`: each registration is captured with its metadata and the
 * exact handler the worker would invoke.
 */
const functionsDir = path.resolve(__dirname, "../../functions");

type Binding = { type: string; direction: string; [key: string]: unknown };
const bindings = (name: string): Binding[] => Object.values(registeredFunction(name).metadata.bindings);
const trigger = (name: string): Binding => bindings(name).find((b) => b.direction === "in" && /Trigger$/.test(b.type))!;
const durableClientBinding = (name: string) => bindings(name).find((b) => b.type === "durableClient");

let extension: FakeDurableExtension;

beforeAll(async () => {
  for (const file of readdirSync(functionsDir)
    .filter((f) => f.endsWith(".ts"))
    .sort())
    await import(path.join(functionsDir, file));
  extension = await FakeDurableExtension.start();
  const services = await testAppServices({ secrets: { ready: TEST_SECRETS } });
  await services.config.profiles.save(validProfile("ready"));
  await replaceAppServices(services);
});
afterAll(async () => {
  await replaceAppServices(undefined);
  await extension.close();
});

/** The context the host builds for `name`: its own durable client binding, filled with the fake extension's data. */
const contextFor = (name: string) =>
  extension.context({
    functionName: name,
    ...(durableClientBinding(name) ? { binding: durableClientBinding(name) as never } : {}),
  }).context;

describe("function registrations", () => {
  it("registers exactly the app's functions", () => {
    expect(registeredFunctionNames()).toEqual([
      "applyConfluencePage",
      "applyPageWrite",
      "applySharePointBatch",
      "checkProfile",
      "commitPagesRun",
      "commitRun",
      "connectConfluence",
      "connectConfluenceCallback",
      "getProfile",
      "getProfileConflicts",
      "linkCreatedPages",
      "listActiveProfiles",
      "listProfiles",
      "manualSync",
      "prepareRun",
      "recordRunFailure",
      "resolveAllConflicts",
      "resolveConflict",
      "scheduledSync",
      "sharePointWebhook",
      "startSyncIfIdle",
      "subscriptionRenewal",
      "syncAllProfiles",
      "syncFollowUp",
      "syncPageJobs",
      "syncProfile",
      "syncStatus",
    ]);
  });

  it.each([
    ["manualSync", "profiles/{profileKey}/sync", ["POST"], "function"],
    ["syncStatus", "profiles/{profileKey}/sync/status", ["GET"], "function"],
    ["sharePointWebhook", "webhooks/sharepoint", ["POST"], "anonymous"],
    ["listProfiles", "profiles", ["GET"], "function"],
    ["getProfile", "profiles/{profileKey}", ["GET"], "function"],
    ["getProfileConflicts", "profiles/{profileKey}/conflicts", ["GET"], "function"],
    ["checkProfile", "profiles/{profileKey}/check", ["GET"], "function"],
    ["resolveConflict", "profiles/{profileKey}/conflicts/{conflictId}/resolve", ["POST"], "function"],
    ["resolveAllConflicts", "profiles/{profileKey}/conflicts/resolve", ["POST"], "function"],
    ["connectConfluence", "profiles/{profileKey}/connect/confluence", ["GET"], "function"],
    ["connectConfluenceCallback", "connect/confluence/callback", ["GET"], "anonymous"],
  ])("%s: HTTP %s %s, auth level %s", (name, route, methods, authLevel) => {
    expect(trigger(name)).toMatchObject({ type: "httpTrigger", route, methods, authLevel });
    expect(bindings(name)).toContainEqual(expect.objectContaining({ type: "http", direction: "out" }));
  });

  it("gives the functions that start orchestrations or read their status a durable client, and only those", () => {
    const withClient = registeredFunctionNames().filter((name) => durableClientBinding(name));
    expect(withClient).toEqual([
      "manualSync",
      "resolveAllConflicts",
      "resolveConflict",
      "scheduledSync",
      "sharePointWebhook",
      "startSyncIfIdle",
      "syncStatus",
    ]);
  });

  it("schedules the sync from the SYNC_SCHEDULE app setting and the renewal hourly", () => {
    expect(trigger("scheduledSync")).toMatchObject({ type: "timerTrigger", schedule: "%SYNC_SCHEDULE%" });
    expect(trigger("subscriptionRenewal")).toMatchObject({ type: "timerTrigger", schedule: "0 7 * * * *" });
  });

  it("registers the orchestrations and the follow-up's activity with Durable triggers", () => {
    for (const name of ["syncProfile", "syncAllProfiles", "syncFollowUp"])
      expect(trigger(name).type).toBe("orchestrationTrigger");
    expect(trigger("startSyncIfIdle").type).toBe("activityTrigger");
  });

  it("registers every sync activity of the run contract with an activity trigger", () => {
    for (const name of [
      "listActiveProfiles",
      "prepareRun",
      "applySharePointBatch",
      "applyConfluencePage",
      "commitRun",
      "recordRunFailure",
    ]) {
      expect(trigger(name).type).toBe("activityTrigger");
    }
  });
});

describe("registered handlers, invoked as the worker would", () => {
  it("manualSync: validates the stored profile and starts its run, answering 202 with our status route", async () => {
    extension.instances.clear();
    const request = post("https://func.example/api/profiles/ready/sync?dryRun=true", "", {}, { profileKey: "ready" });
    const response = await readResponse(
      (await registeredFunction("manualSync").handler(request, contextFor("manualSync"))) as never,
    );
    expect(response.status).toBe(202);
    expect(response.json.id).toBe("sync-ready");
    expect(response.json.statusUri).toBe("https://func.example/api/profiles/ready/sync/status");
    expect(response.text).not.toContain(FAKE_SYSTEM_KEY);
    expect(extension.starts()).toContainEqual({
      orchestrator: "syncProfile",
      instanceId: "sync-ready",
      input: { profileKey: "ready", dryRun: true, trigger: "manual" },
    });

    const unknown = post("https://func.example/api/profiles/nobody/sync", "", {}, { profileKey: "nobody" });
    expect(
      (await readResponse((await registeredFunction("manualSync").handler(unknown, contextFor("manualSync"))) as never))
        .status,
    ).toBe(404);
  });

  it("syncStatus: reads the run through the invocation's durable client", async () => {
    const request = get("https://func.example/api/profiles/ready/sync/status", { profileKey: "ready" });
    const response = await readResponse(
      (await registeredFunction("syncStatus").handler(request, contextFor("syncStatus"))) as never,
    );
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ id: "sync-ready", runtimeStatus: "Pending" });
    expect(response.text).not.toContain(FAKE_SYSTEM_KEY);
  });

  it("sharePointWebhook: answers the validation handshake", async () => {
    const request = post("https://func.example/api/webhooks/sharepoint?validationToken=hello%20graph");
    const response = await readResponse(
      (await registeredFunction("sharePointWebhook").handler(request, contextFor("sharePointWebhook"))) as never,
    );
    expect([response.status, response.text]).toEqual([200, "hello graph"]);
  });

  it("sharePointWebhook: answers the handshake even when the services cannot be opened (storage unreachable)", async () => {
    const services = await testAppServices({ secrets: { ready: TEST_SECRETS } });
    await services.config.profiles.save(validProfile("ready"));
    const setting = process.env.SECRETS_PROVIDER;
    await replaceAppServices(undefined);
    process.env.SECRETS_PROVIDER = "unreachable"; // opening the services now fails, as with storage down
    try {
      const handshake = await readResponse(
        (await registeredFunction("sharePointWebhook").handler(
          post("https://func.example/api/webhooks/sharepoint?validationToken=cold%20start"),
          contextFor("sharePointWebhook"),
        )) as never,
      );
      expect([handshake.status, handshake.text]).toEqual([200, "cold start"]);
      // A notification does need them: a 5xx, so Graph delivers it again.
      const notification = await readResponse(
        (await registeredFunction("sharePointWebhook").handler(
          post(
            "https://func.example/api/webhooks/sharepoint",
            JSON.stringify({ value: [{ subscriptionId: "00000000-0000-4000-8000-000000000001", clientState: "x" }] }),
          ),
          contextFor("sharePointWebhook"),
        )) as never,
      );
      expect(notification.status).toBeGreaterThanOrEqual(500);
    } finally {
      if (setting === undefined) delete process.env.SECRETS_PROVIDER;
      else process.env.SECRETS_PROVIDER = setting;
      await replaceAppServices(services);
    }
  });

  it("checkProfile: an unknown profile is 404, without touching a service", async () => {
    const response = await readResponse(
      (await registeredFunction("checkProfile").handler(
        get("https://func.example/api/profiles/nobody/check", { profileKey: "nobody" }),
        contextFor("checkProfile"),
      )) as never,
    );
    expect([response.status, response.json.error.code]).toEqual([404, "PROFILE_NOT_FOUND"]);
  });

  it("getProfile: reads diagnostics from the process-wide services", async () => {
    const response = await readResponse(
      (await registeredFunction("getProfile").handler(
        get("https://func.example/api/profiles/ready", { profileKey: "ready" }),
        contextFor("getProfile"),
      )) as never,
    );
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ key: "ready", valid: true, recentRuns: [] });
  });

  it("scheduledSync: starts the fan-out, and skips a tick while it still runs", async () => {
    extension.instances.clear();
    const timer = {
      isPastDue: false,
      schedule: { adjustForDST: true },
      scheduleStatus: { last: "", next: "", lastUpdated: "" },
    };
    await registeredFunction("scheduledSync").handler(timer, contextFor("scheduledSync"));
    extension.setStatus("scheduled-sync", "Running", "syncAllProfiles");
    await registeredFunction("scheduledSync").handler(timer, contextFor("scheduledSync"));
    expect(extension.starts("syncAllProfiles")).toEqual([
      { orchestrator: "syncAllProfiles", instanceId: "scheduled-sync", input: { trigger: "schedule" } },
    ]);
  });

  it("listActiveProfiles: the engine is built lazily from the process-wide services", async () => {
    expect(await registeredFunction("listActiveProfiles").handler(null, contextFor("listActiveProfiles"))).toEqual([
      "ready",
    ]);
  });

  it("prepareRun: refuses a malformed reference before doing anything", async () => {
    const error = await Promise.resolve(
      registeredFunction("prepareRun").handler({ profileKey: "ready" }, contextFor("prepareRun")),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
  });

  it("startSyncIfIdle: starts the profile's run through the Durable client", async () => {
    extension.instances.clear();
    const outcome = await registeredFunction("startSyncIfIdle").handler(
      { profileKey: "ready", dryRun: false, trigger: "webhook" },
      contextFor("startSyncIfIdle"),
    );
    expect(outcome).toEqual({ kind: "started", instanceId: "sync-ready" });
  });

  it("an activity's AppError reaches the orchestrator with its code in the failure details", async () => {
    extension.instances.clear();
    extension.faults.push({ method: "POST", pathPattern: /orchestrators/, status: 500, remaining: 1 });
    const error = await Promise.resolve(
      registeredFunction("startSyncIfIdle").handler(
        { profileKey: "ready", dryRun: false, trigger: "webhook" },
        contextFor("startSyncIfIdle"),
      ),
    ).catch((e: unknown) => e);
    expect(JSON.parse((error as Error).message)).toMatchObject({
      errorType: "SyncStartFailed",
      properties: { code: "SYNC_START_FAILED" },
    });
  });

  it("syncFollowUp: the registered orchestrator is the follow-up generator behind durable-functions' wrapper", async () => {
    const at = "2026-01-01T00:00:00.000Z";
    const history = [
      historyEvent(HistoryEventType.OrchestratorStarted, { Timestamp: at }),
      historyEvent(HistoryEventType.ExecutionStarted, {
        Timestamp: at,
        Name: "syncFollowUp",
        Input: JSON.stringify({ profileKey: "ready", trigger: "webhook" }),
      }),
    ];
    const orchestrationTrigger = {
      history,
      input: { profileKey: "ready", trigger: "webhook" },
      instanceId: "followup-ready",
      isReplaying: false,
      parentInstanceId: "",
      upperSchemaVersion: 3,
    };
    const state = JSON.parse(
      JSON.stringify(
        await registeredFunction("syncFollowUp").handler(
          orchestrationTrigger,
          new df.DummyOrchestrationContext("syncFollowUp"),
        ),
      ),
    );
    expect(state.isDone).toBe(false);
    expect(state.actions.flat()).toEqual([
      expect.objectContaining({
        functionName: "startSyncIfIdle",
        input: { profileKey: "ready", dryRun: false, trigger: "webhook" },
      }),
    ]);
  });
});

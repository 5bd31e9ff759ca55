import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AppServices, manualSync, syncStatus } from "../../shared/functionsApp";
import { createMemoryLogger } from "../../shared/runtime";
import { createTableClient } from "../../shared/state/tableClientFactory";
import { DurableSyncStarter } from "../../shared/syncStart";
import { validProfile } from "../config/profileFixtures";
import { FAKE_SYSTEM_KEY, FakeDurableExtension } from "../helpers/fakeDurableExtension";
import { get, post, readResponse, TEST_SECRETS, testAppServices } from "../helpers/functionsApp";
import { azuriteLocation } from "../helpers/tables";

const ORIGIN = "https://func-confluence.azurewebsites.net";

describe("manual sync handler: POST /api/profiles/{profileKey}/sync", () => {
  let services: AppServices & { tablePrefix: string };
  let extension: FakeDurableExtension;
  let logger: ReturnType<typeof createMemoryLogger>;

  beforeAll(async () => {
    services = await testAppServices({
      secrets: { ready: TEST_SECRETS, partial: { ConfluenceClientId: TEST_SECRETS.ConfluenceClientId } },
    });
    extension = await FakeDurableExtension.start();
    await services.config.profiles.save(validProfile("ready"));
    await services.config.profiles.save(validProfile("partial"));
    // A stored document an older version wrote, which no longer passes the schema.
    await createTableClient(azuriteLocation(), `${services.tablePrefix}Profiles`).upsertEntity({
      partitionKey: "profile",
      rowKey: "legacy",
      Profile: JSON.stringify({ key: "legacy", sharePoint: { siteId: "s", listId: "l" }, fields: [], colour: "red" }),
      UpdatedAt: "2026-01-01T00:00:00.000Z",
    });
  });
  afterAll(() => extension.close());
  beforeEach(() => {
    extension.requests.length = 0;
    extension.instances.clear();
    logger = createMemoryLogger();
  });

  async function trigger(profileKey: string, query = "") {
    const request = post(`${ORIGIN}/api/profiles/${profileKey}/sync${query}`, "", {}, { profileKey });
    const { client } = extension.context();
    const response = await manualSync(request, {
      validator: services.config.validator,
      starter: new DurableSyncStarter(client, { logger }),
      logger,
    });
    return readResponse(response);
  }

  async function status(profileKey: string) {
    const request = get(`${ORIGIN}/api/profiles/${profileKey}/sync/status`, { profileKey });
    return readResponse(await syncStatus(request, { client: extension.context().client, logger }));
  }

  /** Everything a caller gets back: status line, headers and body. */
  const everything = (response: Awaited<ReturnType<typeof trigger>>) =>
    `${response.status} ${JSON.stringify([...response.headers.entries()])} ${response.text}`;

  it("starts the profile's run and answers 202 with the instance id and our own status route, no Durable key", async () => {
    const response = await trigger("ready", "?code=caller-function-key-123");
    expect(response.status).toBe(202);
    expect(response.json).toEqual({
      id: "sync-ready",
      profileKey: "ready",
      dryRun: false,
      statusUri: `${ORIGIN}/api/profiles/ready/sync/status`,
    });
    expect(response.headers.get("location")).toBe(`${ORIGIN}/api/profiles/ready/sync/status`);
    expect(response.headers.get("retry-after")).toBe("10");
    expect(everything(response)).not.toContain(FAKE_SYSTEM_KEY);
    expect(everything(response)).not.toContain("runtime/webhooks");
    expect(everything(response)).not.toContain("caller-function-key-123");
    expect(extension.starts()).toEqual([
      {
        orchestrator: "syncProfile",
        instanceId: "sync-ready",
        input: { profileKey: "ready", dryRun: false, trigger: "manual" },
      },
    ]);
  });

  it("starts a dry run with ?dryRun=true and refuses a dryRun that is neither true nor false", async () => {
    expect((await trigger("ready", "?dryRun=true")).status).toBe(202);
    expect(extension.starts()[0]?.input).toEqual({ profileKey: "ready", dryRun: true, trigger: "manual" });
    extension.instances.clear();
    const refused = await trigger("ready", "?dryRun=yes");
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe("INVALID_QUERY");
  });

  it("answers 409 while the profile is already syncing, naming the instance", async () => {
    extension.setStatus("sync-ready", "Running");
    const response = await trigger("ready");
    expect(response.status).toBe(409);
    expect(response.json).toEqual({
      error: {
        code: "SYNC_ALREADY_RUNNING",
        message: 'profile "ready" is already syncing',
        instanceId: "sync-ready",
        runtimeStatus: "Running",
      },
    });
    expect(extension.starts()).toEqual([]);
  });

  it.each(["missing", "not--a-key", "x".repeat(64)])("answers 404 for %s", async (profileKey) => {
    const response = await trigger(profileKey);
    expect(response.status).toBe(404);
    expect(response.json.error.code).toBe("PROFILE_NOT_FOUND");
    expect(extension.requests).toEqual([]);
  });

  it("answers 400 naming the missing secrets (names only) for a profile without its credentials", async () => {
    const response = await trigger("partial");
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({
      code: "PROFILE_INVALID",
      missingSecrets: [
        "ConfluenceClientSecret",
        "ConfluenceRefreshToken",
        "GraphTenantId",
        "GraphClientId",
        "GraphClientSecret",
      ],
      errors: [],
    });
    expect(response.text).not.toContain(TEST_SECRETS.ConfluenceClientId);
    expect(extension.requests).toEqual([]);
  });

  it("answers 400 with the schema errors of a stored profile that no longer validates", async () => {
    const response = await trigger("legacy");
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe("PROFILE_INVALID");
    expect(response.json.error.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(["colour", "confluence", "fields"]),
    );
  });

  it("serves the run's status from the Durable client on its own route, without the system key", async () => {
    await trigger("ready", "?dryRun=true");
    const response = await status("ready");
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      id: "sync-ready",
      profileKey: "ready",
      runtimeStatus: "Pending",
      input: { profileKey: "ready", dryRun: true, trigger: "manual" },
      customStatus: null,
      output: null,
    });
    expect(everything(response)).not.toContain(FAKE_SYSTEM_KEY);
    expect(extension.requests.map((r) => `${r.method} ${r.path}`)).toContain("GET /durabletask/instances/sync-ready");

    const none = await status("never-ran");
    expect(none.status).toBe(404);
    expect(none.json.error.code).toBe("SYNC_NOT_FOUND");
    expect((await status("not--a-key")).json.error.code).toBe("PROFILE_NOT_FOUND");
  });

  it("answers 503 in the error envelope when the Durable extension fails, without its system key", async () => {
    extension.faults.push({ method: "POST", pathPattern: /orchestrators/, status: 500, remaining: 1 });
    const response = await trigger("ready");
    expect(response.status).toBe(503);
    expect(response.json.error.code).toBe("SYNC_START_FAILED");
    expect(response.text + JSON.stringify(logger.records)).not.toContain(FAKE_SYSTEM_KEY);
  });
});

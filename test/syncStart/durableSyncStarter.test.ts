import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMemoryLogger } from "../../shared/runtime";
import { DurableSyncStarter, SyncStartFailed, startOrCoalesce } from "../../shared/syncStart";
import { FAKE_SYSTEM_KEY, FakeDurableExtension } from "../helpers/fakeDurableExtension";

/** The real durable-functions DurableClient, built from binding data, against a fake extension on 127.0.0.1. */
describe("DurableSyncStarter over the Durable client", () => {
  let extension: FakeDurableExtension;
  let starter: DurableSyncStarter;

  beforeAll(async () => {
    extension = await FakeDurableExtension.start();
  });
  afterAll(() => extension.close());
  beforeEach(() => {
    extension.requests.length = 0;
    extension.instances.clear();
    extension.faults.length = 0;
    extension.beforeStart = undefined;
    starter = new DurableSyncStarter(extension.context().client);
  });

  it("starts syncProfile under the profile's instance id when the task hub has never seen it", async () => {
    expect(await starter.startProfileSync({ profileKey: "alpha", dryRun: true, trigger: "manual" })).toEqual({
      kind: "started",
      instanceId: "sync-alpha",
    });
    expect(extension.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /durabletask/instances/scheduled-sync",
      "GET /durabletask/instances/sync-alpha",
      "POST /durabletask/orchestrators/syncProfile/sync-alpha",
    ]);
    expect(extension.starts()).toEqual([
      {
        orchestrator: "syncProfile",
        instanceId: "sync-alpha",
        input: { profileKey: "alpha", dryRun: true, trigger: "manual" },
      },
    ]);
  });

  it.each(["Running", "Pending", "ContinuedAsNew", "Suspended"])(
    "is busy, and starts nothing, while the instance is %s",
    async (runtimeStatus) => {
      extension.setStatus("sync-alpha", runtimeStatus);
      expect(await starter.startProfileSync({ profileKey: "alpha", dryRun: false, trigger: "manual" })).toEqual({
        kind: "busy",
        instanceId: "sync-alpha",
        runtimeStatus,
      });
      expect(extension.starts()).toEqual([]);
    },
  );

  it.each(["Completed", "Failed", "Terminated", "Canceled"])(
    "starts a new run over a %s instance",
    async (runtimeStatus) => {
      extension.setStatus("sync-alpha", runtimeStatus);
      expect((await starter.startProfileSync({ profileKey: "alpha", dryRun: false, trigger: "webhook" })).kind).toBe(
        "started",
      );
      expect(extension.starts()).toHaveLength(1);
    },
  );

  it("starts the scheduled fan-out under its fixed id, unless the previous one still runs", async () => {
    expect(await starter.startAllProfilesSync("schedule")).toEqual({ kind: "started", instanceId: "scheduled-sync" });
    expect(extension.starts()).toEqual([
      { orchestrator: "syncAllProfiles", instanceId: "scheduled-sync", input: { trigger: "schedule" } },
    ]);
    extension.setStatus("scheduled-sync", "Running", "syncAllProfiles");
    expect((await starter.startAllProfilesSync("schedule")).kind).toBe("busy");
    expect(extension.starts()).toHaveLength(1);
  });

  it("refuses a profile start while the scheduled fan-out runs (its children take the profiles' ids), and a webhook then waits in a follow-up", async () => {
    extension.setStatus("scheduled-sync", "Running", "syncAllProfiles");
    expect(await starter.startProfileSync({ profileKey: "alpha", dryRun: false, trigger: "manual" })).toEqual({
      kind: "busy",
      instanceId: "scheduled-sync",
      runtimeStatus: "Running",
    });
    expect(await startOrCoalesce(starter, "alpha", "webhook")).toMatchObject({
      kind: "coalesced",
      instanceId: "scheduled-sync",
      followUp: "scheduled",
    });
    expect(extension.starts("syncProfile")).toEqual([]);
    expect(extension.starts("syncFollowUp")).toHaveLength(1);
  });

  it("tells the fan-out which profiles' own runs are in flight, from one query of busy instances", async () => {
    extension.setStatus("sync-beta", "Running", "syncProfile");
    extension.setStatus("sync-delta", "Pending", "syncProfile");
    extension.setStatus("sync-gamma", "Completed", "syncProfile");
    extension.setStatus("followup-alpha", "Running", "syncFollowUp");
    extension.requests.length = 0;
    expect(await starter.startAllProfilesSync("schedule")).toEqual({ kind: "started", instanceId: "scheduled-sync" });
    expect(extension.starts("syncAllProfiles")).toEqual([
      {
        orchestrator: "syncAllProfiles",
        instanceId: "scheduled-sync",
        input: { trigger: "schedule", busyProfileKeys: ["beta", "delta"] },
      },
    ]);
    const query = extension.requests.find((r) => r.path === "/durabletask/instances/");
    expect(query?.query.get("runtimeStatus")?.split(",").sort()).toEqual([
      "ContinuedAsNew",
      "Pending",
      "Running",
      "Suspended",
    ]);
  });

  it("reports busy when it loses the race: someone else started the instance between its check and its start", async () => {
    extension.beforeStart = (instanceId) => {
      extension.setStatus(instanceId, "Running");
      extension.beforeStart = undefined;
    };
    const logger = createMemoryLogger();
    const outcome = await new DurableSyncStarter(extension.context().client, { logger }).startProfileSync({
      profileKey: "alpha",
      dryRun: false,
      trigger: "webhook",
    });
    expect(outcome).toEqual({ kind: "busy", instanceId: "sync-alpha", runtimeStatus: "Running" });
    expect(logger.records.map((r) => r.message)).toContain("lost a race to start an instance; it is running now");
  });

  it("fails with SYNC_START_FAILED, transient and free of the extension's system key, when the extension errs", async () => {
    extension.faults.push({ method: "POST", pathPattern: /orchestrators/, status: 500, remaining: 1 });
    const error = await starter
      .startProfileSync({ profileKey: "alpha", dryRun: false, trigger: "manual" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncStartFailed);
    expect(error).toMatchObject({ code: "SYNC_START_FAILED", transient: true, instanceId: "sync-alpha" });
    expect((error as Error).message).toContain("unexpected status code: 500");

    extension.faults.push({ method: "GET", pathPattern: /instances/, status: 503, remaining: 1 });
    const statusError = await starter
      .startProfileSync({ profileKey: "beta", dryRun: false, trigger: "manual" })
      .catch((e: unknown) => e);
    expect(statusError).toMatchObject({ code: "SYNC_START_FAILED" });
    expect(JSON.stringify([(error as Error).message, (statusError as Error).message])).not.toContain(FAKE_SYSTEM_KEY);
  });

  it("coalesces a start into the running run and arranges exactly one follow-up", async () => {
    expect(await startOrCoalesce(starter, "alpha", "webhook")).toEqual({ kind: "started", instanceId: "sync-alpha" });
    extension.setStatus("sync-alpha", "Running");

    expect(await startOrCoalesce(starter, "alpha", "webhook")).toEqual({
      kind: "coalesced",
      instanceId: "sync-alpha",
      followUp: "scheduled",
      followUpInstanceId: "followup-alpha",
    });
    expect(extension.starts("syncFollowUp")).toEqual([
      {
        orchestrator: "syncFollowUp",
        instanceId: "followup-alpha",
        input: { profileKey: "alpha", trigger: "webhook" },
      },
    ]);

    // More notifications during the same run: the waiting follow-up covers them.
    expect(await startOrCoalesce(starter, "alpha", "webhook")).toMatchObject({
      kind: "coalesced",
      followUp: "alreadyWaiting",
    });
    expect(extension.starts("syncFollowUp")).toHaveLength(1);
    expect(extension.starts("syncProfile")).toHaveLength(1);
  });
});

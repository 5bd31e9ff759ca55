import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveConflicts } from "../../shared/functionsApp";
import { createMemoryLogger } from "../../shared/runtime";
import { DurableSyncStarter } from "../../shared/syncStart";
import { FakeDurableExtension } from "../helpers/fakeDurableExtension";
import { post, readResponse } from "../helpers/functionsApp";
import { HARNESS_PROFILE, type SyncHarness, sampleItems, sampleRows, startSyncHarness } from "../helpers/syncHarness";

const ORIGIN = "https://func-confluence.azurewebsites.net";

/**
 * `POST /api/profiles/{key}/conflicts/{id}/resolve` and `…/conflicts/resolve` over a real engine (emulators, Azurite):
 * the answers, the error codes with their statuses, and `?sync=true` through the Durable client.
 */
describe("conflict settlement handler", () => {
  let h: SyncHarness;
  let extension: FakeDurableExtension;

  beforeAll(async () => {
    extension = await FakeDurableExtension.start();
  });
  afterAll(async () => {
    await extension.close();
    await h?.close();
  });
  beforeEach(async () => {
    await h?.close();
    h = await startSyncHarness({
      items: sampleItems(3),
      rows: sampleRows(3),
      profile: { massDeleteLimitPercent: 50 },
    });
    await h.sync();
    await h.editItem("1", { Status: "Done" });
    await h.editRows((rows) => rows.map((row) => (row[0] === "1" ? [row[0], row[1]!, "Doing", row[3]!] : row)));
    await h.sync();
    extension.requests.length = 0;
    extension.instances.clear();
  });

  async function resolve(
    conflictId: string | undefined,
    body: unknown,
    query = "",
    headers: Record<string, string> = {},
  ) {
    const path =
      conflictId === undefined
        ? `/api/profiles/${HARNESS_PROFILE}/conflicts/resolve`
        : `/api/profiles/${HARNESS_PROFILE}/conflicts/${encodeURIComponent(conflictId)}/resolve`;
    const request = post(
      `${ORIGIN}${path}${query}`,
      typeof body === "string" ? body : JSON.stringify(body),
      { "content-type": "application/json", ...headers },
      { profileKey: HARNESS_PROFILE, ...(conflictId === undefined ? {} : { conflictId }) },
    );
    return readResponse(
      await resolveConflicts(request, {
        engine: h.services,
        starter: new DurableSyncStarter(extension.context().client, { logger: createMemoryLogger() }),
        logger: createMemoryLogger(),
      }),
    );
  }

  it("records the settlement (who from the body) and answers 200 with the conflict as diagnostics show it", async () => {
    const response = await resolve("item 1|Status", { take: "confluence", by: "ada@contoso.com" });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      profileKey: HARNESS_PROFILE,
      settled: [
        {
          id: "item 1|Status",
          values: { sharePoint: "Done", confluence: "Doing" },
          settlement: { by: "ada@contoso.com", via: "http", take: "confluence", value: "Doing", state: "pending" },
        },
      ],
      skipped: [],
    });
    expect(response.json.sync).toBeUndefined();
    expect(extension.starts()).toEqual([]);
  });

  it("takes the signed-in principal as who, when App Service authentication passes one on", async () => {
    const response = await resolve("item 1|Status", { take: "sharePoint" }, "", {
      "x-ms-client-principal-name": "grace@contoso.com",
    });
    expect(response.json.settled[0].settlement.by).toBe("grace@contoso.com");
  });

  it("?sync=true starts the profile's run at once, and the status route is ours", async () => {
    const response = await resolve("item 1|Status", { take: "sharePoint" }, "?sync=true&code=caller-key-123");
    expect(response.json.sync).toEqual({
      kind: "started",
      id: `sync-${HARNESS_PROFILE}`,
      statusUri: `${ORIGIN}/api/profiles/${HARNESS_PROFILE}/sync/status`,
    });
    expect(extension.starts()).toEqual([
      {
        orchestrator: "syncProfile",
        instanceId: `sync-${HARNESS_PROFILE}`,
        input: { profileKey: HARNESS_PROFILE, dryRun: false, trigger: "manual" },
      },
    ]);
    expect(response.text).not.toContain("caller-key-123");
  });

  it.each([
    ["an unknown conflict id", "item 9|Status", { take: "sharePoint" }, 404, "CONFLICT_NOT_FOUND"],
    [
      "a choice the column does not list",
      "item 1|Status",
      { take: "value", value: "Blocked" },
      400,
      "SETTLEMENT_VALUE_INVALID",
    ],
    ["take value without a value", "item 1|Status", { take: "value" }, 400, "SETTLEMENT_REQUEST_INVALID"],
    ["a value with a side", "item 1|Status", { take: "sharePoint", value: "Open" }, 400, "SETTLEMENT_REQUEST_INVALID"],
    ["an unknown side", "item 1|Status", { take: "SharePoint" }, 400, "SETTLEMENT_REQUEST_INVALID"],
    ["a body that is not JSON", "item 1|Status", "take=sharePoint", 400, "SETTLEMENT_REQUEST_INVALID"],
    ["an unknown property", "item 1|Status", { take: "sharePoint", force: true }, 400, "SETTLEMENT_REQUEST_INVALID"],
  ])("%s: %i %s, nothing recorded", async (_, id, body, status, code) => {
    const response = await resolve(id, body);
    expect([response.status, response.json.error.code]).toEqual([status, code]);
    expect((await h.state.conflicts.get(HARNESS_PROFILE, "item 1|Status"))?.settlement).toBeUndefined();
  });

  it("names the field of a value it refuses", async () => {
    const response = await resolve("item 1|Status", { take: "value", value: "Blocked" });
    expect(response.json.error).toMatchObject({ field: "Status", message: expect.stringContaining('field "Status"') });
  });

  it("already settled: 409 with who settled it and when", async () => {
    await resolve("item 1|Status", { take: "sharePoint", by: "ada@contoso.com" });
    const again = await resolve("item 1|Status", { take: "confluence", by: "bob@contoso.com" });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({
      code: "CONFLICT_ALREADY_SETTLED",
      settledBy: "ada@contoso.com",
      settledAt: expect.any(String),
      take: "sharePoint",
    });
  });

  it("bulk: settles every open conflict with one side; a value is refused for the bulk form", async () => {
    expect((await resolve(undefined, { take: "value", value: "Open" })).status).toBe(400);
    const response = await resolve(undefined, { take: "sharePoint" });
    expect(response.status).toBe(200);
    expect(response.json.settled.map((c: { id: string }) => c.id)).toEqual(["item 1|Status"]);
  });

  it("a bad sync query is 400 INVALID_QUERY, before anything is recorded", async () => {
    const response = await resolve("item 1|Status", { take: "sharePoint" }, "?sync=yes");
    expect([response.status, response.json.error.code]).toEqual([400, "INVALID_QUERY"]);
    expect((await h.state.conflicts.get(HARNESS_PROFILE, "item 1|Status"))?.settlement).toBeUndefined();
  });

  it("settles a delete-vs-edit conflict by taking the deletion; taking the survivor is 409 CONFLICT_NOT_SETTLEABLE", async () => {
    await h.deleteItem("2");
    await h.editRows((rows) => rows.map((row) => (row[0] === "2" ? [row[0], row[1]!, "Done", row[3]!] : row)));
    await h.sync();
    const survivor = await resolve("item 2|(item)", { take: "confluence", by: "ada" });
    expect(survivor.status).toBe(409);
    expect(survivor.json).toMatchObject({ error: { code: "CONFLICT_NOT_SETTLEABLE" } });
    const response = await resolve("item 2|(item)", { take: "sharePoint", by: "ada" });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      settled: [{ id: "item 2|(item)", kind: "deleteVsEdit", settlement: { take: "sharePoint", state: "pending" } }],
    });
    await h.sync();
    expect(h.rowOf("2")).toBeUndefined();
  });
});

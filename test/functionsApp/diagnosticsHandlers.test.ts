import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AppServices,
  diagnosticsSources,
  getProfile,
  getProfileConflicts,
  listProfiles,
} from "../../shared/functionsApp";
import { createManualClock, createMemoryLogger } from "../../shared/runtime";
import { createTableClient } from "../../shared/state/tableClientFactory";
import { SEEDED_SECRET_VALUES, SEEDED_SUBSCRIPTION_ID, seedDiagnostics } from "../helpers/diagnosticsSeed";
import { get, readResponse, testAppServices } from "../helpers/functionsApp";
import { azuriteLocation } from "../helpers/tables";

const NOW = Date.UTC(2026, 2, 1, 9, 30);

describe("diagnostics handlers over Azurite-backed stores", () => {
  let services: AppServices & { tablePrefix: string };
  const logger = createMemoryLogger();
  const bodies: string[] = [];

  beforeAll(async () => {
    services = await testAppServices({ clock: createManualClock(NOW) });
    await seedDiagnostics(
      { profiles: services.config.profiles, secrets: services.config.secrets, state: services.state },
      NOW,
    );
    await createTableClient(azuriteLocation(), `${services.tablePrefix}Profiles`).upsertEntity({
      partitionKey: "profile",
      rowKey: "legacy",
      Profile: JSON.stringify({ key: "legacy", displayName: "Old", fields: [] }),
      UpdatedAt: "2026-01-01T00:00:00.000Z",
    });
  });

  afterAll(() => {
    // Whatever the endpoints answered, no secret value (profile credentials, subscription clientState) was in it.
    const everything = bodies.join("\n") + JSON.stringify(logger.records);
    for (const secret of SEEDED_SECRET_VALUES) expect(everything).not.toContain(secret);
    expect(everything).not.toContain("clientState");
  });

  async function call(handler: typeof listProfiles, url: string, params: Record<string, string> = {}) {
    const response = await readResponse(
      await handler(get(`https://func.example${url}`, params), { sources: diagnosticsSources(services), logger }),
    );
    bodies.push(response.text);
    return response;
  }

  it("GET /api/profiles lists every profile: validity, missing secret names, last run, open conflicts", async () => {
    const { status, json } = await call(listProfiles, "/api/profiles");
    expect(status).toBe(200);
    expect(json.profiles.map((p: { key: string }) => p.key)).toEqual(["hr", "legacy", "paused", "projects"]);
    const [hr, legacy, paused, projects] = json.profiles;
    expect(projects).toEqual({
      key: "projects",
      displayName: "Contoso projects",
      enabled: true,
      valid: true,
      missingSecrets: [],
      errors: [],
      lastRun: expect.objectContaining({
        runId: "run-3",
        outcome: "completedWithErrors",
        trigger: "webhook",
        finishedAt: "2026-03-01T08:10:07.000Z",
      }),
      openConflicts: 2,
    });
    expect(hr).toMatchObject({
      valid: false,
      missingSecrets: ["ConfluenceRefreshToken", "GraphClientSecret"],
      errors: [],
      lastRun: null,
      openConflicts: 0,
    });
    expect(paused).toMatchObject({ enabled: false, valid: true });
    expect(legacy).toMatchObject({ key: "legacy", displayName: "Old", valid: false });
    expect(legacy.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(["sharePoint", "confluence", "fields"]),
    );
  });

  it("GET /api/profiles/{key} adds recent runs, the subscription's expiry and the token refreshes with outcome", async () => {
    const { status, json } = await call(getProfile, "/api/profiles/projects", { profileKey: "projects" });
    expect(status).toBe(200);
    expect(json.recentRuns.map((r: { runId: string; outcome: string }) => [r.runId, r.outcome])).toEqual([
      ["run-3", "completedWithErrors"],
      ["run-2", "failed"],
      ["run-1", "completed"],
    ]);
    expect(json.recentRuns[1].problem).toEqual({
      code: "GRAPH_THROTTLED",
      message: "prepareRun failed after its retries: throttled",
    });
    expect(json.recentRuns[0].counts.confluence).toEqual({ created: 1, updated: 3, deleted: 0 });
    expect(json.subscriptions).toEqual([
      {
        subscriptionId: SEEDED_SUBSCRIPTION_ID,
        expirationDateTime: new Date(NOW + 36 * 3_600_000).toISOString(),
        expiresInHours: 36,
        notificationUrl: "https://func-confluence.azurewebsites.net/api/webhooks/sharepoint",
      },
    ]);
    expect(json.tokenRefreshes).toEqual([
      {
        at: "2026-03-01T09:00:00.000Z",
        outcome: "reauthorization-required",
        errorCode: "REAUTHORIZATION_REQUIRED",
        durationMs: 95,
      },
      { at: "2026-03-01T07:59:00.000Z", outcome: "refreshed", newExpiry: "2026-03-01T08:59:00.000Z", durationMs: 180 },
    ]);
  });

  it("GET /api/profiles/{key}/conflicts shows both values of each open conflict, oldest first", async () => {
    const { status, json } = await call(getProfileConflicts, "/api/profiles/projects/conflicts", {
      profileKey: "projects",
    });
    expect(status).toBe(200);
    expect(json.profileKey).toBe("projects");
    expect(json.conflicts.map((c: { id: string; values: unknown }) => [c.id, c.values])).toEqual([
      ["7/Status", { sharePoint: "Done", confluence: "Blocked", base: "Open" }],
      ["7/Amount", { sharePoint: 12.5, confluence: 13, base: 10 }],
    ]);
    expect(json.conflicts[0]).toMatchObject({
      kind: "field",
      item: { sharePointId: "7", rowKey: "7" },
      field: "Status",
      resolution: "flagged",
      runId: "run-3",
    });
  });

  it("shows a stored profile that no longer validates instead of failing", async () => {
    const { status, json } = await call(getProfile, "/api/profiles/legacy", { profileKey: "legacy" });
    expect(status).toBe(200);
    expect(json).toMatchObject({ key: "legacy", valid: false, recentRuns: [], subscriptions: [], tokenRefreshes: [] });
  });

  it.each([
    [getProfile, "nobody"],
    [getProfileConflicts, "nobody"],
    [getProfile, "bad--key"],
  ])("answers 404 in the error envelope for an unknown profile", async (handler, profileKey) => {
    const { status, json } = await call(handler, `/api/profiles/${profileKey}`, { profileKey });
    expect(status).toBe(404);
    expect(json).toEqual({ error: { code: "PROFILE_NOT_FOUND", message: `profile "${profileKey}" not found` } });
  });
});

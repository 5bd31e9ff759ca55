import type { ProfileStore } from "../../shared/config";
import type { RunReport } from "../../shared/engine/run/runReport";
import type { SecretsProvider } from "../../shared/secrets/secretsProvider";
import type { StateStores } from "../../shared/state/stateStores";
import { validProfile } from "../config/profileFixtures";
import { TEST_SECRETS } from "./functionsApp";

/** A subscription clientState: a shared secret that diagnostics must never show. */
export const SEEDED_CLIENT_STATE = "c2VlZGVkLWNsaWVudC1zdGF0ZS1zaGFyZWQtc2VjcmV0LTQz";
export const SEEDED_SUBSCRIPTION_ID = "8e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";

function run(profile: string, runId: string, startedAt: string, extra: Partial<RunReport> = {}): RunReport {
  return {
    profile,
    runId,
    dryRun: false,
    trigger: "schedule",
    outcome: "completed",
    startedAt,
    finishedAt: startedAt.replace(/:00\.000Z$/, ":07.000Z"),
    cycles: 1,
    counts: {
      sharePoint: { created: 0, updated: 2, deleted: 0 },
      confluence: { created: 1, updated: 3, deleted: 0 },
      conflicts: 1,
      errors: 0,
    },
    items: [],
    apiCalls: { graph: 2, confluence: 3 },
    ...extra,
  };
}

/**
 * Profiles and state as diagnostics meet them: `projects` (runnable, with runs, conflicts, token refreshes and a
 * subscription), `hr` (missing two secrets, never run) and `paused` (disabled).
 */
export async function seedDiagnostics(
  target: { profiles: ProfileStore; secrets: SecretsProvider; state: StateStores },
  now = Date.now(),
): Promise<void> {
  await target.profiles.save(validProfile("projects", { displayName: "Contoso projects" }));
  await target.profiles.save(validProfile("hr"));
  await target.profiles.save(validProfile("paused", { enabled: false }));
  for (const [name, value] of Object.entries(TEST_SECRETS)) {
    await target.secrets.set("projects", name, value);
    await target.secrets.set("paused", name, value);
    if (name !== "GraphClientSecret" && name !== "ConfluenceRefreshToken") await target.secrets.set("hr", name, value);
  }

  await target.state.runs.save(run("projects", "run-1", "2026-03-01T08:00:00.000Z"));
  await target.state.runs.save(
    run("projects", "run-2", "2026-03-01T08:05:00.000Z", {
      outcome: "failed",
      problem: { code: "GRAPH_THROTTLED", message: "prepareRun failed after its retries: throttled" },
    }),
  );
  await target.state.runs.save(
    run("projects", "run-3", "2026-03-01T08:10:00.000Z", { outcome: "completedWithErrors", trigger: "webhook" }),
  );

  const conflict = (
    id: string,
    field: string,
    values: { sharePoint: unknown; confluence: unknown; base: unknown },
    lastSeenAt: string,
  ) => ({
    id,
    profileKey: "projects",
    kind: "field" as const,
    item: { sharePointId: "7", rowKey: "7" },
    field,
    values,
    resolution: "flagged",
    message: `${field} of item 7 changed on both sides`,
    lastSeenAt,
    runId: "run-3",
  });
  await target.state.conflicts.record([
    conflict(
      "7/Status",
      "Status",
      { sharePoint: "Done", confluence: "Blocked", base: "Open" },
      "2026-03-01T08:00:07.000Z",
    ),
    conflict("7/Amount", "Amount", { sharePoint: 12.5, confluence: 13, base: 10 }, "2026-03-01T08:10:07.000Z"),
    conflict("9/Title", "Title", { sharePoint: "a", confluence: "b", base: "c" }, "2026-03-01T08:10:07.000Z"),
  ]);
  await target.state.conflicts.resolve("projects", ["9/Title"], "2026-03-01T08:10:07.000Z", "run-3");

  await target.state.tokenRefreshes.append({
    at: "2026-03-01T07:59:00.000Z",
    profileKey: "projects",
    outcome: "refreshed",
    newExpiry: "2026-03-01T08:59:00.000Z",
    durationMs: 180,
  });
  await target.state.tokenRefreshes.append({
    at: "2026-03-01T09:00:00.000Z",
    profileKey: "projects",
    outcome: "reauthorization-required",
    errorCode: "REAUTHORIZATION_REQUIRED",
    durationMs: 95,
  });

  await target.state.subscriptions.save({
    subscriptionId: SEEDED_SUBSCRIPTION_ID,
    profileKey: "projects",
    clientState: SEEDED_CLIENT_STATE,
    expirationDateTime: new Date(now + 36 * 3_600_000).toISOString(),
    resource: "sites/contoso.sharepoint.com,1111,2222/lists/list-1",
    notificationUrl: "https://func-confluence.azurewebsites.net/api/webhooks/sharepoint?tag=prod",
  });
}

/** Every secret value seeded, for "never leaks" assertions. */
export const SEEDED_SECRET_VALUES = [...Object.values(TEST_SECRETS), SEEDED_CLIENT_STATE];

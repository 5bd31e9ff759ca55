import { describe, expect, it } from "vitest";
import { detailText } from "../../cli/diagnosticsText";
import { detailProfile, type ProfileSummary, summarizeGrant } from "../../shared/diagnostics/profileDiagnostics";
import { EMPTY_GRANT_STATE } from "../../shared/state/grantLedger";

const summary: ProfileSummary = {
  key: "hr",
  displayName: null,
  enabled: true,
  valid: true,
  missingSecrets: [],
  errors: [],
  lastRun: null,
  openConflicts: 0,
};
const NOW = Date.parse("2026-03-01T10:00:00.000Z");

describe("the Confluence grant in diagnostics", () => {
  it("shows an unstored refresh token loudly, with attempts and the last error, and never the token fingerprint", () => {
    const grant = {
      ...EMPTY_GRANT_STATE,
      holder: "host/42/abcd",
      leaseUntilMs: NOW + 30_000,
      exchangeStartedAtMs: NOW - 300_000,
      unsavedSinceMs: NOW - 290_000,
      saveAttempts: 17,
      lastSaveError: "SECRETS_STORE_FAILED",
      tokenHash: "f".repeat(40),
      rotatedAtMs: NOW - 3_600_000,
      rotations: 12,
    };
    const detail = detailProfile(summary, { recentRuns: [], subscriptions: [], tokenRefreshes: [], grant, now: NOW });
    expect(detail.confluenceGrant).toEqual({
      unsavedSince: "2026-03-01T09:55:10.000Z",
      saveAttempts: 17,
      lastSaveError: "SECRETS_STORE_FAILED",
      exchangeStartedAt: "2026-03-01T09:55:00.000Z",
      leaseHeldUntil: "2026-03-01T10:00:30.000Z",
      lastRotatedAt: "2026-03-01T09:00:00.000Z",
      rotations: 12,
    });
    expect(JSON.stringify(detail)).not.toContain("f".repeat(40));
    expect(detailText(detail)).toContain(
      "CONFLUENCE REFRESH TOKEN NOT STORED since 2026-03-01T09:55:10.000Z (17 failed attempts, last SECRETS_STORE_FAILED)",
    );
  });

  it("is null before the first refresh, and quiet when all is stored", () => {
    expect(
      detailProfile(summary, { recentRuns: [], subscriptions: [], tokenRefreshes: [], now: NOW }).confluenceGrant,
    ).toBeNull();
    const settled = summarizeGrant({ ...EMPTY_GRANT_STATE, rotatedAtMs: NOW, rotations: 1 }, NOW);
    expect(settled).toMatchObject({ unsavedSince: null, exchangeStartedAt: null, leaseHeldUntil: null });
  });
});

import { describe, expect, it } from "vitest";
import {
  CONSENT_STATE_RETENTION_MS,
  hourlyMaintenance,
  sweepExpiredStateRows,
  TOKEN_CLAIM_RETENTION_MS,
} from "../../shared/functionsApp";
import { createMemoryLogger } from "../../shared/runtime";
import { grantKeyOf } from "../../shared/state/grantLedger";
import { testAppServices } from "../helpers/functionsApp";

/**
 * Housekeeping (docs/operations.md#housekeeping) over Azurite: the rows nothing else deletes, consent states and
 * refresh-token claims, go once they can do nothing; live ones stay. Time is a settable clock.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TTL = 10 * MINUTE;
const NOW = Date.UTC(2026, 11, 7, 12, 7);
const CALLBACK = "https://app.example/api/connect/confluence/callback";

function settableClock(at: number) {
  const clock = { at, now: () => clock.at };
  return clock;
}

describe("housekeeping of consent states (ConfluenceConsents)", () => {
  it("removes states a day past their expiry, used or not, and keeps the recently expired and the live ones", async () => {
    const clock = settableClock(NOW);
    const services = await testAppServices({ clock });
    const { consents } = services.state;
    const issue = (at: number) => consents.issue("hr", CALLBACK, at, TTL);
    const oldUnused = await issue(NOW - 3 * DAY);
    const oldUsed = await issue(NOW - 2 * DAY);
    expect(await consents.consume(oldUsed, NOW - 2 * DAY + MINUTE)).toMatchObject({ ok: true });
    const recentlyExpired = await issue(NOW - 2 * HOUR);
    const live = await issue(NOW - MINUTE);
    const liveUsed = await issue(NOW - 2 * MINUTE);
    expect(await consents.consume(liveUsed, NOW - MINUTE)).toMatchObject({ ok: true });
    expect(await consents.consume(oldUnused, NOW)).toEqual({ ok: false, reason: "expired" });

    const report = await sweepExpiredStateRows(services, createMemoryLogger());
    expect(report).toEqual({ consentStates: 2, tokenClaims: 0 });

    // Gone: refused all the same, as unknown.
    expect(await consents.consume(oldUnused, NOW)).toEqual({ ok: false, reason: "unknown" });
    expect(await consents.consume(oldUsed, NOW)).toEqual({ ok: false, reason: "unknown" });
    // Kept: a late callback still hears why, and a live state still works once.
    expect(await consents.consume(recentlyExpired, NOW)).toEqual({ ok: false, reason: "expired" });
    expect(await consents.consume(liveUsed, NOW)).toEqual({ ok: false, reason: "used" });
    expect(await consents.consume(live, NOW)).toEqual({ ok: true, profileKey: "hr", redirectUri: CALLBACK });
    expect(await sweepExpiredStateRows(services, createMemoryLogger())).toEqual({ consentStates: 0, tokenClaims: 0 });
  });

  it("removes at most the limit per pass; the next pass takes the rest", async () => {
    const services = await testAppServices({ clock: settableClock(NOW) });
    for (const days of [2, 3, 4]) await services.state.consents.issue("hr", CALLBACK, NOW - days * DAY, TTL);
    const live = await services.state.consents.issue("hr", CALLBACK, NOW, TTL);
    const passes = [];
    for (let pass = 0; pass < 3; pass += 1)
      passes.push((await sweepExpiredStateRows(services, createMemoryLogger(), 2)).consentStates);
    expect(passes).toEqual([2, 1, 0]);
    expect(await services.state.consents.consume(live, NOW)).toMatchObject({ ok: true });
  });

  it("keeps a state until exactly a day past its expiry", async () => {
    const clock = settableClock(NOW);
    const services = await testAppServices({ clock });
    const state = await services.state.consents.issue("hr", CALLBACK, NOW - TTL - CONSENT_STATE_RETENTION_MS, TTL);
    clock.at = NOW - 1;
    expect((await sweepExpiredStateRows(services, createMemoryLogger())).consentStates).toBe(0);
    clock.at = NOW + 1;
    expect((await sweepExpiredStateRows(services, createMemoryLogger())).consentStates).toBe(1);
    expect(await services.state.consents.consume(state, NOW)).toEqual({ ok: false, reason: "unknown" });
  });
});

describe("housekeeping of refresh-token claims (ConfluenceGrants)", () => {
  it("removes claims older than a grant can live, keeps younger ones, and never touches a grant row", async () => {
    const services = await testAppServices({ clock: settableClock(NOW) });
    const ledger = services.state.confluenceGrants;
    const claim = (hash: string, profileKey: string, claimedAtMs: number) =>
      ledger.claimToken(hash, { grantKey: grantKeyOf(profileKey), profileKey, claimedAtMs });
    await claim("a".repeat(64), "hr", NOW - TOKEN_CLAIM_RETENTION_MS - DAY);
    await claim("b".repeat(64), "hr", NOW - TOKEN_CLAIM_RETENTION_MS - 1);
    await claim("c".repeat(64), "hr", NOW - 364 * DAY);
    await claim("d".repeat(64), "token-hr", NOW - MINUTE);
    // A grant whose key falls in the claims' key range ("token-…"), its lease taken long ago.
    const lease = await ledger.acquire(grantKeyOf("token-hr"), "host/1", NOW - 500 * DAY, NOW - 500 * DAY + MINUTE);
    expect(lease.kind).toBe("acquired");

    const logger = createMemoryLogger();
    expect(await sweepExpiredStateRows(services, logger)).toEqual({ consentStates: 0, tokenClaims: 2 });

    // Swept claims can be claimed afresh; kept ones still say whose they are.
    const again = (hash: string) => claim(hash, "other", NOW);
    expect((await again("a".repeat(64))).kind).toBe("claimed");
    expect((await again("b".repeat(64))).kind).toBe("claimed");
    expect(await again("c".repeat(64))).toMatchObject({ kind: "claimedBefore", claim: { profileKey: "hr" } });
    expect(await again("d".repeat(64))).toMatchObject({ kind: "claimedBefore", claim: { profileKey: "token-hr" } });
    expect(await ledger.read(grantKeyOf("token-hr"))).toMatchObject({ holder: "host/1" });
    expect(JSON.stringify(logger.records)).toContain("housekeeping swept expired state rows");
  });
});

describe("the hourly timer", () => {
  it("sweeps after keeping the subscriptions, and still sweeps (then fails) when that pass fails", async () => {
    const services = await testAppServices({
      clock: settableClock(NOW),
      env: { WEBHOOK_NOTIFICATION_URL: "https://app.example/api/webhooks/sharepoint" },
    });
    await services.state.consents.issue("hr", CALLBACK, NOW - 2 * DAY, TTL);
    expect(await hourlyMaintenance(services, createMemoryLogger())).toEqual({ consentStates: 1, tokenClaims: 0 });

    await services.state.consents.issue("hr", CALLBACK, NOW - 2 * DAY, TTL);
    const broken = {
      ...services,
      config: {
        ...services.config,
        profiles: Object.assign(Object.create(services.config.profiles), {
          list: async () => {
            throw new Error("profiles table unavailable");
          },
        }),
      },
    };
    await expect(hourlyMaintenance(broken, createMemoryLogger())).rejects.toThrow("profiles table unavailable");
    expect(await sweepExpiredStateRows(services, createMemoryLogger())).toEqual({ consentStates: 0, tokenClaims: 0 });
  });
});

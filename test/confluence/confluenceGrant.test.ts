import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ConfluenceEmulator } from "../../dev/emulators/confluence/confluenceEmulator";
import type { RunningKeyVaultEmulator } from "../../dev/emulators/keyVault/keyVaultEmulator";
import { ReauthorizationRequired, RefreshTokenRetired } from "../../shared/confluence";
import { summarizeGrant } from "../../shared/diagnostics/profileDiagnostics";
import { TOKEN_REFRESH_EVENT } from "../../shared/engine/telemetryEvents";
import { tokenRefreshesWithTelemetry } from "../../shared/engine/tokenRefreshTelemetry";
import { createRecordingTelemetry } from "../../shared/runtime";
import { InMemorySecretsProvider, SecretNames, type SecretsProvider } from "../../shared/secrets";
import { grantKeyOf } from "../../shared/state/grantLedger";
import { TableGrantLedger } from "../../shared/state/tableGrantLedger";
import {
  emulatorPerTest,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_REFRESH_TOKEN,
  testSeed,
} from "../helpers/confluenceSite";
import { connectStack, MemoryRefreshHistory, PROFILE, type StackOptions, tokenCalls } from "../helpers/confluenceStack";
import { emulatedKeyVaultProvider, startTestKeyVault, TEST_VAULT_TOKEN } from "../helpers/keyVault";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";

/**
 * The grant survives every failure where a copy of its newest refresh token can still be stored (issue 13): Key Vault
 * writes failing for minutes or longer than the reuse leeway, a process dying between the token call and the store,
 * a stale or restored token, one token in two profiles. Each "process" is its own ConfluenceTokenManager (own cache,
 * own name in the ledger) over the same Key Vault (the emulator, through the real SecretClient), the same grant
 * ledger (Azurite) and the same Atlassian (the emulator, with the 10-minute leeway and Auth0's "previous token only"
 * reuse rule). Time is the emulator's clock, which every process also uses.
 */

const MINUTE = 60_000;
const startSite = emulatorPerTest();
let kv: RunningKeyVaultEmulator;
let ledger: TableGrantLedger;
let vault: SecretsProvider;

beforeEach(async () => {
  kv = await startTestKeyVault();
  ledger = await TableGrantLedger.open(azuriteLocation(), uniqueTablePrefix("grants"));
  vault = emulatedKeyVaultProvider(kv);
  await storeConsent(PROFILE, TEST_REFRESH_TOKEN);
});
afterEach(async () => {
  await kv.close();
});

function start(oauth: Record<string, unknown> = {}): Promise<ConfluenceEmulator> {
  return startSite(
    testSeed({
      oauth: {
        clientId: TEST_CLIENT_ID,
        clientSecret: TEST_CLIENT_SECRET,
        refreshTokens: [TEST_REFRESH_TOKEN],
        reuseLeewaySeconds: 600,
        ...oauth,
      },
    }),
  );
}

/** An admin stores a profile's Atlassian credentials after consenting. */
async function storeConsent(profileKey: string, refreshToken: string, secrets: SecretsProvider = vault) {
  await secrets.set(profileKey, SecretNames.ConfluenceClientId, TEST_CLIENT_ID);
  await secrets.set(profileKey, SecretNames.ConfluenceClientSecret, TEST_CLIENT_SECRET);
  await secrets.set(profileKey, SecretNames.ConfluenceRefreshToken, refreshToken);
}

/** One instance of the app: its own token manager over the shared vault, ledger and clock. */
function instance(e: ConfluenceEmulator, options: StackOptions = {}) {
  return connectStack(e, { secrets: emulatedKeyVaultProvider(kv), ledger, clock: e.clock, ...options });
}

const stored = (profileKey = PROFILE) => vault.get(profileKey, SecretNames.ConfluenceRefreshToken);
const grant = (profileKey = PROFILE) => ledger.read(grantKeyOf(profileKey));
const outcomes = (history: unknown) => (history as MemoryRefreshHistory).records.map((r) => r.outcome);
const family = (e: ConfluenceEmulator) => (e.state().tokenFamilies as Array<{ revoked: boolean }>)[0];

/** The app identity lost its write permission (Secrets User instead of Secrets Officer): every write is 403. */
async function failVaultWrites(profileKey = PROFILE): Promise<void> {
  await fetch(`${kv.vaultUrl}/_admin/faults`, {
    method: "POST",
    body: JSON.stringify({
      method: "PUT",
      path: `${profileKey}--ConfluenceRefreshToken`,
      status: 403,
      times: -1,
      body: { error: { code: "Forbidden", message: "The user does not have secrets set permission" } },
    }),
  });
}
async function restoreVaultWrites(): Promise<void> {
  await fetch(`${kv.vaultUrl}/_admin/faults`, { method: "DELETE" });
}

/** A vault client whose writes never complete: the process is frozen (or dies) in the middle of one. */
class FrozenWrites implements SecretsProvider {
  writesStarted = 0;
  constructor(readonly inner: SecretsProvider) {}
  get(profileKey: string, name: string) {
    return this.inner.get(profileKey, name);
  }
  set(): Promise<void> {
    this.writesStarted += 1;
    return new Promise(() => undefined);
  }
  listNames(profileKey: string) {
    return this.inner.listNames(profileKey);
  }
  delete(profileKey: string, name: string) {
    return this.inner.delete(profileKey, name);
  }
}

describe("the Confluence grant survives", () => {
  it("Key Vault writes failing at 0 and 5 minutes: the rotated token is kept, used, and stored once writes work", async () => {
    const e = await start();
    await failVaultWrites();
    const app = instance(e);

    // 0 min: the run gets its access token; the rotated refresh token lives only in this process.
    await app.tokens.getAccessToken(PROFILE);
    expect((await app.client.getPage("98306")).title).toBe("Roster");
    expect(await stored()).toBe(TEST_REFRESH_TOKEN);
    expect(outcomes(app.history)).toEqual(["refreshed-unsaved"]);
    await expect.poll(async () => (await grant())?.saveAttempts).toBeGreaterThan(0);
    const unsaved = summarizeGrant((await grant())!, e.clock.now());
    expect(unsaved).toMatchObject({ unsavedSince: expect.any(String), lastSaveError: "SECRETS_STORE_FAILED" });

    // 5 min: the next run uses the same access token; nothing is exchanged, the store keeps being retried.
    e.clock.advance(5 * MINUTE);
    await app.client.getPage("98306");
    expect(tokenCalls(e)).toBe(1);

    // 10.5 min: the role is fixed; the kept token lands.
    e.clock.advance(5.5 * MINUTE);
    await restoreVaultWrites();
    await expect.poll(() => stored()).not.toBe(TEST_REFRESH_TOKEN);
    await expect.poll(async () => (await grant())?.unsavedSinceMs).toBeNull();
    await expect.poll(() => outcomes(app.history)).toEqual(["refreshed-unsaved", "saved-late"]);

    // An hour later another instance starts from what was stored.
    e.clock.advance(60 * MINUTE);
    expect((await instance(e).client.getPage("98306")).title).toBe("Roster");
    expect(family(e)).toMatchObject({ revoked: false, refreshCount: 2 });
    expect(JSON.stringify(app.logger.records)).not.toMatch(/eyJ/);
  });

  it("Key Vault writes failing longer than the leeway: the kept token is used for the next refresh, then stored", async () => {
    const e = await start();
    await failVaultWrites();
    const app = instance(e);
    await app.tokens.getAccessToken(PROFILE);

    // Past the leeway the stored token is dead; the process still holds the newest one.
    e.clock.advance(15 * MINUTE);
    await app.client.getPage("98306");
    // 61 min: the access token is spent; the refresh uses the kept token, not the stored (retired) one.
    e.clock.advance(46 * MINUTE);
    await app.client.getPage("98306");
    expect(tokenCalls(e)).toBe(2);
    expect(await stored()).toBe(TEST_REFRESH_TOKEN);
    expect(outcomes(app.history)).toEqual(["refreshed-unsaved", "refreshed-unsaved"]);

    e.clock.advance(9 * MINUTE);
    await restoreVaultWrites();
    await expect.poll(() => stored()).not.toBe(TEST_REFRESH_TOKEN);
    e.clock.advance(60 * MINUTE);
    expect((await instance(e).client.getPage("98306")).title).toBe("Roster");
    expect(family(e)).toMatchObject({ revoked: false, refreshCount: 3 });
  });

  it("a process dying between the token call and the store: another instance sees it and refreshes inside the leeway", async () => {
    const e = await start();
    const other = instance(e);
    await other.tokens.getAccessToken(PROFILE); // 0 min: rotated and stored; this instance keeps its access token
    const rotated = await stored();

    e.clock.advance(MINUTE);
    const frozen = new FrozenWrites(emulatedKeyVaultProvider(kv));
    const dying = instance(e, { secrets: frozen });
    void dying.tokens.getAccessToken(PROFILE).catch(() => undefined);
    await expect.poll(() => frozen.writesStarted).toBe(1);
    dying.tokens.dispose(); // gone: nothing stored, nothing released
    expect(tokenCalls(e)).toBe(2);
    expect(await stored()).toBe(rotated);
    expect((await grant())?.exchangeStartedAtMs).not.toBeNull();

    // 6 min, the next scheduled run: the surviving instance finds the interrupted refresh and refreshes now.
    e.clock.advance(5 * MINUTE);
    await other.client.getPage("98306");
    expect(tokenCalls(e)).toBe(3);
    expect(await stored()).not.toBe(rotated);
    expect((await grant())?.exchangeStartedAtMs).toBeNull();

    // 66 min: far past the dead process's leeway, the grant still refreshes.
    e.clock.advance(60 * MINUTE);
    expect((await other.client.getPage("98306")).title).toBe("Roster");
    expect(family(e)).toMatchObject({ revoked: false });
  });

  it("a restored old secret version: the retired token is not sent, and the newest version works again", async () => {
    const e = await start();
    await instance(e).tokens.getAccessToken(PROFILE);
    const newest = (await stored())!;

    e.clock.advance(11 * MINUTE);
    await vault.set(PROFILE, SecretNames.ConfluenceRefreshToken, TEST_REFRESH_TOKEN); // an admin restores a backup
    const next = instance(e);
    const error = await next.tokens.getAccessToken(PROFILE).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RefreshTokenRetired);
    expect(error).toMatchObject({ code: "CONFLUENCE_REFRESH_TOKEN_RETIRED", reason: "olderThanStored" });
    expect(tokenCalls(e)).toBe(1);
    expect(family(e)).toMatchObject({ revoked: false });

    await vault.set(PROFILE, SecretNames.ConfluenceRefreshToken, newest); // the admin restores the newest version
    expect((await next.client.getPage("98306")).title).toBe("Roster");
  });

  it("one token in two profiles: the second profile is refused before sending it, the first keeps the grant", async () => {
    const e = await start();
    const copy = `${PROFILE}-copy`;
    await storeConsent(copy, TEST_REFRESH_TOKEN);
    const first = instance(e);
    await first.tokens.getAccessToken(PROFILE);

    e.clock.advance(11 * MINUTE);
    const error = await instance(e)
      .tokens.getAccessToken(copy)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: "CONFLUENCE_REFRESH_TOKEN_RETIRED",
      reason: "sharedWithAnotherProfile",
      exchangedBy: PROFILE,
      profileKey: copy,
    });
    expect((error as Error).message).not.toContain(TEST_REFRESH_TOKEN);
    expect(tokenCalls(e)).toBe(1);

    e.clock.advance(60 * MINUTE);
    expect((await instance(e).client.getPage("98306")).title).toBe("Roster");
    expect(family(e)).toMatchObject({ revoked: false });
  });

  it("case-variant keys holding copies of one token (a case-sensitive store): the variant is refused, the grant lives", async () => {
    const e = await start();
    const variant = "Team-Roster";
    const local = new InMemorySecretsProvider();
    await storeConsent(PROFILE, TEST_REFRESH_TOKEN, local);
    await storeConsent(variant, TEST_REFRESH_TOKEN, local);
    await instance(e, { secrets: local }).tokens.getAccessToken(PROFILE);

    e.clock.advance(11 * MINUTE);
    await expect(instance(e, { secrets: local }).tokens.getAccessToken(variant)).rejects.toBeInstanceOf(
      RefreshTokenRetired,
    );
    expect(tokenCalls(e)).toBe(1);
    e.clock.advance(60 * MINUTE);
    expect((await instance(e, { secrets: local }).client.getPage("98306")).title).toBe("Roster");
    expect(family(e)).toMatchObject({ revoked: false });
  });

  it("case-variant keys sharing one Key Vault secret refresh one at a time, even with no reuse leeway at all", async () => {
    const e = await start({ reuseLeewaySeconds: 0 });
    e.server.faults.add({ method: "POST", path: "^/oauth/token$", latencyMs: 200, times: -1 });
    const variant = "Team-Roster"; // Key Vault names ignore case: the same secret as PROFILE's
    const [lower, upper] = await Promise.all([
      instance(e).tokens.getAccessToken(PROFILE),
      instance(e).tokens.getAccessToken(variant),
    ]);
    expect(lower.value).not.toBe(upper.value);
    expect(tokenCalls(e)).toBe(2);
    expect(family(e)).toMatchObject({ revoked: false, refreshCount: 2 });
  });

  it("invalid_grant after the stored token changed (a new consent stored meanwhile): re-reads it and tries once more", async () => {
    const e = await start();
    // The user changed their password: the grant is dead; an admin consents again while a refresh is in flight.
    await fetch(`${e.urls.baseUrl}/_admin/oauth/revoke-all`, { method: "POST" });
    const consent = (await (await fetch(`${e.urls.baseUrl}/_admin/oauth/consent`, { method: "POST" })).json()) as {
      refresh_token: string;
    };
    e.server.faults.add({ method: "POST", path: "^/oauth/token$", latencyMs: 300, times: 1 });
    const reads: string[] = [];
    const inner = emulatedKeyVaultProvider(kv);
    const watched: SecretsProvider = {
      get: async (key, name) => {
        reads.push(name);
        return inner.get(key, name);
      },
      set: (key, name, value) => inner.set(key, name, value),
      listNames: (key) => inner.listNames(key),
      delete: (key, name) => inner.delete(key, name),
    };
    const app = instance(e, { secrets: watched });
    const refreshing = app.tokens.getAccessToken(PROFILE);
    await expect.poll(() => reads).toContain(SecretNames.ConfluenceRefreshToken);
    await vault.set(PROFILE, SecretNames.ConfluenceRefreshToken, consent.refresh_token);

    await refreshing;
    expect(tokenCalls(e)).toBe(2);
    expect(await stored()).not.toBe(consent.refresh_token); // rotated from the new consent and stored
    expect((app.logger.records as Array<{ message: string }>).map((r) => r.message)).toContain(
      "the refresh token was refused, but another one is stored now; trying that one once",
    );
  });

  it("gives up a kept token when an admin deletes the secret to stop the profile, and brings nothing back", async () => {
    const e = await start();
    await failVaultWrites();
    const app = instance(e);
    await app.tokens.getAccessToken(PROFILE);
    // The admin deletes it in the portal: soft-deleted, recoverable (not purged).
    await fetch(`${kv.vaultUrl}/secrets/${PROFILE}--ConfluenceRefreshToken?api-version=7.5`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${TEST_VAULT_TOKEN}` },
    });
    await restoreVaultWrites();
    await expect.poll(() => outcomes(app.history)).toEqual(["refreshed-unsaved", "unsaved-dropped"]);
    expect(await stored()).toBeUndefined();
    e.clock.advance(61 * MINUTE);
    await expect(app.tokens.getAccessToken(PROFILE)).rejects.toBeInstanceOf(ReauthorizationRequired);
  });
});

/**
 * The alert "a rotated refresh token is not stored" (infra/app/alerts/refreshTokenUnsaved.kql) fires while a profile's
 * latest ConfluenceSync.TokenRefresh event is `refreshed-unsaved` or `unsaved-dropped`: these are the events a real
 * Key Vault refusal produces, through the same history-with-telemetry the engine wires (engineServices.ts).
 */
describe("an unsaved refresh token is an event the alert reads", () => {
  function withTelemetry(e: ConfluenceEmulator) {
    const telemetry = createRecordingTelemetry();
    const app = instance(e, { history: tokenRefreshesWithTelemetry(new MemoryRefreshHistory(), telemetry) });
    const events = () => telemetry.events.filter((event) => event.name === TOKEN_REFRESH_EVENT.name);
    return { app, telemetry, events };
  }

  it("writes refused (403): `refreshed-unsaved` with the store's error code and attempts, then `saved-late` once stored", async () => {
    const e = await start();
    await failVaultWrites();
    const { app, telemetry, events } = withTelemetry(e);
    await app.tokens.getAccessToken(PROFILE);

    expect(events()).toEqual([
      {
        name: "ConfluenceSync.TokenRefresh",
        dimensions: {
          Profile: PROFILE,
          Outcome: "refreshed-unsaved",
          ErrorCode: "SECRETS_STORE_FAILED",
          NewExpiry: expect.any(String),
        },
        measurements: { DurationMs: expect.any(Number), SaveAttempts: 1 },
        at: expect.any(Number),
      },
    ]);

    e.clock.advance(2 * MINUTE);
    await restoreVaultWrites();
    await expect
      .poll(() => events().map((event) => event.dimensions.Outcome))
      .toEqual(["refreshed-unsaved", "saved-late"]);
    const late = events()[1];
    expect(late?.measurements.SaveAttempts).toBeGreaterThanOrEqual(1);
    // The clearing event is the later one, so the alert's "latest event per profile" resolves.
    expect(late?.at).toBeGreaterThan(events()[0]?.at ?? Number.POSITIVE_INFINITY);
    const newest = await stored();
    expect(newest).not.toBe(TEST_REFRESH_TOKEN);
    for (const secret of [TEST_REFRESH_TOKEN, newest ?? "", TEST_CLIENT_SECRET])
      expect(JSON.stringify(telemetry.events)).not.toContain(secret);
  });

  it("a kept token given up (the secret deleted meanwhile): `unsaved-dropped` follows, so the alert keeps firing", async () => {
    const e = await start();
    await failVaultWrites();
    const { app, events } = withTelemetry(e);
    await app.tokens.getAccessToken(PROFILE);
    await fetch(`${kv.vaultUrl}/secrets/${PROFILE}--ConfluenceRefreshToken?api-version=7.5`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${TEST_VAULT_TOKEN}` },
    });
    await restoreVaultWrites();
    await expect
      .poll(() => events().map((event) => event.dimensions.Outcome))
      .toEqual(["refreshed-unsaved", "unsaved-dropped"]);
    expect(events()[1]?.dimensions.Profile).toBe(PROFILE);
    expect(events()[1]?.measurements.SaveAttempts).toBeGreaterThanOrEqual(1);
  });
});

describe("storeNewGrant (the entry point for a new consent)", () => {
  it("stores the new refresh token under the lease, drops what was kept of the old grant and uses the new access token", async () => {
    const e = await start();
    await failVaultWrites();
    const app = instance(e);
    await app.tokens.getAccessToken(PROFILE); // the old grant's rotated token is kept, unsaved
    await restoreVaultWrites();
    await fetch(`${e.urls.baseUrl}/_admin/oauth/revoke-all`, { method: "POST" });
    const consent = (await (await fetch(`${e.urls.baseUrl}/_admin/oauth/consent`, { method: "POST" })).json()) as {
      refresh_token: string;
    };
    // What the authorization-code exchange returns, modelled by one refresh of the new consent's token.
    const exchanged = await connectStack(e, {
      secrets: new InMemorySecretsProvider({
        other: {
          [SecretNames.ConfluenceClientId]: TEST_CLIENT_ID,
          [SecretNames.ConfluenceClientSecret]: TEST_CLIENT_SECRET,
        },
      }),
    }).auth.refresh(
      { clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, refreshToken: consent.refresh_token },
      "other",
    );
    await app.tokens.storeNewGrant(PROFILE, {
      refreshToken: exchanged.refreshToken,
      accessToken: exchanged.accessToken,
      expiresInSeconds: exchanged.expiresInSeconds,
      scopes: exchanged.scopes,
    });
    expect(await stored()).toBe(exchanged.refreshToken);
    expect((await app.tokens.getAccessToken(PROFILE)).value).toBe(exchanged.accessToken);
    const calls = tokenCalls(e);
    expect((await app.client.getPage("98306")).title).toBe("Roster");
    expect(tokenCalls(e)).toBe(calls); // the access token that came with the grant is used: no rotation
    expect(await grant()).toMatchObject({ unsavedSinceMs: null, holder: null });
    expect(outcomes(app.history)).toContain("new-grant-stored");
    e.clock.advance(61 * MINUTE);
    expect((await app.client.getPage("98306")).title).toBe("Roster");
  });
});

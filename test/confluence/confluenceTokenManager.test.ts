import { describe, expect, it } from "vitest";
import type { ConfluenceEmulator } from "../../dev/emulators/confluence/confluenceEmulator";
import { AccessToken, ConfluenceErrorCode, ReauthorizationRequired } from "../../shared/confluence";
import { InMemorySecretsProvider } from "../../shared/secrets/inMemorySecretsProvider";
import { SecretNames } from "../../shared/secrets/secretsProvider";
import { TokenRefreshHistory } from "../../shared/state/tokenRefreshHistory";
import {
  emulatorPerTest,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_REFRESH_TOKEN,
  testSeed,
} from "../helpers/confluenceSite";
import {
  connectStack,
  type MemoryRefreshHistory,
  PROFILE,
  profileSecrets,
  profileSecretValues,
  servedCalls,
  tokenCalls,
} from "../helpers/confluenceStack";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";

const startSite = emulatorPerTest();

function start(oauth: Record<string, unknown> = {}): Promise<ConfluenceEmulator> {
  return startSite(
    testSeed({
      oauth: {
        clientId: TEST_CLIENT_ID,
        clientSecret: TEST_CLIENT_SECRET,
        refreshTokens: [TEST_REFRESH_TOKEN],
        ...oauth,
      },
    }),
  );
}

const storedRefreshToken = (secrets: InMemorySecretsProvider) =>
  secrets.get(PROFILE, SecretNames.ConfluenceRefreshToken);

/** A SecretsProvider whose refresh-token writes wait until the test releases them (or fail, to simulate a crash). */
class GatedSecrets extends InMemorySecretsProvider {
  readonly writes: string[] = [];
  gate: Promise<void> = Promise.resolve();
  failWrites = false;
  override async set(profileKey: string, name: string, value: string): Promise<void> {
    this.writes.push(name);
    await this.gate;
    if (this.failWrites) throw new Error(`disk full while writing ${value}`);
    await super.set(profileKey, name, value);
  }
}

function gatedSecrets(): GatedSecrets {
  return new GatedSecrets(profileSecretValues());
}

describe("AccessToken", () => {
  it("counts as expired from expiry minus the skew, capped at half its lifetime", () => {
    const token = new AccessToken("value-123456", { issuedAtMs: 0, expiresInMs: 3_600_000, skewMs: 60_000 });
    expect(token.isExpired(3_539_999)).toBe(false);
    expect(token.isExpired(3_540_000)).toBe(true);
    const short = new AccessToken("value-123456", { issuedAtMs: 0, expiresInMs: 10_000, skewMs: 60_000 });
    expect(short.isExpired(4_999)).toBe(false);
    expect(short.isExpired(5_000)).toBe(true);
    expect(JSON.stringify({ token })).not.toContain("value-123456");
    expect(String(token)).not.toContain("value-123456");
  });
});

describe("ConfluenceTokenManager", () => {
  it("rotates: stores the new refresh token, caches the access token until it expires", async () => {
    const e = await start();
    const { tokens, secrets, history } = connectStack(e);
    const first = await tokens.getAccessToken(PROFILE);
    const rotated = await storedRefreshToken(secrets as InMemorySecretsProvider);
    expect(rotated).toBeDefined();
    expect(rotated).not.toBe(TEST_REFRESH_TOKEN);
    expect(await tokens.getAccessToken(PROFILE)).toBe(first);
    expect(tokenCalls(e)).toBe(1);
    expect((history as MemoryRefreshHistory).records).toEqual([
      expect.objectContaining({
        profileKey: PROFILE,
        outcome: "refreshed",
        newExpiry: new Date(first.expiresAtMs).toISOString(),
        durationMs: expect.any(Number),
      }),
    ]);
  });

  it("persists the rotated refresh token before handing out the access token", async () => {
    const e = await start();
    const secrets = gatedSecrets();
    let release!: () => void;
    secrets.gate = new Promise((resolve) => (release = resolve));
    const { tokens } = connectStack(e, { secrets });
    let handedOut = false;
    const pending = tokens.getAccessToken(PROFILE).then((t) => {
      handedOut = true;
      return t;
    });
    await expect.poll(() => secrets.writes).toEqual([SecretNames.ConfluenceRefreshToken]);
    expect(tokenCalls(e)).toBe(1);
    expect(handedOut).toBe(false);
    release();
    await pending;
    expect(handedOut).toBe(true);
    expect(await secrets.get(PROFILE, SecretNames.ConfluenceRefreshToken)).not.toBe(TEST_REFRESH_TOKEN);
  });

  it("is single-flight: 20 concurrent callers with no valid token cause exactly one token call", async () => {
    const e = await start();
    const { tokens } = connectStack(e);
    const all = await Promise.all(Array.from({ length: 20 }, () => tokens.getAccessToken(PROFILE)));
    expect(new Set(all.map((t) => t.value)).size).toBe(1);
    expect(servedCalls(e)).toEqual(["POST /oauth/token 200"]);
  });

  it("replaces a token the API rejected once, however many callers report it", async () => {
    const e = await start();
    const { tokens } = connectStack(e);
    const first = await tokens.getAccessToken(PROFILE);
    const replaced = await Promise.all(
      Array.from({ length: 5 }, () => tokens.getAccessToken(PROFILE, { rejected: first.value })),
    );
    expect(new Set(replaced.map((t) => t.value)).size).toBe(1);
    expect(replaced[0]!.value).not.toBe(first.value);
    // A late report of the old token does not refresh again.
    expect((await tokens.getAccessToken(PROFILE, { rejected: first.value })).value).toBe(replaced[0]!.value);
    expect(tokenCalls(e)).toBe(2);
  });

  it("keeps a rotated refresh token it could not store, uses it, and stores it once the store works", async () => {
    const e = await start({ reuseLeewaySeconds: 600 });
    const secrets = gatedSecrets();
    secrets.failWrites = true;
    const process = connectStack(e, { secrets, clock: e.clock });
    const token = await process.tokens.getAccessToken(PROFILE);
    expect((await process.client.getPage("98306")).title).toBe("Roster");
    expect(await secrets.get(PROFILE, SecretNames.ConfluenceRefreshToken)).toBe(TEST_REFRESH_TOKEN);
    const failed = (process.logger.records as Array<{ message: string }>).filter((r) =>
      r.message.startsWith("could not store the rotated Confluence refresh token"),
    );
    expect(failed.length).toBeGreaterThan(0);
    expect(JSON.stringify(process.logger.records)).not.toMatch(/eyJ/);
    expect((process.history as MemoryRefreshHistory).records.map((r) => r.outcome)).toEqual(["refreshed-unsaved"]);

    secrets.failWrites = false;
    await expect.poll(() => secrets.get(PROFILE, SecretNames.ConfluenceRefreshToken)).not.toBe(TEST_REFRESH_TOKEN);
    await expect
      .poll(() => (process.history as MemoryRefreshHistory).records.map((r) => r.outcome))
      .toEqual(["refreshed-unsaved", "saved-late"]);
    expect(await process.tokens.getAccessToken(PROFILE)).toBe(token);
    expect(e.state().tokenFamilies).toEqual([expect.objectContaining({ revoked: false, refreshCount: 1 })]);
  });

  it("turns reuse after the leeway into ReauthorizationRequired, revoking the family, with a history row in Table Storage", async () => {
    const e = await start({ reuseLeewaySeconds: 600 });
    const history = await TokenRefreshHistory.open(azuriteLocation(), uniqueTablePrefix("refresh"));
    const secrets = profileSecrets();
    const first = connectStack(e, { secrets, history });
    await first.tokens.getAccessToken(PROFILE);
    const current = (await secrets.get(PROFILE, SecretNames.ConfluenceRefreshToken))!;

    // A stale copy of the original token (a restored backup, a second process) comes back after the leeway.
    e.clock.advance(11 * 60_000);
    const stale = connectStack(e, { secrets: profileSecrets(TEST_REFRESH_TOKEN), history });
    const error = await stale.tokens.getAccessToken(PROFILE).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ReauthorizationRequired);
    expect(error).toMatchObject({
      code: "REAUTHORIZATION_REQUIRED",
      profileKey: PROFILE,
      reason: "invalid_grant",
      transient: false,
    });
    expect(tokenCalls(e)).toBe(2); // no retry loop on a dead grant

    // The whole family is revoked: the legitimately stored newest token is dead as well.
    const victim = connectStack(e, { secrets, history });
    await expect(victim.tokens.getAccessToken(PROFILE)).rejects.toBeInstanceOf(ReauthorizationRequired);
    expect(e.state().tokenFamilies).toEqual([expect.objectContaining({ revoked: true })]);
    expect(await secrets.get(PROFILE, SecretNames.ConfluenceRefreshToken)).toBe(current);

    const rows = await history.recent(PROFILE, 10);
    expect(rows.map((r) => [r.outcome, r.errorCode])).toEqual([
      ["reauthorization-required", "REAUTHORIZATION_REQUIRED"],
      ["reauthorization-required", "REAUTHORIZATION_REQUIRED"],
      ["refreshed", undefined],
    ]);
    expect(JSON.stringify(rows)).not.toContain(current);
  });

  it("treats unauthorized_client the same way", async () => {
    const e = await start({ errorStyle: "unauthorized_client" });
    const { tokens } = connectStack(e, { secrets: profileSecrets("refresh-token-nobody-issued") });
    await expect(tokens.getAccessToken(PROFILE)).rejects.toMatchObject({
      code: "REAUTHORIZATION_REQUIRED",
      reason: "unauthorized_client",
    });
  });

  it("retries a transient token-endpoint failure with backoff", async () => {
    const e = await start();
    e.server.faults.add({ method: "POST", path: "^/oauth/token$", status: 503, times: 2 });
    const delays: number[] = [];
    const { tokens, history } = connectStack(e, {
      retry: { initialDelayMs: 10, random: () => 0.5, onRetry: (r) => delays.push(r.delayMs) },
    });
    await tokens.getAccessToken(PROFILE);
    expect(servedCalls(e)).toEqual(["POST /oauth/token 503", "POST /oauth/token 503", "POST /oauth/token 200"]);
    expect(delays).toEqual([10, 20]);
    expect((history as MemoryRefreshHistory).records.map((r) => r.outcome)).toEqual(["refreshed"]);
  });

  it("reports a wrong client secret as a configuration error, not a dead grant", async () => {
    const e = await start();
    const secrets = profileSecrets();
    await secrets.set(PROFILE, SecretNames.ConfluenceClientSecret, "wrong-client-secret-value");
    const { tokens } = connectStack(e, { secrets });
    await expect(tokens.getAccessToken(PROFILE)).rejects.toMatchObject({
      code: ConfluenceErrorCode.ClientCredentialsRejected,
      status: 401,
    });
    expect(tokenCalls(e)).toBe(1);
  });

  it("names missing secrets, and treats a missing refresh token as needing re-authorization", async () => {
    const e = await start();
    const noClient = connectStack(e, {
      secrets: new InMemorySecretsProvider({
        [PROFILE]: { [SecretNames.ConfluenceRefreshToken]: "some-refresh-token" },
      }),
    });
    await expect(noClient.tokens.getAccessToken(PROFILE)).rejects.toThrow(
      `profile "${PROFILE}": missing secret(s) ConfluenceClientId, ConfluenceClientSecret`,
    );
    const secrets = profileSecrets();
    await secrets.delete(PROFILE, SecretNames.ConfluenceRefreshToken);
    await expect(connectStack(e, { secrets }).tokens.getAccessToken(PROFILE)).rejects.toMatchObject({
      code: "REAUTHORIZATION_REQUIRED",
      reason: "missing",
    });
    expect(tokenCalls(e)).toBe(0);
  });

  it("never writes a token or secret to the log", async () => {
    const e = await start({ reuseLeewaySeconds: 1 });
    const secrets = profileSecrets();
    const { tokens, logger } = connectStack(e, { secrets });
    const token = await tokens.getAccessToken(PROFILE);
    const rotated = (await secrets.get(PROFILE, SecretNames.ConfluenceRefreshToken))!;
    e.clock.advance(5_000);
    await connectStack(e, { secrets: profileSecrets(TEST_REFRESH_TOKEN) })
      .tokens.getAccessToken(PROFILE)
      .catch(() => undefined);
    const logged = JSON.stringify(logger.records);
    expect(logger.records.length).toBeGreaterThan(0);
    for (const secret of [token.value, rotated, TEST_REFRESH_TOKEN, TEST_CLIENT_SECRET])
      expect(logged).not.toContain(secret);
  });
});

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import {
  type Clock,
  type Logger,
  realSleep,
  SecretRedactor,
  type Sleep,
  secretSlot,
  silentLogger,
  systemClock,
} from "../runtime";
import { SecretNames, type SecretsProvider } from "../secrets/secretsProvider";
import { type GrantLedger, type GrantState, grantKeyOf, MemoryGrantLedger } from "../state/grantLedger";
import type { TokenRefreshRecord, TokenRefreshRecorder } from "../state/tokenRefreshHistory";
import { AccessToken, DEFAULT_EXPIRY_SKEW_MS } from "./accessToken";
import type { ConfluenceAuthClient, TokenGrant } from "./confluenceAuthClient";
import { ConfluenceError, ConfluenceErrorCode, isConfluenceError } from "./confluenceError";
import { HeldGrantLease } from "./heldGrantLease";
import { ReauthorizationRequired } from "./reauthorizationRequired";
import { refreshTokenFingerprint } from "./refreshTokenFingerprint";
import { RefreshTokenRetired } from "./refreshTokenRetired";

/** How long things take, in milliseconds; tests shorten them. */
export interface GrantTiming {
  /** How long a lease lasts unless renewed: outlives a slow token call and a slow Key Vault write. */
  leaseMs: number;
  /** How long a refresh waits for another process's lease before giving up (transient `TOKEN_LEASE_BUSY`). */
  leaseWaitMs: number;
  /** Polling for a busy lease: first delay and cap (doubling). */
  leasePollInitialMs: number;
  leasePollMaxMs: number;
  /**
   * Retrying the store of a rotated refresh token: first delay and cap (doubling). The cap keeps many attempts inside
   * Atlassian's 10-minute reuse leeway, so a store that can land does land before the stored token stops working.
   */
  saveRetryInitialMs: number;
  saveRetryMaxMs: number;
  /** How often a process with a valid access token looks in the ledger for another process's interrupted refresh. */
  ledgerCheckMs: number;
}

export const DEFAULT_GRANT_TIMING: GrantTiming = {
  leaseMs: 60_000,
  leaseWaitMs: 60_000,
  leasePollInitialMs: 100,
  leasePollMaxMs: 2_000,
  saveRetryInitialMs: 1_000,
  saveRetryMaxMs: 30_000,
  ledgerCheckMs: 60_000,
};

export interface ConfluenceTokenManagerOptions {
  /** The auth client, or one per profile when profiles use different Atlassian endpoints. */
  auth: ConfluenceAuthClient | ((profileKey: string) => ConfluenceAuthClient);
  /** Holds ConfluenceClientId, ConfluenceClientSecret and the rotating ConfluenceRefreshToken per profile. */
  secrets: SecretsProvider;
  /**
   * Leases and refresh progress shared with every other process using the same secrets (TableGrantLedger). Without
   * one, a process-local ledger: correct only while no other process refreshes these grants.
   */
  ledger?: GrantLedger;
  /** Every refresh attempt is recorded here (outcome, error code, new expiry — never a token). */
  history?: TokenRefreshRecorder;
  clock?: Clock;
  /** Waits between lease polls (real time unless a test says otherwise). */
  sleep?: Sleep;
  logger?: Logger;
  redactor?: SecretRedactor;
  /** Treat access tokens as expired this long before their stated expiry (milliseconds, default 60 000). */
  expirySkewMs?: number;
  timing?: Partial<GrantTiming>;
  /** This process's name in the ledger (default: host, pid and a random suffix). */
  holder?: string;
}

export interface GetAccessTokenOptions {
  /**
   * The token the API just answered 401 to. It is dropped and replaced, unless another caller already replaced it,
   * in which case the newer token is returned without another refresh.
   */
  rejected?: string;
}

/** A new consent, as the authorization-code exchange returns it (`connect confluence`). */
export interface NewGrant {
  refreshToken: string;
  /** The access token that came with it, so the first run needs no refresh (and no rotation). */
  accessToken?: string;
  expiresInSeconds?: number;
  scopes?: readonly string[];
}

/** A rotated refresh token this process holds because storing it failed; the only copy until the store lands. */
interface UnsavedToken {
  profileKey: string;
  refreshToken: string;
  hold: HeldGrantLease;
  sinceMs: number;
  attempts: number;
  /** The stable code of the last failed store (e.g. `SECRETS_STORE_FAILED`), for the refresh's record and alert. */
  lastError: string | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Access tokens per profile, with Atlassian's rotating refresh tokens handled so that the grant survives whatever
 * can be survived (docs/security.md#the-confluence-grant, docs/references.md#confluence-rotating-refresh-tokens):
 *
 * - cached until `isExpired(now)` (expiry minus a safety skew), one cache per process: a refresh, and so a rotation
 *   and a new secret version, happens only when the access token is nearly spent;
 * - single-flight per profile inside the process, and a lease per grant across processes (GrantLedger): only the
 *   lease holder exchanges or stores the grant's refresh token, and it reads the stored token only once it holds the
 *   lease, so a second instance uses what the first stored;
 * - the rotated refresh token is never dropped while it can still be kept: if storing it fails, the process keeps it
 *   in memory, hands out the access token, uses the kept token for its next refresh, and retries the store with
 *   backoff (well inside the reuse leeway) for as long as it lives, holding the lease meanwhile. Diagnostics show it
 *   (`refreshed-unsaved`, the grant's `unsavedSince`). It is given up only when the lease was lost (another process
 *   took over after this one stalled), the secret was deleted by an admin, or Atlassian refused it;
 * - before each exchange the token is claimed in the ledger by its fingerprint: a token another profile already
 *   exchanged (a copy), or one this grant rotated past (an older secret version), is never sent, because sending a
 *   retired token after the leeway revokes the whole grant (RefreshTokenRetired);
 * - a refresh that died between the exchange and the store leaves `exchangeStartedAt` in the ledger; any process
 *   that sees it with an expired lease refreshes at once, while the stored token still works (at most every
 *   `ledgerCheckMs`, also when it holds a valid access token);
 * - `invalid_grant` re-reads the stored token and tries once more if it changed (another instance's rotation, a new
 *   consent); otherwise the grant is dead: ReauthorizationRequired at once, never a retry loop;
 * - every attempt is recorded in the refresh history.
 */
export class ConfluenceTokenManager {
  readonly #options: ConfluenceTokenManagerOptions;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  readonly #logger: Logger;
  readonly #redactor: SecretRedactor;
  readonly #ledger: GrantLedger;
  readonly #timing: GrantTiming;
  readonly #holder: string;
  readonly #cache = new Map<string, AccessToken>();
  readonly #inflight = new Map<string, Promise<AccessToken>>();
  readonly #unsaved = new Map<string, UnsavedToken>();
  readonly #checkedAt = new Map<string, number>();
  #disposed = false;

  constructor(options: ConfluenceTokenManagerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? realSleep;
    this.#logger = options.logger ?? silentLogger;
    this.#redactor = options.redactor ?? new SecretRedactor();
    this.#ledger = options.ledger ?? new MemoryGrantLedger();
    this.#timing = { ...DEFAULT_GRANT_TIMING, ...options.timing };
    this.#holder = options.holder ?? `${hostname()}/${process.pid}/${randomBytes(4).toString("hex")}`;
  }

  /** A usable access token for the profile, refreshing (once, for all concurrent callers) when needed. */
  async getAccessToken(profileKey: string, options: GetAccessTokenOptions = {}): Promise<AccessToken> {
    const cached = this.#cache.get(profileKey);
    if (cached && options.rejected !== undefined && cached.value === options.rejected) this.#cache.delete(profileKey);
    else if (cached && !cached.isExpired(this.#clock.now())) {
      if (!(await this.#interruptedElsewhere(profileKey))) return cached;
      // The recovery is for the grant's sake; this caller's access token is still good if the recovery fails.
      return this.#singleFlight(profileKey).catch((error: unknown) => {
        this.#logger.warn("could not recover an interrupted Confluence token refresh; using the cached access token", {
          profileKey,
          code: codeOf(error),
        });
        return cached;
      });
    }
    return this.#singleFlight(profileKey);
  }

  #singleFlight(profileKey: string): Promise<AccessToken> {
    const inflight = this.#inflight.get(profileKey);
    if (inflight) return inflight;
    const refresh = this.#refresh(profileKey)
      .then((token) => {
        this.#cache.set(profileKey, token);
        return token;
      })
      .finally(() => this.#inflight.delete(profileKey));
    this.#inflight.set(profileKey, refresh);
    return refresh;
  }

  /** Drops the profile's cached access token (e.g. after its secrets were replaced by an admin). */
  forget(profileKey: string): void {
    this.#cache.delete(profileKey);
  }

  /**
   * Stores the refresh token of a new consent (the authorization-code flow's answer) as the profile's
   * ConfluenceRefreshToken, under the grant's lease, and starts the profile afresh: whatever this process kept of the
   * old grant is dropped, the ledger's fingerprint points at the new token, and the access token that came with it (if
   * given) is cached, so the first run does not rotate at once. Waits for another process's lease like a refresh does;
   * a failed store throws and changes nothing else.
   */
  async storeNewGrant(profileKey: string, grant: NewGrant): Promise<void> {
    const startedAt = this.#clock.now();
    const grantKey = grantKeyOf(profileKey);
    this.#redactor.register(grant.refreshToken, secretSlot(profileKey, SecretNames.ConfluenceRefreshToken));
    if (grant.accessToken) this.#redactor.register(grant.accessToken, secretSlot(profileKey, "ConfluenceAccessToken"));
    const hold = await this.#acquire(grantKey, profileKey);
    try {
      await this.#options.secrets.set(profileKey, SecretNames.ConfluenceRefreshToken, grant.refreshToken);
      const kept = this.#unsaved.get(grantKey);
      if (kept) this.#forgetUnsaved(grantKey, kept);
      await hold.release({
        exchangeStartedAtMs: null,
        unsavedSinceMs: null,
        saveAttempts: 0,
        lastSaveError: null,
        tokenHash: refreshTokenFingerprint(grant.refreshToken),
        rotatedAtMs: this.#clock.now(),
      });
    } catch (error) {
      // A token kept for the old grant still needs the lease; otherwise give it back.
      if (this.#unsaved.get(grantKey)?.hold !== hold) await hold.release().catch(() => false);
      throw error;
    }
    this.#cache.delete(profileKey);
    if (grant.accessToken && grant.expiresInSeconds !== undefined) {
      this.#cache.set(
        profileKey,
        new AccessToken(grant.accessToken, {
          issuedAtMs: startedAt,
          expiresInMs: grant.expiresInSeconds * 1000,
          skewMs: this.#options.expirySkewMs ?? DEFAULT_EXPIRY_SKEW_MS,
          scopes: grant.scopes ?? [],
        }),
      );
    }
    await this.#record({
      at: iso(startedAt),
      profileKey,
      outcome: "new-grant-stored",
      durationMs: this.#clock.now() - startedAt,
    });
    this.#logger.info("stored the refresh token of a new Confluence consent", { profileKey });
  }

  /**
   * Tries once more to store every rotated refresh token this process still holds, and names the profiles whose
   * token could not be stored: call before the process ends (the CLI does), since a kept token dies with it.
   */
  async settle(): Promise<string[]> {
    const unsaved: string[] = [];
    for (const [grantKey, kept] of [...this.#unsaved]) {
      if ((await this.#storeKept(grantKey, kept)) === "kept") unsaved.push(kept.profileKey);
    }
    for (const profileKey of unsaved) {
      this.#logger.error(
        "the process is ending with a rotated Confluence refresh token it could not store; the stored token works only until the reuse leeway ends",
        { profileKey },
      );
    }
    return unsaved;
  }

  /** Stops every background store and lease renewal without releasing anything: the process is going away. */
  dispose(): void {
    this.#disposed = true;
    for (const kept of this.#unsaved.values()) {
      if (kept.timer) clearTimeout(kept.timer);
      kept.hold.abandon();
    }
    this.#unsaved.clear();
  }

  /**
   * True when the ledger shows another process's refresh of this grant that ended between the exchange and the store
   * (its lease expired with `exchangeStartedAt` or `unsavedSince` still set): the stored token may be retired and
   * works only until the leeway ends, so this process refreshes now rather than when its own access token expires.
   */
  async #interruptedElsewhere(profileKey: string): Promise<boolean> {
    const grantKey = grantKeyOf(profileKey);
    const now = this.#clock.now();
    if (now - (this.#checkedAt.get(grantKey) ?? Number.NEGATIVE_INFINITY) < this.#timing.ledgerCheckMs) return false;
    this.#checkedAt.set(grantKey, now);
    if (this.#unsaved.has(grantKey)) return false;
    let state: GrantState | undefined;
    try {
      state = await this.#ledger.read(grantKey);
    } catch (error) {
      this.#logger.warn("could not read the Confluence grant ledger; using the cached access token", {
        profileKey,
        message: this.#redactor.redact(String(error)),
      });
      return false;
    }
    if (!state || (state.exchangeStartedAtMs === null && state.unsavedSinceMs === null)) return false;
    if (state.holder === this.#holder || now < state.leaseUntilMs) return false;
    this.#logger.warn("found an interrupted Confluence token refresh; refreshing now, inside the reuse leeway", {
      profileKey,
      exchangeStartedAt: state.exchangeStartedAtMs === null ? null : iso(state.exchangeStartedAtMs),
      unsavedSince: state.unsavedSinceMs === null ? null : iso(state.unsavedSinceMs),
    });
    return true;
  }

  async #refresh(profileKey: string): Promise<AccessToken> {
    const startedAt = this.#clock.now();
    try {
      const { token, stored, attempts, lastError } = await this.#refreshUnderLease(profileKey);
      // `refreshed-unsaved` carries why the store failed: the alert on it (docs/operations.md#alerts) names the cause.
      await this.#record({
        at: iso(startedAt),
        profileKey,
        outcome: stored ? "refreshed" : "refreshed-unsaved",
        newExpiry: iso(token.expiresAtMs),
        durationMs: this.#clock.now() - startedAt,
        ...(stored ? {} : { saveAttempts: attempts, ...(lastError !== undefined ? { errorCode: lastError } : {}) }),
      });
      this.#logger.info("confluence access token refreshed", {
        profileKey,
        expiresAt: iso(token.expiresAtMs),
        refreshTokenStored: stored,
        durationMs: this.#clock.now() - startedAt,
      });
      return token;
    } catch (error) {
      const dead = error instanceof ReauthorizationRequired || error instanceof RefreshTokenRetired;
      const code =
        typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : "UNKNOWN";
      await this.#record({
        at: iso(startedAt),
        profileKey,
        outcome: error instanceof ReauthorizationRequired ? "reauthorization-required" : "failed",
        errorCode: code,
        durationMs: this.#clock.now() - startedAt,
      });
      this.#logger[dead ? "error" : "warn"]("confluence token refresh failed", {
        profileKey,
        code,
        message: this.#redactor.redact(error instanceof Error ? error.message : String(error)),
      });
      throw error;
    }
  }

  async #refreshUnderLease(
    profileKey: string,
  ): Promise<{ token: AccessToken; stored: boolean; attempts: number; lastError: string | undefined }> {
    const grantKey = grantKeyOf(profileKey);
    const hold = await this.#acquire(grantKey, profileKey);
    let handedOver = false;
    try {
      const { secrets } = this.#options;
      const [clientId, clientSecret, storedToken] = await Promise.all([
        secrets.get(profileKey, SecretNames.ConfluenceClientId),
        secrets.get(profileKey, SecretNames.ConfluenceClientSecret),
        secrets.get(profileKey, SecretNames.ConfluenceRefreshToken),
      ]);
      this.#redactor.register(clientSecret, secretSlot(profileKey, SecretNames.ConfluenceClientSecret));
      this.#redactor.register(storedToken, secretSlot(profileKey, SecretNames.ConfluenceRefreshToken));
      const missing = [
        !clientId && SecretNames.ConfluenceClientId,
        !clientSecret && SecretNames.ConfluenceClientSecret,
      ].filter(Boolean);
      if (missing.length > 0 || !clientId || !clientSecret) {
        throw new ConfluenceError(
          ConfluenceErrorCode.CredentialsMissing,
          `profile "${profileKey}": missing secret(s) ${missing.join(", ")}`,
        );
      }
      // A token this process rotated but could not store yet is newer than the stored one: the stored one is retired.
      const kept = this.#unsaved.get(grantKey);
      let refreshToken = kept?.refreshToken ?? storedToken;
      if (!refreshToken) throw new ReauthorizationRequired(profileKey, "missing");

      const auth = typeof this.#options.auth === "function" ? this.#options.auth(profileKey) : this.#options.auth;
      let grant: TokenGrant | undefined;
      let issuedAtMs = 0;
      for (let retried = false; grant === undefined; ) {
        await this.#claim(hold, profileKey, refreshToken);
        issuedAtMs = this.#clock.now();
        // The mark peers look for: from here until the store, the stored token may be retired (it lives for the leeway).
        await this.#mustWrite(hold, profileKey, { exchangeStartedAtMs: issuedAtMs });
        try {
          grant = await auth.refresh({ clientId, clientSecret, refreshToken }, profileKey);
        } catch (error) {
          if (!isConfluenceError(error, ConfluenceErrorCode.GrantRevoked)) throw error;
          // The kept token is dead; the lease stays with this refresh.
          if (kept && refreshToken === kept.refreshToken)
            this.#dropUnsaved(grantKey, kept, "Atlassian refused it", { keepLease: true });
          const current = await secrets.get(profileKey, SecretNames.ConfluenceRefreshToken);
          if (retried || !current || current === refreshToken) {
            // Refused, not lost: no retired token is waiting to be recovered, so peers need not try.
            await hold.write({ exchangeStartedAtMs: null }).catch(() => false);
            throw new ReauthorizationRequired(profileKey, error.serviceCode ?? "invalid_grant", { cause: error });
          }
          // Another instance rotated it, or an admin stored a new consent meanwhile: the stored one gets one try.
          this.#logger.warn("the refresh token was refused, but another one is stored now; trying that one once", {
            profileKey,
          });
          this.#redactor.register(current, secretSlot(profileKey, SecretNames.ConfluenceRefreshToken));
          refreshToken = current;
          retried = true;
        }
      }
      this.#redactor.register(grant.accessToken, secretSlot(profileKey, "ConfluenceAccessToken"));
      this.#redactor.register(grant.refreshToken, secretSlot(profileKey, SecretNames.ConfluenceRefreshToken));
      const token = new AccessToken(grant.accessToken, {
        issuedAtMs,
        expiresInMs: grant.expiresInSeconds * 1000,
        skewMs: this.#options.expirySkewMs ?? DEFAULT_EXPIRY_SKEW_MS,
        scopes: grant.scopes,
      });
      this.#checkedAt.set(grantKey, this.#clock.now());

      // The rotated refresh token exists only here now. It is kept (in memory, with the lease) until it is stored.
      if (kept) this.#forgetUnsaved(grantKey, kept);
      const unsaved: UnsavedToken = {
        profileKey,
        refreshToken: grant.refreshToken,
        hold,
        sinceMs: this.#clock.now(),
        attempts: 0,
        lastError: undefined,
        timer: undefined,
      };
      this.#unsaved.set(grantKey, unsaved);
      handedOver = true;
      const outcome = await this.#storeKept(grantKey, unsaved);
      return { token, stored: outcome === "stored", attempts: unsaved.attempts, lastError: unsaved.lastError };
    } finally {
      // A failed refresh gives the lease back, unless a kept token still needs it. `exchangeStartedAt` stays as it is:
      // set, it tells the next holder (or a watching peer) that the stored token may have been exchanged already.
      if (!handedOver && hold.held && this.#unsaved.get(grantKey)?.hold !== hold)
        await hold.release().catch(() => false);
    }
  }

  /** Takes the grant's lease, waiting (polling) while another process holds it, up to `leaseWaitMs`. */
  async #acquire(grantKey: string, profileKey: string): Promise<HeldGrantLease> {
    const kept = this.#unsaved.get(grantKey);
    if (kept) {
      // We hold it already, for the kept token: renew it.
      if (await kept.hold.write({ leaseUntilMs: this.#clock.now() + this.#timing.leaseMs })) return kept.hold;
      this.#dropUnsaved(grantKey, kept, "the lease was lost");
    }
    const deadline = this.#clock.now() + this.#timing.leaseWaitMs;
    let delay = this.#timing.leasePollInitialMs;
    for (;;) {
      const now = this.#clock.now();
      const attempt = await this.#ledger.acquire(grantKey, this.#holder, now, now + this.#timing.leaseMs);
      if (attempt.kind === "acquired") return new HeldGrantLease(this.#ledger, attempt.lease);
      if (this.#clock.now() >= deadline) {
        throw new ConfluenceError(
          ConfluenceErrorCode.TokenLeaseBusy,
          `profile "${profileKey}": another process (${attempt.holder}) holds the Confluence grant's lease until ${iso(attempt.untilMs)}; try again later`,
          { transient: true },
        );
      }
      await this.#sleep(delay);
      delay = Math.min(delay * 2, this.#timing.leasePollMaxMs);
    }
  }

  /**
   * Claims the token in the ledger before it is sent. Refuses (RefreshTokenRetired, nothing sent) a token another grant
   * exchanged first, and one this grant exchanged before its last stored rotation. A token this grant exchanged
   * without storing the result (a crash, a failed call) is sent again: inside the leeway that is what saves the grant.
   */
  async #claim(hold: HeldGrantLease, profileKey: string, refreshToken: string): Promise<void> {
    const fingerprint = refreshTokenFingerprint(refreshToken);
    const outcome = await this.#ledger.claimToken(fingerprint, {
      grantKey: hold.grantKey,
      profileKey,
      claimedAtMs: this.#clock.now(),
    });
    if (outcome.kind === "claimed") return;
    const { claim } = outcome;
    if (claim.grantKey !== hold.grantKey)
      throw new RefreshTokenRetired(profileKey, "sharedWithAnotherProfile", claim.profileKey, iso(claim.claimedAtMs));
    const state = hold.state;
    if (
      state?.tokenHash != null &&
      state.tokenHash !== fingerprint &&
      state.rotatedAtMs !== null &&
      claim.claimedAtMs < state.rotatedAtMs
    )
      throw new RefreshTokenRetired(profileKey, "olderThanStored", claim.profileKey, iso(claim.claimedAtMs));
  }

  async #mustWrite(hold: HeldGrantLease, profileKey: string, changes: Partial<GrantState>): Promise<void> {
    if (await hold.write(changes)) return;
    throw new ConfluenceError(
      ConfluenceErrorCode.TokenLeaseLost,
      `profile "${profileKey}": this process lost the Confluence grant's lease before its refresh; nothing was sent`,
      { transient: true },
    );
  }

  /**
   * One attempt to store a kept token: renew the lease (only its holder may write the secret), write, and on success
   * release the lease with the new fingerprint. On failure the token stays kept and the next attempt is scheduled.
   */
  async #storeKept(grantKey: string, kept: UnsavedToken): Promise<"stored" | "kept" | "dropped"> {
    if (kept.timer) clearTimeout(kept.timer);
    kept.timer = undefined;
    if (this.#unsaved.get(grantKey) !== kept) return "dropped";
    const { profileKey } = kept;
    let renewed: boolean;
    try {
      renewed = await kept.hold.write({ leaseUntilMs: this.#clock.now() + this.#timing.leaseMs });
    } catch (error) {
      return this.#storeFailed(grantKey, kept, "LEDGER_UNAVAILABLE", error);
    }
    if (!renewed) {
      this.#dropUnsaved(grantKey, kept, "the lease was lost to another process (this one stalled past it)");
      return "dropped";
    }
    try {
      await this.#options.secrets.set(profileKey, SecretNames.ConfluenceRefreshToken, kept.refreshToken);
    } catch (error) {
      if ((error as { code?: unknown })?.code === "SECRET_DELETED") {
        // An admin deleted the secret to stop the profile: respect it, keep nothing.
        this.#dropUnsaved(grantKey, kept, "the secret was deleted by an admin");
        await kept.hold.release({ exchangeStartedAtMs: null, unsavedSinceMs: null }).catch(() => false);
        return "dropped";
      }
      return this.#storeFailed(grantKey, kept, codeOf(error), error);
    }
    this.#unsaved.delete(grantKey);
    await kept.hold
      .release({
        exchangeStartedAtMs: null,
        unsavedSinceMs: null,
        saveAttempts: 0,
        lastSaveError: null,
        tokenHash: refreshTokenFingerprint(kept.refreshToken),
        rotatedAtMs: this.#clock.now(),
        rotations: (kept.hold.state?.rotations ?? 0) + 1,
      })
      .catch((error: unknown) => {
        this.#logger.warn("stored the rotated refresh token but could not update the grant ledger", {
          profileKey,
          message: this.#redactor.redact(String(error)),
        });
      });
    if (kept.attempts > 0) {
      this.#logger.info("stored the rotated Confluence refresh token after failed attempts", {
        profileKey,
        attempts: kept.attempts,
        unsavedForMs: this.#clock.now() - kept.sinceMs,
      });
      await this.#record({
        at: iso(this.#clock.now()),
        profileKey,
        outcome: "saved-late",
        durationMs: this.#clock.now() - kept.sinceMs,
        saveAttempts: kept.attempts,
      });
    }
    return "stored";
  }

  async #storeFailed(grantKey: string, kept: UnsavedToken, code: string, error: unknown): Promise<"kept"> {
    kept.attempts += 1;
    kept.lastError = code;
    this.#logger.warn(
      "could not store the rotated Confluence refresh token; keeping it in memory, using it, and retrying the store",
      {
        profileKey: kept.profileKey,
        code,
        attempts: kept.attempts,
        unsavedForMs: this.#clock.now() - kept.sinceMs,
        message: this.#redactor.redact(error instanceof Error ? error.message : String(error)),
      },
    );
    await kept.hold
      .write({ unsavedSinceMs: kept.sinceMs, saveAttempts: kept.attempts, lastSaveError: code })
      .catch(() => false);
    this.#schedule(grantKey, kept);
    return "kept";
  }

  #schedule(grantKey: string, kept: UnsavedToken): void {
    if (this.#disposed || this.#unsaved.get(grantKey) !== kept) return;
    const delay = Math.min(
      this.#timing.saveRetryInitialMs * 2 ** Math.max(0, kept.attempts - 1),
      this.#timing.saveRetryMaxMs,
    );
    kept.timer = setTimeout(() => void this.#storeKept(grantKey, kept), delay);
    // A kept token must not keep a finished CLI alive; `settle` stores it (or says it could not) before exit.
    kept.timer.unref();
  }

  /** Gives up a kept token for good (it can no longer be stored or used): said loudly, recorded for diagnostics. */
  #dropUnsaved(grantKey: string, kept: UnsavedToken, reason: string, options: { keepLease?: boolean } = {}): void {
    this.#forgetUnsaved(grantKey, kept);
    if (!options.keepLease) kept.hold.abandon();
    this.#logger.error("gave up a rotated Confluence refresh token that was never stored", {
      profileKey: kept.profileKey,
      reason,
      attempts: kept.attempts,
    });
    void this.#record({
      at: iso(this.#clock.now()),
      profileKey: kept.profileKey,
      outcome: "unsaved-dropped",
      errorCode: reason,
      durationMs: this.#clock.now() - kept.sinceMs,
      saveAttempts: kept.attempts,
    });
  }

  /** Stops tracking a kept token (replaced by a newer one, or stored) without touching the lease. */
  #forgetUnsaved(grantKey: string, kept: UnsavedToken): void {
    if (kept.timer) clearTimeout(kept.timer);
    kept.timer = undefined;
    if (this.#unsaved.get(grantKey) === kept) this.#unsaved.delete(grantKey);
  }

  /** History is diagnostics: failing to write it must not fail the refresh it describes. */
  async #record(record: TokenRefreshRecord): Promise<void> {
    if (!this.#options.history) return;
    try {
      await this.#options.history.append(record);
    } catch (error) {
      this.#logger.warn("could not record a token refresh", {
        profileKey: record.profileKey,
        message: this.#redactor.redact(String(error)),
      });
    }
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" ? code : "UNKNOWN";
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

import { type Clock, type Logger, SecretRedactor, silentLogger, systemClock } from "../runtime";
import { SecretNames, type SecretsProvider } from "../secrets/secretsProvider";
import type { TokenRefreshRecord, TokenRefreshRecorder } from "../state/tokenRefreshHistory";
import { AccessToken, DEFAULT_EXPIRY_SKEW_MS } from "./accessToken";
import type { ConfluenceAuthClient } from "./confluenceAuthClient";
import { ConfluenceError, ConfluenceErrorCode, isConfluenceError } from "./confluenceError";
import { ReauthorizationRequired } from "./reauthorizationRequired";

export interface ConfluenceTokenManagerOptions {
  /** The auth client, or one per profile when profiles use different Atlassian endpoints. */
  auth: ConfluenceAuthClient | ((profileKey: string) => ConfluenceAuthClient);
  /** Holds ConfluenceClientId, ConfluenceClientSecret and the rotating ConfluenceRefreshToken per profile. */
  secrets: SecretsProvider;
  /** Every refresh attempt is recorded here (outcome, error code, new expiry — never a token). */
  history?: TokenRefreshRecorder;
  clock?: Clock;
  logger?: Logger;
  redactor?: SecretRedactor;
  /** Treat access tokens as expired this long before their stated expiry (milliseconds, default 60 000). */
  expirySkewMs?: number;
}

export interface GetAccessTokenOptions {
  /**
   * The token the API just answered 401 to. It is dropped and replaced, unless another caller already replaced it,
   * in which case the newer token is returned without another refresh.
   */
  rejected?: string;
}

/**
 * Access tokens per profile, with Atlassian's rotating refresh tokens handled safely
 * (docs/references.md#confluence-rotating-refresh-tokens):
 *
 * - cached until `isExpired(now)` (expiry minus a safety skew);
 * - single-flight: concurrent callers for one profile share one refresh — two parallel refreshes with one refresh
 *   token would race the rotation;
 * - the rotated refresh token is persisted through the SecretsProvider BEFORE the new access token is handed out:
 *   once we use the new pair, the old refresh token starts its reuse leeway, and a process that crashed after
 *   using but before persisting would wake up after the leeway holding a token whose reuse revokes the whole grant.
 *   (A crash between the token call and the persist is safe: the stored token is reused within the leeway.)
 * - a dead grant becomes ReauthorizationRequired at once, never a retry loop; transient failures are retried by the
 *   auth client's policy;
 * - every attempt is recorded in the refresh history.
 */
export class ConfluenceTokenManager {
  readonly #options: ConfluenceTokenManagerOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #redactor: SecretRedactor;
  readonly #cache = new Map<string, AccessToken>();
  readonly #inflight = new Map<string, Promise<AccessToken>>();

  constructor(options: ConfluenceTokenManagerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#redactor = options.redactor ?? new SecretRedactor();
  }

  /** A usable access token for the profile, refreshing (once, for all concurrent callers) when needed. */
  async getAccessToken(profileKey: string, options: GetAccessTokenOptions = {}): Promise<AccessToken> {
    const cached = this.#cache.get(profileKey);
    if (cached && options.rejected !== undefined && cached.value === options.rejected) this.#cache.delete(profileKey);
    else if (cached && !cached.isExpired(this.#clock.now())) return cached;

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

  /** Drops the profile's cached token (e.g. after its secrets were replaced by an admin). */
  forget(profileKey: string): void {
    this.#cache.delete(profileKey);
  }

  async #refresh(profileKey: string): Promise<AccessToken> {
    const startedAt = this.#clock.now();
    try {
      const token = await this.#exchangeAndPersist(profileKey);
      await this.#record({
        at: iso(startedAt),
        profileKey,
        outcome: "refreshed",
        newExpiry: iso(token.expiresAtMs),
        durationMs: this.#clock.now() - startedAt,
      });
      this.#logger.info("confluence access token refreshed", {
        profileKey,
        expiresAt: iso(token.expiresAtMs),
        durationMs: this.#clock.now() - startedAt,
      });
      return token;
    } catch (error) {
      const dead = error instanceof ReauthorizationRequired;
      const code =
        typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : "UNKNOWN";
      await this.#record({
        at: iso(startedAt),
        profileKey,
        outcome: dead ? "reauthorization-required" : "failed",
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

  async #exchangeAndPersist(profileKey: string): Promise<AccessToken> {
    const { secrets } = this.#options;
    const [clientId, clientSecret, refreshToken] = await Promise.all([
      secrets.get(profileKey, SecretNames.ConfluenceClientId),
      secrets.get(profileKey, SecretNames.ConfluenceClientSecret),
      secrets.get(profileKey, SecretNames.ConfluenceRefreshToken),
    ]);
    for (const secret of [clientSecret, refreshToken]) this.#redactor.register(secret);
    const missing = [
      !clientId && SecretNames.ConfluenceClientId,
      !clientSecret && SecretNames.ConfluenceClientSecret,
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new ConfluenceError(
        ConfluenceErrorCode.CredentialsMissing,
        `profile "${profileKey}": missing secret(s) ${missing.join(", ")}`,
      );
    }
    if (!refreshToken) throw new ReauthorizationRequired(profileKey, "missing");

    const auth = typeof this.#options.auth === "function" ? this.#options.auth(profileKey) : this.#options.auth;
    const issuedAtMs = this.#clock.now();
    let grant;
    try {
      grant = await auth.refresh({ clientId: clientId!, clientSecret: clientSecret!, refreshToken }, profileKey);
    } catch (error) {
      if (isConfluenceError(error, ConfluenceErrorCode.GrantRevoked))
        throw new ReauthorizationRequired(profileKey, error.serviceCode ?? "invalid_grant", { cause: error });
      throw error;
    }
    this.#redactor.register(grant.accessToken);
    this.#redactor.register(grant.refreshToken);

    // Invariant: persisted before handed out (see the class comment).
    try {
      await secrets.set(profileKey, SecretNames.ConfluenceRefreshToken, grant.refreshToken);
    } catch (error) {
      const reason = this.#redactor.redact(error instanceof Error ? error.message : String(error));
      throw new ConfluenceError(
        ConfluenceErrorCode.TokenPersistFailed,
        `profile "${profileKey}": could not store the rotated Confluence refresh token (${reason}); the new access token was not used and the stored token stays valid for the reuse leeway`,
      );
    }
    return new AccessToken(grant.accessToken, {
      issuedAtMs,
      expiresInMs: grant.expiresInSeconds * 1000,
      skewMs: this.#options.expirySkewMs ?? DEFAULT_EXPIRY_SKEW_MS,
      scopes: grant.scopes,
    });
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

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

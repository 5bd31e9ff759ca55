import { randomBytes, randomUUID } from "node:crypto";
import type { Clock } from "../../../shared/runtime";

/**
 * Atlassian's rotating refresh tokens (docs/references.md#confluence-rotating-refresh-tokens), modelled the way Auth0 —
 * the service behind auth.atlassian.com — behaves:
 *
 * - A consent creates a token *family*. Every refresh token belongs to one family.
 * - Exchanging a refresh token that was never used mints a new pair and marks the sent token used (rotated out).
 * - A used token keeps working for `reuseLeewayMs` after its first use; each such reuse mints another pair. This is
 *   what saves a client that refreshed and died before persisting the new token.
 * - Which used tokens may be reused is a seed choice (`reuseRule`, docs/emulators.md#confluence-settings):
 *   `previousOnly` (default, Auth0's documented rule) allows only the token exchanged last: reusing an older one, even
 *   inside the leeway, is a breach; `anyUsedWithinLeeway` allows any used token within its own leeway.
 * - Reuse after the leeway is treated as theft: the whole family is revoked, the newest token dies too.
 * - Inactivity (no refresh for 90 days) and the absolute lifetime (365 days from consent) end the family as well.
 *
 * Access tokens are bearer JWTs: they stay valid until they expire, even after their family is revoked.
 */
export type ReuseRule = "previousOnly" | "anyUsedWithinLeeway";

export interface TokenFamilyOptions {
  clock: Clock;
  reuseLeewayMs: number;
  reuseRule?: ReuseRule;
  accessTokenLifetimeMs: number;
  inactivityMs: number;
  absoluteLifetimeMs: number;
  scopes: readonly string[];
}

export type RefreshOutcome =
  | { kind: "issued"; accessToken: string; refreshToken: string; expiresInSeconds: number; scope: string }
  | {
      kind: "rejected";
      reason: "unknown" | "revoked" | "reused-after-leeway" | "reused-out-of-order" | "inactive" | "expired";
    };

interface RefreshTokenRecord {
  familyId: string;
  issuedAt: number;
  /** Time of the first exchange; undefined while the token is the family's unused newest one. */
  usedAt: number | undefined;
}

interface Family {
  id: string;
  /** The scopes this consent granted. */
  scopes: readonly string[];
  /** The sites (cloud ids) this consent covers; undefined = every site of the seed (a seeded consent). */
  sites: readonly string[] | undefined;
  consentAt: number;
  lastRefreshAt: number;
  revokedAt: number | undefined;
  revokedReason: string | undefined;
  tokens: string[];
  refreshCount: number;
  /** The token exchanged most recently (its first use): the only one `previousOnly` lets be exchanged again. */
  lastExchanged: string | undefined;
}

interface AccessTokenRecord {
  familyId: string;
  expiresAt: number;
  scopes: readonly string[];
  sites: readonly string[] | undefined;
}

/** What a person granted on the consent screen: the scopes, and the site(s) they picked. */
export interface ConsentGrant {
  scopes: readonly string[];
  sites: readonly string[];
}

/** The token response of an authorization-code exchange (a refresh token only with `offline_access`). */
export interface CodeExchangeOutcome {
  accessToken: string;
  refreshToken: string | undefined;
  expiresInSeconds: number;
  scope: string;
}

/** What `GET /_admin/state` shows of a family: its life, never its token values. */
export interface TokenFamilyView {
  id: string;
  consentAt: string;
  lastRefreshAt: string;
  refreshCount: number;
  revoked: boolean;
  revokedReason?: string;
  refreshTokens: { issuedAt: string; usedAt?: string }[];
}

export class TokenFamilies {
  readonly #options: TokenFamilyOptions;
  readonly #families = new Map<string, Family>();
  readonly #refreshTokens = new Map<string, RefreshTokenRecord>();
  readonly #accessTokens = new Map<string, AccessTokenRecord>();

  constructor(options: TokenFamilyOptions) {
    this.#options = options;
  }

  /**
   * A person consents (again): a new family whose first refresh token is `refreshToken` (minted when absent). Without
   * `grant` (a seeded consent) it has the seed's scopes and covers every site.
   */
  consent(refreshToken: string = mintRefreshToken(), grant?: ConsentGrant): string {
    this.#family(grant, refreshToken);
    return refreshToken;
  }

  /**
   * An authorization code exchanged: a new family for what the person granted, its first access token, and a refresh
   * token only when `offline_access` was granted (docs/references.md#confluence-oauth-token-endpoint).
   */
  exchangeConsent(grant: ConsentGrant): CodeExchangeOutcome {
    const offline = grant.scopes.includes("offline_access");
    const refreshToken = offline ? mintRefreshToken() : undefined;
    const family = this.#family(grant, refreshToken);
    const now = this.#options.clock.now();
    const accessToken = mintAccessToken(family.id, now);
    this.#accessTokens.set(accessToken, {
      familyId: family.id,
      expiresAt: now + this.#options.accessTokenLifetimeMs,
      scopes: family.scopes,
      sites: family.sites,
    });
    return {
      accessToken,
      refreshToken,
      expiresInSeconds: Math.round(this.#options.accessTokenLifetimeMs / 1000),
      scope: family.scopes.join(" "),
    };
  }

  /** The sites (cloud ids) a live access token's consent covers; undefined = every site. */
  sitesOf(accessToken: string): readonly string[] | undefined {
    return this.#accessTokens.get(accessToken)?.sites;
  }

  #family(grant: ConsentGrant | undefined, refreshToken: string | undefined): Family {
    const now = this.#options.clock.now();
    const family: Family = {
      id: randomUUID(),
      scopes: grant?.scopes ?? this.#options.scopes,
      sites: grant?.sites,
      consentAt: now,
      lastRefreshAt: now,
      revokedAt: undefined,
      revokedReason: undefined,
      tokens: [],
      refreshCount: 0,
      lastExchanged: undefined,
    };
    this.#families.set(family.id, family);
    if (refreshToken !== undefined) this.#addRefreshToken(family, refreshToken, now);
    return family;
  }

  refresh(refreshToken: string): RefreshOutcome {
    const now = this.#options.clock.now();
    const record = this.#refreshTokens.get(refreshToken);
    const family = record && this.#families.get(record.familyId);
    if (!record || !family) return { kind: "rejected", reason: "unknown" };
    if (family.revokedAt !== undefined) return { kind: "rejected", reason: "revoked" };
    if (now - family.consentAt > this.#options.absoluteLifetimeMs) {
      this.#revoke(family, "absolute lifetime reached", now);
      return { kind: "rejected", reason: "expired" };
    }
    if (now - family.lastRefreshAt > this.#options.inactivityMs) {
      this.#revoke(family, "inactive", now);
      return { kind: "rejected", reason: "inactive" };
    }
    if (record.usedAt !== undefined && now - record.usedAt > this.#options.reuseLeewayMs) {
      this.#revoke(family, "refresh token reused after the leeway", now);
      return { kind: "rejected", reason: "reused-after-leeway" };
    }
    if (
      record.usedAt !== undefined &&
      (this.#options.reuseRule ?? "previousOnly") === "previousOnly" &&
      family.lastExchanged !== refreshToken
    ) {
      this.#revoke(family, "an older refresh token than the previous one was reused", now);
      return { kind: "rejected", reason: "reused-out-of-order" };
    }
    if (record.usedAt === undefined) {
      record.usedAt = now;
      family.lastExchanged = refreshToken;
    }
    family.lastRefreshAt = now;
    family.refreshCount += 1;
    const newRefreshToken = mintRefreshToken();
    this.#addRefreshToken(family, newRefreshToken, now);
    const accessToken = mintAccessToken(family.id, now);
    this.#accessTokens.set(accessToken, {
      familyId: family.id,
      expiresAt: now + this.#options.accessTokenLifetimeMs,
      scopes: family.scopes,
      sites: family.sites,
    });
    return {
      kind: "issued",
      accessToken,
      refreshToken: newRefreshToken,
      expiresInSeconds: Math.round(this.#options.accessTokenLifetimeMs / 1000),
      scope: family.scopes.join(" "),
    };
  }

  /** The scopes of a live access token; undefined for unknown or expired ones. */
  authorize(accessToken: string): readonly string[] | undefined {
    const record = this.#accessTokens.get(accessToken);
    if (!record || record.expiresAt <= this.#options.clock.now()) return undefined;
    return record.scopes;
  }

  /** Ends every access token now (a person's admin action in tests: "all sessions expired"). */
  expireAccessTokens(): number {
    const now = this.#options.clock.now();
    let count = 0;
    for (const record of this.#accessTokens.values()) {
      if (record.expiresAt > now) {
        record.expiresAt = now;
        count += 1;
      }
    }
    return count;
  }

  /** Revokes every family (e.g. the user changed their password). */
  revokeAll(reason: string): number {
    const now = this.#options.clock.now();
    let count = 0;
    for (const family of this.#families.values()) {
      if (family.revokedAt === undefined) {
        this.#revoke(family, reason, now);
        count += 1;
      }
    }
    return count;
  }

  view(): TokenFamilyView[] {
    return [...this.#families.values()].map((family) => ({
      id: family.id,
      consentAt: iso(family.consentAt),
      lastRefreshAt: iso(family.lastRefreshAt),
      refreshCount: family.refreshCount,
      revoked: family.revokedAt !== undefined,
      ...(family.revokedReason ? { revokedReason: family.revokedReason } : {}),
      refreshTokens: family.tokens.map((token) => {
        const record = this.#refreshTokens.get(token)!;
        return {
          issuedAt: iso(record.issuedAt),
          ...(record.usedAt !== undefined ? { usedAt: iso(record.usedAt) } : {}),
        };
      }),
    }));
  }

  #addRefreshToken(family: Family, token: string, now: number): void {
    if (this.#refreshTokens.has(token)) throw new Error("refresh token already issued (duplicate in the seed?)");
    this.#refreshTokens.set(token, { familyId: family.id, issuedAt: now, usedAt: undefined });
    family.tokens.push(token);
  }

  #revoke(family: Family, reason: string, now: number): void {
    family.revokedAt = now;
    family.revokedReason = reason;
  }
}

function mintRefreshToken(): string {
  return `eyJraWQiOiJydCJ9.${randomBytes(32).toString("base64url")}`;
}

/** JWT-shaped, like Atlassian's: header.payload.signature. Opaque to clients all the same. */
function mintAccessToken(familyId: string, now: number): string {
  const header = Buffer.from(JSON.stringify({ kid: "emulator", alg: "RS256" })).toString("base64url");
  const payload = Buffer.from(
    JSON.stringify({ fam: familyId, iat: Math.floor(now / 1000), jti: randomUUID() }),
  ).toString("base64url");
  return `${header}.${payload}.${randomBytes(32).toString("base64url")}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * What every process of the app shares about each Confluence grant (one OAuth consent, rotating refresh tokens): who
 * may refresh it now (a lease), whether a refresh is half done, and which refresh tokens have been exchanged. Never a
 * token: tokens are named by a one-way fingerprint (docs/security.md#the-confluence-grant).
 *
 * A grant is keyed by its profile key in lower case, as Key Vault names are compared: two keys differing only in
 * letter case share one secret there, so they share one grant here too.
 */
export interface GrantState {
  /** The process holding the lease, or null when it is free. */
  holder: string | null;
  /** Epoch milliseconds the lease ends; after it, anyone may take the lease. */
  leaseUntilMs: number;
  /**
   * Set by the holder just before it sends the stored refresh token to Atlassian, cleared once the rotated one is
   * stored. Seen with an expired lease it means the holder died in between: the stored token may be retired, and it
   * stays usable only for the reuse leeway, so whoever sees it refreshes at once.
   */
  exchangeStartedAtMs: number | null;
  /** Since when the holder keeps a rotated refresh token in memory because storing it failed. */
  unsavedSinceMs: number | null;
  /** Attempts to store that token so far, and the last failure's code. */
  saveAttempts: number;
  lastSaveError: string | null;
  /** Fingerprint of the refresh token this app stored last (refreshTokenFingerprint), null before the first. */
  tokenHash: string | null;
  /** When this app last stored a rotated refresh token, and how many it has stored. */
  rotatedAtMs: number | null;
  rotations: number;
}

/** A held lease: the state as the holder last wrote it, and the row version its next write is conditional on. */
export interface GrantLease {
  readonly grantKey: string;
  readonly holder: string;
  readonly state: GrantState;
  readonly version: string;
}

export type LeaseAttempt =
  | { kind: "acquired"; lease: GrantLease }
  /** Held by someone else until `untilMs`. */
  | { kind: "busy"; holder: string; untilMs: number };

/** Which grant exchanged a refresh token first, and when (epoch milliseconds). */
export interface TokenClaim {
  grantKey: string;
  profileKey: string;
  claimedAtMs: number;
}

export type ClaimOutcome = { kind: "claimed" } | { kind: "claimedBefore"; claim: TokenClaim };

export interface GrantLedger {
  /** The grant's state, or undefined when no process has touched it yet. */
  read(grantKey: string): Promise<GrantState | undefined>;
  /**
   * Takes the lease until `untilMs` when it is free, expired (`nowMs` at or past its end) or already `holder`'s.
   * Atomic: of two processes trying at once, one gets `acquired`, the other `busy`.
   */
  acquire(grantKey: string, holder: string, nowMs: number, untilMs: number): Promise<LeaseAttempt>;
  /**
   * Writes `changes` if the lease is still the one given (nobody took it meanwhile): the new lease, or undefined when
   * it was lost. Releasing is an update with `holder: null` and `leaseUntilMs: 0`.
   */
  update(lease: GrantLease, changes: Partial<GrantState>): Promise<GrantLease | undefined>;
  /**
   * Records that `claim.grantKey` is about to exchange the refresh token with this fingerprint. Insert-only: the
   * first claim stays, and a later one learns whose it is. A token exchanged by one grant and then found in another
   * profile's secrets is a copy; sending it again would revoke the grant (docs/security.md#the-confluence-grant).
   */
  claimToken(tokenHash: string, claim: TokenClaim): Promise<ClaimOutcome>;
}

/** The grant key of a profile: its key in lower case (Key Vault compares secret names ignoring case). */
export function grantKeyOf(profileKey: string): string {
  return profileKey.toLowerCase();
}

export const EMPTY_GRANT_STATE: GrantState = {
  holder: null,
  leaseUntilMs: 0,
  exchangeStartedAtMs: null,
  unsavedSinceMs: null,
  saveAttempts: 0,
  lastSaveError: null,
  tokenHash: null,
  rotatedAtMs: null,
  rotations: 0,
};

/**
 * The ledger of one process, in memory: enough when no other process refreshes the same grants (a dry run over a
 * copy of the secrets, a unit test). Anything that shares secrets with another process uses TableGrantLedger.
 */
export class MemoryGrantLedger implements GrantLedger {
  readonly #grants = new Map<string, { state: GrantState; version: number }>();
  readonly #claims = new Map<string, TokenClaim>();

  async read(grantKey: string): Promise<GrantState | undefined> {
    const entry = this.#grants.get(grantKey);
    return entry ? { ...entry.state } : undefined;
  }

  async acquire(grantKey: string, holder: string, nowMs: number, untilMs: number): Promise<LeaseAttempt> {
    const entry = this.#grants.get(grantKey) ?? { state: { ...EMPTY_GRANT_STATE }, version: 0 };
    const { state } = entry;
    if (state.holder !== null && state.holder !== holder && nowMs < state.leaseUntilMs)
      return { kind: "busy", holder: state.holder, untilMs: state.leaseUntilMs };
    const next = { state: { ...state, holder, leaseUntilMs: untilMs }, version: entry.version + 1 };
    this.#grants.set(grantKey, next);
    return { kind: "acquired", lease: { grantKey, holder, state: { ...next.state }, version: String(next.version) } };
  }

  async update(lease: GrantLease, changes: Partial<GrantState>): Promise<GrantLease | undefined> {
    const entry = this.#grants.get(lease.grantKey);
    if (!entry || String(entry.version) !== lease.version) return undefined;
    const next = { state: { ...entry.state, ...changes }, version: entry.version + 1 };
    this.#grants.set(lease.grantKey, next);
    return { ...lease, state: { ...next.state }, version: String(next.version) };
  }

  async claimToken(tokenHash: string, claim: TokenClaim): Promise<ClaimOutcome> {
    const existing = this.#claims.get(tokenHash);
    if (existing) return { kind: "claimedBefore", claim: { ...existing } };
    this.#claims.set(tokenHash, { ...claim });
    return { kind: "claimed" };
  }
}

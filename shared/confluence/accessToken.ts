/** How long before its stated expiry an access token is already treated as expired, in milliseconds. */
export const DEFAULT_EXPIRY_SKEW_MS = 60_000;

/**
 * A bearer token with its expiry. The value is a private field behind a getter, so the token never shows up in
 * `JSON.stringify`, `console.log` or a test snapshot of an object that holds it.
 */
export class AccessToken {
  readonly #value: string;
  /** Instant the server's `expires_in` ends, in epoch milliseconds. */
  readonly expiresAtMs: number;
  /** Instant from which `isExpired` answers true: the expiry minus the safety skew. */
  readonly refreshAtMs: number;
  readonly scopes: readonly string[];

  /**
   * The skew covers clock drift and the time a request spends in flight. It is capped at half the token's lifetime,
   * so a short-lived token is still used for a while instead of being refreshed on every call.
   */
  constructor(
    value: string,
    options: { issuedAtMs: number; expiresInMs: number; skewMs?: number; scopes?: readonly string[] },
  ) {
    this.#value = value;
    this.expiresAtMs = options.issuedAtMs + options.expiresInMs;
    const skew = Math.min(options.skewMs ?? DEFAULT_EXPIRY_SKEW_MS, options.expiresInMs / 2);
    this.refreshAtMs = this.expiresAtMs - skew;
    this.scopes = options.scopes ?? [];
  }

  get value(): string {
    return this.#value;
  }

  /** True when the token should no longer be sent (at or past the skewed expiry). */
  isExpired(nowMs: number): boolean {
    return nowMs >= this.refreshAtMs;
  }

  toJSON(): { expiresAt: string; scopes: readonly string[] } {
    return { expiresAt: new Date(this.expiresAtMs).toISOString(), scopes: this.scopes };
  }

  toString(): string {
    return `[AccessToken expiring ${new Date(this.expiresAtMs).toISOString()}]`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";

/** What an access token the identity emulator issued says about its caller. */
export interface AccessTokenClaims {
  /** Tenant id. */
  tid: string;
  /** Client (application) id of the caller. */
  appid: string;
  /** Audience, e.g. `https://graph.microsoft.com`. */
  aud: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  iat: number;
  /** How the token was obtained: `client_credentials` or `managed_identity`. */
  grant: string;
  /** The application permissions granted to the caller (app-only tokens), e.g. `Sites.ReadWrite.All`. */
  roles?: string[];
}

export type TokenCheck =
  | { ok: true; claims: AccessTokenClaims }
  | { ok: false; reason: "malformed" | "badSignature" | "expired" };

/**
 * Issues and checks the emulators' access tokens. They are JWT-shaped (`header.payload.signature`, HS256 with a key
 * that lives only in this process) so clients that peek at them see the familiar form, and the Graph emulator can
 * tell a token the identity emulator issued from a forged or stale one, as Graph does.
 *
 * Expiry is judged by the real clock, not the Graph emulator's adjustable one: the client's credential caches tokens
 * by real time, and advancing the emulator clock to age delta tokens must not invalidate every access token.
 */
export class AccessTokenIssuer {
  readonly #key = randomBytes(32);
  readonly #lifetimeSeconds: number;

  constructor(options: { lifetimeSeconds?: number } = {}) {
    this.#lifetimeSeconds = options.lifetimeSeconds ?? 3599;
  }

  get lifetimeSeconds(): number {
    return this.#lifetimeSeconds;
  }

  issue(claims: { tid: string; appid: string; aud: string; grant: string; roles?: readonly string[] }): {
    token: string;
    expiresOn: number;
  } {
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + this.#lifetimeSeconds;
    const header = encode({ typ: "JWT", alg: "HS256", kid: "emulator" });
    const payload = encode({
      ...claims,
      iat,
      nbf: iat,
      exp,
      iss: `https://sts.windows.net/${claims.tid}/`,
      uti: randomUUID(),
    });
    return { token: `${header}.${payload}.${this.#sign(`${header}.${payload}`)}`, expiresOn: exp };
  }

  check(token: string): TokenCheck {
    const parts = token.split(".");
    if (parts.length !== 3) return { ok: false, reason: "malformed" };
    const [header, payload, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.#sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return { ok: false, reason: "badSignature" };
    let claims: AccessTokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as AccessTokenClaims;
    } catch {
      return { ok: false, reason: "malformed" };
    }
    if (claims.exp * 1000 <= Date.now()) return { ok: false, reason: "expired" };
    return { ok: true, claims };
  }

  #sign(data: string): string {
    return createHmac("sha256", this.#key).update(data).digest("base64url");
  }
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

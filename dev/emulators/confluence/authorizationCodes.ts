import { randomBytes } from "node:crypto";
import type { Clock } from "../../../shared/runtime";
import type { ConsentGrant } from "./tokenFamilies";

/** What an authorization code stands for until it is exchanged. */
interface IssuedCode {
  clientId: string;
  redirectUri: string;
  grant: ConsentGrant;
  expiresAt: number;
  used: boolean;
}

/** A consent screen shown and not yet answered. */
export interface PendingConsent {
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  scopes: readonly string[];
}

/**
 * The authorization-code flow's short-lived records: consent screens waiting for the person's answer, and codes
 * waiting for their one exchange (bound to the client and the redirect URI they were issued for).
 */
export class AuthorizationCodes {
  readonly #codes = new Map<string, IssuedCode>();
  readonly #consents = new Map<string, PendingConsent>();
  readonly #clock: Clock;
  readonly #lifetimeMs: number;

  constructor(clock: Clock, lifetimeMs: number) {
    this.#clock = clock;
    this.#lifetimeMs = lifetimeMs;
  }

  /** Remembers a consent screen; its id goes into the form. */
  pendConsent(consent: PendingConsent): string {
    const id = randomBytes(16).toString("hex");
    this.#consents.set(id, consent);
    return id;
  }

  /** The consent screen `id` answers, once. */
  takeConsent(id: string): PendingConsent | undefined {
    const consent = this.#consents.get(id);
    this.#consents.delete(id);
    return consent;
  }

  issue(clientId: string, redirectUri: string, grant: ConsentGrant): string {
    const code = randomBytes(24).toString("base64url");
    this.#codes.set(code, {
      clientId,
      redirectUri,
      grant,
      expiresAt: this.#clock.now() + this.#lifetimeMs,
      used: false,
    });
    return code;
  }

  /** The grant of a code exchanged by its client with its redirect URI, once, before it expires. */
  exchange(
    code: string,
    clientId: string,
    redirectUri: unknown,
  ): { ok: true; grant: ConsentGrant } | { ok: false; reason: string } {
    const issued = this.#codes.get(code);
    if (issued === undefined) return { ok: false, reason: "unknown authorization code" };
    if (issued.used) return { ok: false, reason: "authorization code already used" };
    if (issued.expiresAt <= this.#clock.now()) return { ok: false, reason: "authorization code expired" };
    if (issued.clientId !== clientId || issued.redirectUri !== redirectUri)
      return { ok: false, reason: "authorization code was issued to another client or redirect_uri" };
    issued.used = true;
    return { ok: true, grant: issued.grant };
  }
}

import { AppError } from "../errors";
import type { RetryableFailure } from "../resilience";

/** Stable codes of every failure at the Confluence boundary (OAuth host, API gateway, Confluence itself). */
export const ConfluenceErrorCode = {
  /** 400: the request was refused as invalid (malformed storage XHTML, bad CQL, duplicate title, …). */
  BadRequest: "CONFLUENCE_BAD_REQUEST",
  /** 401 from the gateway even after one refresh: missing scope, or the token is refused for another reason. */
  Unauthorized: "CONFLUENCE_UNAUTHORIZED",
  Forbidden: "CONFLUENCE_FORBIDDEN",
  /** 404: missing — or not visible to the app user; Confluence does not tell the two apart. */
  NotFound: "CONFLUENCE_NOT_FOUND",
  /** 409 other than a page version conflict (duplicate property key, stale property version, concurrent update). */
  Conflict: "CONFLUENCE_CONFLICT",
  /** 409 on a page update whose version is not current + 1; see PageVersionConflict. */
  VersionConflict: "CONFLUENCE_VERSION_CONFLICT",
  TooLarge: "CONFLUENCE_TOO_LARGE",
  RateLimited: "CONFLUENCE_RATE_LIMITED",
  /** 5xx (and 408). */
  Unavailable: "CONFLUENCE_UNAVAILABLE",
  /** Any other non-2xx status. */
  Http: "CONFLUENCE_HTTP_ERROR",
  /** No response: timeout, refused or reset connection. */
  Network: "CONFLUENCE_NETWORK",
  /** A 2xx whose body does not have the shape we depend on. */
  UnexpectedResponse: "CONFLUENCE_UNEXPECTED_RESPONSE",
  /** The token endpoint refused the client id/secret (401 access_denied): fix the app's configuration, not the grant. */
  ClientCredentialsRejected: "CONFLUENCE_CLIENT_CREDENTIALS_REJECTED",
  /** The token endpoint declared the refresh token dead (403 invalid_grant / unauthorized_client). */
  GrantRevoked: "CONFLUENCE_GRANT_REVOKED",
  /** The token endpoint refused an authorization code: unknown, used, expired, or issued for another redirect URI. */
  AuthorizationCodeRejected: "CONFLUENCE_AUTHORIZATION_CODE_REJECTED",
  /** A secret the profile needs (client id, client secret, refresh token) is not in the secrets store. */
  CredentialsMissing: "CONFLUENCE_CREDENTIALS_MISSING",
  /**
   * Another process holds the grant's lease (it is refreshing, or keeps a rotated token it could not store yet) and did
   * not let go in time. Transient: the next attempt usually gets the lease.
   */
  TokenLeaseBusy: "CONFLUENCE_TOKEN_LEASE_BUSY",
  /** This process lost the grant's lease in the middle of a refresh (it was too slow); nothing was stored. Transient. */
  TokenLeaseLost: "CONFLUENCE_TOKEN_LEASE_LOST",
  /** No accessible resource matches the profile's site URL / cloudId. */
  SiteNotFound: "CONFLUENCE_SITE_NOT_FOUND",
  /** Several accessible resources match and none can be told apart. */
  SiteAmbiguous: "CONFLUENCE_SITE_AMBIGUOUS",
} as const;
export type ConfluenceErrorCode = (typeof ConfluenceErrorCode)[keyof typeof ConfluenceErrorCode];

export interface ConfluenceErrorOptions {
  status?: number;
  retryAfterMs?: number;
  /** Defaults to false: only failures that may pass by themselves are transient. */
  transient?: boolean;
  /** Atlassian's own error code: v2 `errors[0].code`, OAuth `error`, or the v1 exception class. */
  serviceCode?: string;
  /** A 429's `RateLimit-Reason` (`confluence-quota-global-based`: the hourly quota, not a burst). */
  rateLimitReason?: string;
  cause?: unknown;
}

/**
 * The one error class of the Confluence boundary. It carries what the shared retry policy reads (`status`,
 * `retryAfterMs`, `transient`) and a stable `code`. Messages name the profile, the call (`[PUT] "/wiki/api/v2/pages/123"`)
 * and Atlassian's explanation — never a token or secret (every message passes through the SecretRedactor).
 */
export class ConfluenceError extends AppError implements RetryableFailure {
  readonly code: ConfluenceErrorCode;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly transient: boolean;
  readonly serviceCode?: string;
  readonly rateLimitReason?: string;

  constructor(code: ConfluenceErrorCode, message: string, options: ConfluenceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.transient = options.transient ?? false;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.serviceCode !== undefined) this.serviceCode = options.serviceCode;
    if (options.rateLimitReason !== undefined) this.rateLimitReason = options.rateLimitReason;
  }

  override toJSON(): { name: string; code: string; message: string; status?: number; serviceCode?: string } {
    return {
      ...super.toJSON(),
      ...(this.status !== undefined ? { status: this.status } : {}),
      ...(this.serviceCode !== undefined ? { serviceCode: this.serviceCode } : {}),
    };
  }
}

/** Name-based guard (survives duplicated module instances); optionally for one code. */
export function isConfluenceError(value: unknown, code?: ConfluenceErrorCode): value is ConfluenceError {
  if (!(value instanceof Error)) return false;
  const candidate = value as Error & { code?: unknown; transient?: unknown };
  const ours =
    typeof candidate.code === "string" &&
    candidate.code.startsWith("CONFLUENCE_") &&
    typeof candidate.transient === "boolean";
  return ours && (code === undefined || candidate.code === code);
}

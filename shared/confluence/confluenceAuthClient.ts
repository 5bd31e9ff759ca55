import { createRetryPolicy, type RetryPolicy, type RetryPolicyOptions } from "../resilience";
import { type Clock, type Logger, SecretRedactor, secretSlot, silentLogger, systemClock } from "../runtime";
import { ConfluenceError, ConfluenceErrorCode, isConfluenceError } from "./confluenceError";
import { ConfluenceHttp, type ConfluenceTransportOptions } from "./confluenceHttp";
import { type AccessibleResource, accessibleResourcesSchema, tokenResponseSchema } from "./confluenceSchemas";
import { type ConfluenceSite, type ConfluenceSiteTarget, pickConfluenceSite } from "./confluenceSite";

export const DEFAULT_CONFLUENCE_AUTH_BASE_URL = "https://auth.atlassian.com";
export const DEFAULT_CONFLUENCE_API_BASE_URL = "https://api.atlassian.com";

export interface ConfluenceAuthClientOptions extends ConfluenceTransportOptions {
  /** Atlassian's OAuth host (profile endpoint `confluenceAuthBaseUrl`). */
  authBaseUrl?: string;
  /** Atlassian's API gateway (profile endpoint `confluenceApiBaseUrl`), for accessible-resources. */
  apiBaseUrl?: string;
  clock?: Clock;
  logger?: Logger;
  /** Every credential this client sees is registered here. */
  redactor?: SecretRedactor;
  /** Bounds of the shared retry policy for these calls. */
  retry?: RetryPolicyOptions;
}

/** What the refresh grant needs; all three are secrets. */
export interface RefreshGrantRequest {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/** What the authorization-code grant needs; the client secret and the code are secrets. */
export interface CodeGrantRequest {
  clientId: string;
  clientSecret: string;
  code: string;
  /** Exactly the `redirect_uri` of the authorization request. */
  redirectUri: string;
}

/** An exchanged consent: the first access token and, with `offline_access`, the grant's first refresh token. */
export interface CodeGrant {
  accessToken: string;
  refreshToken: string | undefined;
  expiresInSeconds: number;
  /** The scopes the consent granted (the token response's `scope`). */
  scopes: string[];
}

/** A successful refresh: a new access token and the rotated refresh token that replaces the one sent. */
export interface TokenGrant {
  accessToken: string;
  refreshToken: string;
  /** Lifetime of the access token as the server stated it, in seconds. */
  expiresInSeconds: number;
  scopes: string[];
}

/**
 * Atlassian's OAuth 2.0 (3LO) endpoints: the refresh grant on the auth host and accessible-resources on the API gateway
 * (docs/references.md#confluence-oauth-and-the-gateway). Stateless: persisting the rotated refresh token is
 * ConfluenceTokenManager's job.
 *
 * Transient failures (429, 5xx, timeouts) are retried with the shared policy. For the refresh grant that is safe
 * even when the lost attempt did rotate the token on the server: the token we resend is within the reuse leeway.
 */
export class ConfluenceAuthClient {
  readonly #http: ConfluenceHttp;
  readonly #authBaseUrl: string;
  readonly #apiBaseUrl: string;
  readonly #redactor: SecretRedactor;
  readonly #retry: RetryPolicy;

  constructor(options: ConfluenceAuthClientOptions = {}) {
    this.#redactor = options.redactor ?? new SecretRedactor();
    this.#http = new ConfluenceHttp({ ...options, clock: options.clock ?? systemClock, redactor: this.#redactor });
    this.#authBaseUrl = trimSlash(options.authBaseUrl ?? DEFAULT_CONFLUENCE_AUTH_BASE_URL);
    this.#apiBaseUrl = trimSlash(options.apiBaseUrl ?? DEFAULT_CONFLUENCE_API_BASE_URL);
    const logger = options.logger ?? silentLogger;
    this.#retry = createRetryPolicy({
      ...options.retry,
      onRetry: (event) => {
        logger.warn("confluence auth call failed; retrying", { ...event });
        options.retry?.onRetry?.(event);
      },
    });
  }

  /**
   * Exchanges a refresh token (`grant_type=refresh_token`, JSON body). Throws ConfluenceError with
   * `GrantRevoked` for a dead grant (403 invalid_grant / unauthorized_client) and `ClientCredentialsRejected` for a
   * wrong client id or secret (401 access_denied); neither is transient.
   */
  async refresh(grant: RefreshGrantRequest, profileKey: string): Promise<TokenGrant> {
    this.#redactor.register(grant.clientSecret, secretSlot(profileKey, "ConfluenceClientSecret"));
    this.#redactor.register(grant.refreshToken, secretSlot(profileKey, "ConfluenceRefreshToken"));
    const request = { method: "POST" as const, url: `${this.#authBaseUrl}/oauth/token`, profileKey };
    const response = await this.#retry.execute(async () => {
      try {
        return await this.#http.send({
          ...request,
          body: {
            grant_type: "refresh_token",
            client_id: grant.clientId,
            client_secret: grant.clientSecret,
            refresh_token: grant.refreshToken,
          },
        });
      } catch (error) {
        throw classifyTokenFailure(error, profileKey);
      }
    });
    const body = this.#http.parse(tokenResponseSchema, response, request);
    this.#redactor.register(body.access_token, secretSlot(profileKey, "ConfluenceAccessToken"));
    this.#redactor.register(body.refresh_token, secretSlot(profileKey, "ConfluenceRefreshToken"));
    if (body.refresh_token === undefined) {
      throw new ConfluenceError(
        ConfluenceErrorCode.UnexpectedResponse,
        `profile "${profileKey}": the token endpoint returned no refresh token; the app must request the offline_access scope`,
      );
    }
    return {
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      expiresInSeconds: body.expires_in,
      scopes: body.scope.split(/\s+/).filter(Boolean),
    };
  }

  /**
   * Exchanges an authorization code from a consent (`grant_type=authorization_code`, JSON body,
   * docs/references.md#confluence-authorization-code-flow). Not retried: a code is good for one exchange, so a second
   * attempt after a lost answer could only be refused. The refresh token is absent when the consent lacked
   * `offline_access`. Throws ConfluenceError `AuthorizationCodeRejected` (403/400 invalid_grant) or
   * `ClientCredentialsRejected` (401).
   */
  async exchangeCode(request: CodeGrantRequest, profileKey: string): Promise<CodeGrant> {
    this.#redactor.register(request.clientSecret, secretSlot(profileKey, "ConfluenceClientSecret"));
    this.#redactor.register(request.code, secretSlot(profileKey, "ConfluenceAuthorizationCode"));
    const sent = { method: "POST" as const, url: `${this.#authBaseUrl}/oauth/token`, profileKey };
    let response: Awaited<ReturnType<ConfluenceHttp["send"]>>;
    try {
      response = await this.#http.send({
        ...sent,
        body: {
          grant_type: "authorization_code",
          client_id: request.clientId,
          client_secret: request.clientSecret,
          code: request.code,
          redirect_uri: request.redirectUri,
        },
      });
    } catch (error) {
      const classified = classifyTokenFailure(error, profileKey);
      if (isConfluenceError(classified) && classified.code === ConfluenceErrorCode.GrantRevoked)
        throw codeRejected(profileKey, classified.serviceCode);
      if (
        isConfluenceError(error) &&
        (error.status === 400 || error.status === 403) &&
        error.serviceCode === "invalid_grant"
      )
        throw codeRejected(profileKey, error.serviceCode);
      throw classified;
    }
    const body = this.#http.parse(tokenResponseSchema, response, sent);
    this.#redactor.register(body.access_token, secretSlot(profileKey, "ConfluenceAccessToken"));
    if (body.refresh_token !== undefined)
      this.#redactor.register(body.refresh_token, secretSlot(profileKey, "ConfluenceRefreshToken"));
    return {
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      expiresInSeconds: body.expires_in,
      scopes: body.scope.split(/\s+/).filter(Boolean),
    };
  }

  /** The sites (and product containers) the access token's grant covers. */
  async accessibleResources(accessToken: string, profileKey: string): Promise<AccessibleResource[]> {
    this.#redactor.register(accessToken, secretSlot(profileKey, "ConfluenceAccessToken"));
    const request = {
      method: "GET" as const,
      url: `${this.#apiBaseUrl}/oauth/token/accessible-resources`,
      profileKey,
      bearer: accessToken,
    };
    const response = await this.#retry.execute(() => this.#http.send(request));
    return this.#http.parse(accessibleResourcesSchema, response, request);
  }

  /** The profile's site among the accessible resources; see pickConfluenceSite for the matching rules. */
  async resolveSite(accessToken: string, target: ConfluenceSiteTarget, profileKey: string): Promise<ConfluenceSite> {
    return pickConfluenceSite(await this.accessibleResources(accessToken, profileKey), target, profileKey);
  }
}

function classifyTokenFailure(error: unknown, profileKey: string): unknown {
  if (!isConfluenceError(error) || error.status === undefined) return error;
  if (error.status === 403 && (error.serviceCode === "invalid_grant" || error.serviceCode === "unauthorized_client")) {
    return new ConfluenceError(ConfluenceErrorCode.GrantRevoked, error.message, {
      status: 403,
      serviceCode: error.serviceCode,
    });
  }
  if (error.status === 401) {
    return new ConfluenceError(
      ConfluenceErrorCode.ClientCredentialsRejected,
      `profile "${profileKey}": Atlassian rejected the OAuth client id or secret (401 ${error.serviceCode ?? ""}); check the ConfluenceClientId and ConfluenceClientSecret secrets`,
      { status: 401, ...(error.serviceCode ? { serviceCode: error.serviceCode } : {}) },
    );
  }
  return error;
}

function codeRejected(profileKey: string, serviceCode: string | undefined): ConfluenceError {
  return new ConfluenceError(
    ConfluenceErrorCode.AuthorizationCodeRejected,
    `profile "${profileKey}": Atlassian refused the authorization code (${serviceCode ?? "invalid_grant"}): it was used already, expired, or issued for another callback URL; start the consent again`,
    { status: 403, ...(serviceCode ? { serviceCode } : {}) },
  );
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

export { AccessToken, DEFAULT_EXPIRY_SKEW_MS } from "./accessToken";
export {
  ConfluenceAuthClient,
  type ConfluenceAuthClientOptions,
  DEFAULT_CONFLUENCE_API_BASE_URL,
  DEFAULT_CONFLUENCE_AUTH_BASE_URL,
  type RefreshGrantRequest,
  type TokenGrant,
} from "./confluenceAuthClient";
export {
  ConfluenceClient,
  type ConfluenceClientOptions,
  type ConfluencePage,
  type ConfluenceSpace,
  type ContentProperty,
  type ListPagesQuery,
  type PageSort,
  type SearchHit,
  type TreePage,
} from "./confluenceClient";
export {
  ConfluenceError,
  ConfluenceErrorCode,
  type ConfluenceErrorOptions,
  isConfluenceError,
} from "./confluenceError";
export { confluenceAuthClientForProfile, confluenceClientForProfile } from "./confluenceForProfile";
export { CONFLUENCE_USER_AGENT, type ConfluenceTransportOptions, type RateLimitState } from "./confluenceHttp";
export type { AccessibleResource } from "./confluenceSchemas";
export { type ConfluenceSite, type ConfluenceSiteTarget, normalizeSiteUrl, pickConfluenceSite } from "./confluenceSite";
export {
  ConfluenceTokenManager,
  type ConfluenceTokenManagerOptions,
  DEFAULT_GRANT_TIMING,
  type GetAccessTokenOptions,
  type GrantTiming,
  type NewGrant,
} from "./confluenceTokenManager";
export { PageVersionConflict } from "./pageVersionConflict";
export { ReauthorizationRequired } from "./reauthorizationRequired";
export { refreshTokenFingerprint } from "./refreshTokenFingerprint";
export { RefreshTokenRetired } from "./refreshTokenRetired";

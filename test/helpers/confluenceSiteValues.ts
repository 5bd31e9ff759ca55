/**
 * The seeded Confluence site most tests start from (one space, a table page and a child page) and its OAuth app.
 * Kept apart from the vitest helpers in confluenceSite.ts so code running outside vitest (the sandbox) can use them.
 */
export const TEST_CLOUD_ID = "1324a887-45db-1bf4-1e99-ef0ff456d421";
export const TEST_SITE_URL = "https://contoso.atlassian.net";
export const TEST_CLIENT_ID = "test-client-id-0123456789";
export const TEST_CLIENT_SECRET = "test-client-secret-ABCDEFGHIJKLMNOP";
export const TEST_REFRESH_TOKEN = "seed-refresh-token-QRSTUVWXYZ012345";

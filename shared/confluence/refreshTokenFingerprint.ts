import { createHash } from "node:crypto";

/**
 * A one-way name for a refresh token, so the grant ledger can tell tokens apart (which one was exchanged, by which
 * profile, which one is stored) without ever holding one: SHA-256 over a fixed prefix and the token, 160 bits in hex.
 * Refresh tokens are long random strings, so the fingerprint reveals nothing that could be used in their place.
 */
export function refreshTokenFingerprint(refreshToken: string): string {
  return createHash("sha256")
    .update("confluence-sync/refresh-token/v1\u0000")
    .update(refreshToken)
    .digest("hex")
    .slice(0, 40);
}

import { AppError } from "../errors";

/**
 * The profile's Atlassian grant is dead — the refresh token expired, was revoked, or was reused after the rotation
 * leeway (which revokes the whole token family). Only a person can fix it: an admin consents again and stores the new
 * refresh token as the profile's `ConfluenceRefreshToken` secret. Never retried: retrying a dead grant
 * only burns rate limit and, with a stale token, could not succeed anyway.
 */
export class ReauthorizationRequired extends AppError {
  readonly code = "REAUTHORIZATION_REQUIRED";
  /** Read by the retry policy: never retry. */
  readonly transient = false;

  constructor(
    readonly profileKey: string,
    /** The token endpoint's `error` (`invalid_grant`, `unauthorized_client`) or `missing` when no token is stored. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `profile "${profileKey}": the Confluence authorization is no longer valid (${reason}); an admin must re-authorize the app and store the new refresh token as secret ConfluenceRefreshToken`,
      options,
    );
  }
}

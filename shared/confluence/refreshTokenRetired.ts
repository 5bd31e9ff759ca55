import { AppError } from "../errors";

/**
 * The profile's stored refresh token was exchanged before, so it is retired, and it was NOT sent: Atlassian revokes
 * the whole grant when a retired token is used after its reuse leeway (docs/references.md#confluence-rotating-refresh-tokens).
 * Two ways to get here (docs/security.md#the-confluence-grant):
 * - `sharedWithAnotherProfile`: another profile exchanged this very token: two profiles hold copies of one grant. The
 *   other profile keeps it; this one needs a consent of its own.
 * - `olderThanStored`: this profile rotated past it already (an older secret version restored, a stale copy). The
 *   newest token is the newest secret version: restore that one, or consent again.
 * Never retried: only a person can fix it, and nothing is lost meanwhile.
 */
export class RefreshTokenRetired extends AppError {
  readonly code = "CONFLUENCE_REFRESH_TOKEN_RETIRED";
  /** Read by the retry policy: never retry. */
  readonly transient = false;

  constructor(
    readonly profileKey: string,
    readonly reason: "sharedWithAnotherProfile" | "olderThanStored",
    /** The profile that exchanged the token first, and when. */
    readonly exchangedBy: string,
    readonly exchangedAt: string,
  ) {
    super(
      reason === "sharedWithAnotherProfile"
        ? `profile "${profileKey}": its ConfluenceRefreshToken was already exchanged by profile "${exchangedBy}" at ${exchangedAt}: the two profiles hold copies of one grant. It was not sent again, which would revoke the grant for both; give this profile a consent of its own`
        : `profile "${profileKey}": its ConfluenceRefreshToken is one this app already rotated at ${exchangedAt} (an older secret version restored, or a stale copy). It was not sent, which would revoke the grant; restore the newest version of the secret, or consent again`,
    );
  }

  override toJSON(): ReturnType<AppError["toJSON"]> & { profileKey: string; reason: string; exchangedBy: string } {
    return { ...super.toJSON(), profileKey: this.profileKey, reason: this.reason, exchangedBy: this.exchangedBy };
  }
}

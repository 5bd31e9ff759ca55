import { AppError } from "../errors";

/**
 * A profile endpoint the deployment does not allow (not HTTPS, an IP address, or a host off the allowlist for its
 * service), found when a run or a subscription was about to use it. Nothing was sent: no token was requested for it
 * and no credential went to it. Fixed by correcting the profile, or by the deployment's ALLOWED_*_HOSTS settings.
 */
export class EndpointNotAllowed extends AppError {
  readonly code = "ENDPOINT_NOT_ALLOWED";
  /** Read by the retry policy: never retry. */
  readonly transient = false;

  constructor(
    readonly profileKey: string,
    /** The profile path, e.g. `endpoints.graphBaseUrl`. */
    readonly path: string,
    reason: string,
  ) {
    super(`profile "${profileKey}": ${path} is not allowed: ${reason}; nothing was sent to it`);
  }
}

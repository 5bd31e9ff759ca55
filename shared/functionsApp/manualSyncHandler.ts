import type { HttpRequest, HttpResponse, HttpResponseInit } from "@azure/functions";
import { isStorableProfileKey } from "../config/profileStore";
import type { ProfileValidator } from "../config/profileValidator";
import type { Logger } from "../runtime";
import type { SyncStarter } from "../syncStart";
import { errorResponse, HttpErrorCodes, profileNotFoundResponse, respondSafely } from "./httpResponses";

export interface ManualSyncDependencies {
  validator: Pick<ProfileValidator, "validateStored">;
  starter: SyncStarter;
  /** The 202 with the instance's status URLs (the Durable client's `createCheckStatusResponse`). */
  checkStatusResponse: (instanceId: string) => HttpResponseInit | HttpResponse;
  logger: Logger;
}

/**
 * `POST /api/profiles/{profileKey}/sync[?dryRun=true]`: validates the profile (schema and secret names, no secret
 * read), then starts its run. 202 with the status URLs; 404 unknown profile; 400 invalid profile (the missing secret
 * names and schema errors) or a bad `dryRun`; 409 while the profile is already syncing.
 */
export function manualSync(
  request: HttpRequest,
  deps: ManualSyncDependencies,
): Promise<HttpResponseInit | HttpResponse> {
  return respondSafely(deps.logger, async () => {
    const profileKey = request.params.profileKey ?? "";
    const dryRun = parseDryRun(request.query.get("dryRun"));
    if (dryRun === undefined) return errorResponse(400, HttpErrorCodes.InvalidQuery, "dryRun must be true or false");
    if (!isStorableProfileKey(profileKey)) return profileNotFoundResponse(profileKey);

    const validation = await deps.validator.validateStored(profileKey);
    if (!validation.valid) {
      return errorResponse(400, HttpErrorCodes.ProfileInvalid, `profile "${profileKey}" cannot run until it is fixed`, {
        missingSecrets: validation.missingSecrets,
        errors: validation.errors,
      });
    }
    const outcome = await deps.starter.startProfileSync({ profileKey, dryRun, trigger: "manual" });
    if (outcome.kind === "busy") {
      return errorResponse(409, HttpErrorCodes.SyncAlreadyRunning, `profile "${profileKey}" is already syncing`, {
        instanceId: outcome.instanceId,
        runtimeStatus: outcome.runtimeStatus,
      });
    }
    deps.logger.info("manual sync started", { profileKey, dryRun, instanceId: outcome.instanceId });
    return deps.checkStatusResponse(outcome.instanceId);
  });
}

/** Absent means a real run; `true` / `false` (any letter case) otherwise; anything else is refused. */
function parseDryRun(value: string | null): boolean | undefined {
  if (value === null) return false;
  const lower = value.toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : undefined;
}

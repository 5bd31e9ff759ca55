import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { isStorableProfileKey } from "../config/profileStore";
import type { ProfileValidator } from "../config/profileValidator";
import type { Logger } from "../runtime";
import type { SyncStarter } from "../syncStart";
import { errorResponse, HttpErrorCodes, jsonResponse, profileNotFoundResponse, respondSafely } from "./httpResponses";

export interface ManualSyncDependencies {
  validator: Pick<ProfileValidator, "validateStored">;
  starter: SyncStarter;
  logger: Logger;
}

/** How long a client polling the status route should wait between polls, in seconds. */
const POLL_AFTER_SECONDS = 10;

/**
 * `POST /api/profiles/{profileKey}/sync[?dryRun=true]`: validates the profile (schema, endpoints and secret names, no
 * secret read), then starts its run. 202 with the instance id and our own status route (`…/sync/status`, function key);
 * 404 unknown profile; 400 invalid profile (the missing secret names and schema errors) or a bad `dryRun`; 409 while
 * the profile is already syncing.
 *
 * The answer is never the Durable client's `createCheckStatusResponse`: its URLs carry the extension's system key,
 * which manages every orchestration in the task hub, and a function key must not buy that
 * (docs/security.md#what-a-function-key-grants).
 */
export function manualSync(request: HttpRequest, deps: ManualSyncDependencies): Promise<HttpResponseInit> {
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
    const statusUri = statusUriOf(request);
    const accepted = jsonResponse(202, { id: outcome.instanceId, profileKey, dryRun, statusUri });
    return {
      ...accepted,
      headers: {
        ...(accepted.headers as Record<string, string>),
        Location: statusUri,
        "Retry-After": `${POLL_AFTER_SECONDS}`,
      },
    };
  }) as Promise<HttpResponseInit>;
}

/**
 * The status route beside the request's own (`…/profiles/{key}/sync` → `…/profiles/{key}/sync/status`), on the origin
 * the caller used, without the query string: a function key the caller sent as `code` is not echoed back.
 */
function statusUriOf(request: HttpRequest): string {
  const url = new URL(request.url);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}/status`;
}

/** Absent means a real run; `true` / `false` (any letter case) otherwise; anything else is refused. */
function parseDryRun(value: string | null): boolean | undefined {
  if (value === null) return false;
  const lower = value.toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : undefined;
}

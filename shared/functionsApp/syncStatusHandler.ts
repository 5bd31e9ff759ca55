import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type * as df from "durable-functions";
import { isStorableProfileKey } from "../config/profileStore";
import { syncInstanceId } from "../engine/run/runContract";
import type { Logger } from "../runtime";
import { errorResponse, HttpErrorCodes, jsonResponse, profileNotFoundResponse, respondSafely } from "./httpResponses";

export interface SyncStatusDependencies {
  /** The Durable client of the invocation; it reaches the extension with the system key, which never leaves here. */
  client: Pick<df.DurableClient, "getStatus">;
  logger: Logger;
}

/**
 * `GET /api/profiles/{profileKey}/sync/status` (function key): the profile's latest run instance as the Durable client
 * sees it: `runtimeStatus`, `customStatus` (the run's `RunProgress`: stage, counts, estimate), the input, and, once finished, `output` = the run
 * report. 404 `SYNC_NOT_FOUND` when the task hub holds no run of the profile. Nothing here lets the caller manage the
 * instance (docs/http-api.md#get-apiprofilesprofilekeysyncstatus).
 */
export function syncStatus(request: HttpRequest, deps: SyncStatusDependencies): Promise<HttpResponseInit> {
  return respondSafely(deps.logger, async () => {
    const profileKey = request.params.profileKey ?? "";
    if (!isStorableProfileKey(profileKey)) return profileNotFoundResponse(profileKey);
    const instanceId = syncInstanceId(profileKey);
    let status: df.DurableOrchestrationStatus;
    try {
      status = await deps.client.getStatus(instanceId);
    } catch (error) {
      // durable-functions v3 throws a plain Error for the extension's 404; its message is the only signal.
      if (error instanceof Error && /replied with HTTP 404/.test(error.message))
        return errorResponse(404, HttpErrorCodes.SyncNotFound, `no run of profile "${profileKey}" is known`);
      throw error;
    }
    return jsonResponse(200, {
      id: instanceId,
      profileKey,
      runtimeStatus: String(status.runtimeStatus),
      createdTime: isoOrNull(status.createdTime),
      lastUpdatedTime: isoOrNull(status.lastUpdatedTime),
      input: status.input ?? null,
      customStatus: status.customStatus ?? null,
      output: status.output ?? null,
    });
  }) as Promise<HttpResponseInit>;
}

function isoOrNull(value: Date | string | undefined): string | null {
  if (value === undefined || value === null) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

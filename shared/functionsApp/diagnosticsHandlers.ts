import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { isStorableProfileKey } from "../config/profileStore";
import {
  checkProfile,
  type DiagnosticsSources,
  readOpenConflicts,
  readProfileDetail,
  readProfilesOverview,
} from "../diagnostics";
import type { EngineServices } from "../engine/engineServices";
import type { Logger } from "../runtime";
import { jsonResponse, profileNotFoundResponse, respondSafely } from "./httpResponses";

export interface DiagnosticsDependencies {
  sources: DiagnosticsSources;
  logger: Logger;
}

/** `GET /api/profiles`: every profile, valid or not, with its missing secret names, last run and open conflicts. */
export function listProfiles(_request: HttpRequest, deps: DiagnosticsDependencies): Promise<HttpResponseInit> {
  return respondSafely(deps.logger, async () =>
    jsonResponse(200, { profiles: await readProfilesOverview(deps.sources) }),
  ) as Promise<HttpResponseInit>;
}

/** `GET /api/profiles/{profileKey}`: the overview's facts plus recent runs, subscription expiry, token refreshes. */
export function getProfile(request: HttpRequest, deps: DiagnosticsDependencies): Promise<HttpResponseInit> {
  return forProfile(request, deps, (profileKey) => readProfileDetail(deps.sources, profileKey));
}

/** What `GET /api/profiles/{profileKey}/check` needs: the engine (its connections), the webhook URL, a logger. */
export interface CheckDependencies {
  engine: () => Promise<EngineServices>;
  webhookUrl: string | undefined;
  logger: Logger;
}

/**
 * `GET /api/profiles/{profileKey}/check`: the profile checked against the real services, read-only
 * (docs/http-api.md#get-apiprofilesprofilekeycheck): 200 with one line per check and `ok: false` when one failed.
 */
export function checkProfileHandler(request: HttpRequest, deps: CheckDependencies): Promise<HttpResponseInit> {
  return forProfile(request, deps, async (profileKey) =>
    checkProfile(await deps.engine(), profileKey, { webhookUrl: deps.webhookUrl }),
  );
}

/** `GET /api/profiles/{profileKey}/conflicts`: each open conflict with both values. */
export function getProfileConflicts(request: HttpRequest, deps: DiagnosticsDependencies): Promise<HttpResponseInit> {
  return forProfile(request, deps, (profileKey) => readOpenConflicts(deps.sources, profileKey));
}

function forProfile(
  request: HttpRequest,
  deps: { logger: Logger },
  read: (profileKey: string) => Promise<unknown>,
): Promise<HttpResponseInit> {
  return respondSafely(deps.logger, async () => {
    const profileKey = request.params.profileKey ?? "";
    if (!isStorableProfileKey(profileKey)) return profileNotFoundResponse(profileKey);
    return jsonResponse(200, await read(profileKey));
  }) as Promise<HttpResponseInit>;
}

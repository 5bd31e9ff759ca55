import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { isStorableProfileKey } from "../config/profileStore";
import { viewConflict } from "../diagnostics";
import { type SettleRequest, type SettleResult, settleConflicts } from "../engine/conflictSettling";
import type { EngineServices } from "../engine/engineServices";
import { type SettlementRefusalCode, SettlementRefused } from "../engine/settlementRefused";
import type { Logger } from "../runtime";
import { type SyncStarter, startOrCoalesce } from "../syncStart";
import { errorResponse, HttpErrorCodes, jsonResponse, profileNotFoundResponse, respondSafely } from "./httpResponses";

export interface ConflictSettlementDependencies {
  engine: EngineServices;
  starter: SyncStarter;
  logger: Logger;
}

/** The HTTP status of each refusal. */
const REFUSAL_STATUS: Record<SettlementRefusalCode, number> = {
  CONFLICT_NOT_FOUND: 404,
  CONFLICT_ALREADY_SETTLED: 409,
  CONFLICT_NOT_SETTLEABLE: 409,
  SETTLEMENT_VALUE_INVALID: 400,
  SETTLEMENT_REQUEST_INVALID: 400,
};

/** Bodies are a few fields; anything larger is not a settlement. */
const MAX_BODY_CHARS = 16_384;

/**
 * `POST /api/profiles/{profileKey}/conflicts/{conflictId}/resolve` and, without a conflict id,
 * `POST /api/profiles/{profileKey}/conflicts/resolve` (every open field conflict, one side): records who settled what,
 * to be applied by the next run (docs/http-api.md#post-apiprofilesprofilekeyconflictsconflictidresolve). Body
 * `{"take": "sharePoint" | "confluence" | "value", "value"?: "…", "by"?: "…"}`; `?sync=true` starts the profile's run
 * at once (or arranges one after the run in flight).
 */
export function resolveConflicts(
  request: HttpRequest,
  deps: ConflictSettlementDependencies,
): Promise<HttpResponseInit> {
  return respondSafely(deps.logger, async () => {
    const profileKey = request.params.profileKey ?? "";
    const conflictId = request.params.conflictId;
    const sync = parseSync(request.query.get("sync"));
    if (sync === undefined) return errorResponse(400, HttpErrorCodes.InvalidQuery, "sync must be true or false");
    if (!isStorableProfileKey(profileKey)) return profileNotFoundResponse(profileKey);
    const body = await readBody(request);
    if (!body.ok) return errorResponse(400, "SETTLEMENT_REQUEST_INVALID", body.message);

    const settleRequest: SettleRequest = {
      profileKey,
      target: conflictId === undefined ? { kind: "all" } : { kind: "one", id: conflictId },
      take: body.take,
      ...(body.value === undefined ? {} : { value: body.value }),
      by: body.by ?? principalOf(request) ?? "a function key holder",
      via: "http",
    };
    let result: SettleResult;
    try {
      result = await settleConflicts(deps.engine, settleRequest);
    } catch (error) {
      if (!(error instanceof SettlementRefused)) throw error;
      return errorResponse(REFUSAL_STATUS[error.code], error.code, error.message, { ...error.details });
    }
    deps.logger.info("conflicts settled", {
      profileKey,
      settled: result.settled.map((entry) => entry.id),
      skipped: result.skipped.length,
      take: body.take,
    });
    const answer = {
      profileKey: result.profileKey,
      settled: result.settled.map(viewConflict),
      skipped: result.skipped,
      ...(sync && result.settled.length > 0 ? { sync: await startSync(request, deps, result.profileKey) } : {}),
    };
    return jsonResponse(200, answer);
  }) as Promise<HttpResponseInit>;
}

async function startSync(
  request: HttpRequest,
  deps: ConflictSettlementDependencies,
  profileKey: string,
): Promise<Record<string, unknown>> {
  const started = await startOrCoalesce(deps.starter, profileKey, "manual");
  const url = new URL(request.url);
  const statusUri = `${url.origin}${url.pathname.replace(/\/conflicts\/.*$/, "")}/sync/status`;
  return started.kind === "started"
    ? { kind: "started", id: started.instanceId, statusUri }
    : { kind: "followUp", id: started.instanceId, followUp: started.followUp, statusUri };
}

type Body = { ok: true; take: SettleRequest["take"]; value?: string; by?: string } | { ok: false; message: string };

async function readBody(request: HttpRequest): Promise<Body> {
  const text = await request.text();
  if (text.length > MAX_BODY_CHARS) return { ok: false, message: `the body is over ${MAX_BODY_CHARS} characters` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, message: 'the body must be JSON: {"take": "sharePoint" | "confluence" | "value", "value"?}' };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return { ok: false, message: "the body must be a JSON object" };
  const { take, value, by, ...rest } = parsed as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return { ok: false, message: `unknown properties: ${unknown.join(", ")}` };
  if (take !== "sharePoint" && take !== "confluence" && take !== "value")
    return { ok: false, message: 'take must be "sharePoint", "confluence" or "value"' };
  if (value !== undefined && typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean")
    return { ok: false, message: "value is the text a person would type into the cell (a string)" };
  if (by !== undefined && typeof by !== "string") return { ok: false, message: "by must be a string" };
  return {
    ok: true,
    take,
    ...(value === undefined ? {} : { value: String(value) }),
    ...(by === undefined ? {} : { by }),
  };
}

/** The signed-in principal App Service authentication passes on, when it is turned on. */
function principalOf(request: HttpRequest): string | undefined {
  const name = request.headers.get("x-ms-client-principal-name");
  return name === null || name.trim() === "" ? undefined : name;
}

function parseSync(value: string | null): boolean | undefined {
  if (value === null) return false;
  const lower = value.toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : undefined;
}

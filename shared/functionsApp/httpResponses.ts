import type { HttpResponse, HttpResponseInit } from "@azure/functions";
import { ProfileInvalid } from "../config/profileInvalid";
import { ProfileNotFound } from "../config/profileNotFound";
import { isAppError } from "../errors";
import { asRetryableFailure } from "../resilience";
import { globalRedactor, type Logger } from "../runtime";

/**
 * The HTTP API's response shapes. Errors are always `{"error": {"code", "message", …details}}` with a stable `code`
 * clients may match on; messages may change. Nothing here ever carries a secret value.
 */

/** Stable error codes of the HTTP API (besides the AppError codes it passes through, e.g. PROFILE_INVALID). */
export const HttpErrorCodes = {
  ProfileNotFound: "PROFILE_NOT_FOUND",
  ProfileInvalid: "PROFILE_INVALID",
  SyncAlreadyRunning: "SYNC_ALREADY_RUNNING",
  SyncNotFound: "SYNC_NOT_FOUND",
  InvalidQuery: "INVALID_QUERY",
  InvalidValidationRequest: "INVALID_VALIDATION_REQUEST",
  InvalidNotification: "INVALID_NOTIFICATION",
  NotificationNotProcessed: "NOTIFICATION_NOT_PROCESSED",
  Unavailable: "SERVICE_UNAVAILABLE",
  Internal: "INTERNAL_ERROR",
} as const;

const NO_STORE = { "Cache-Control": "no-store" };

export function jsonResponse(status: number, body: unknown): HttpResponseInit {
  return { status, jsonBody: globalRedactor.redactFields(body), headers: NO_STORE };
}

export function errorResponse(
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): HttpResponseInit {
  return jsonResponse(status, { error: { code, message, ...details } });
}

/** 404 for a profile key that names no stored profile (or could not name one at all). */
export function profileNotFoundResponse(profileKey: string): HttpResponseInit {
  return errorResponse(404, HttpErrorCodes.ProfileNotFound, `profile "${profileKey}" not found`);
}

/**
 * Maps an error a handler did not expect to handle into the envelope: known errors keep their code and status,
 * transient ones say "try again" (503), anything else is a 500 whose message points at the logs rather than
 * exposing internals. The full error goes to the log.
 */
export function unexpectedErrorResponse(error: unknown, logger: Logger): HttpResponseInit {
  if (error instanceof ProfileNotFound) return profileNotFoundResponse(error.profileKey);
  if (error instanceof ProfileInvalid)
    return errorResponse(400, HttpErrorCodes.ProfileInvalid, error.message, { errors: error.issues });
  const message = globalRedactor.redact(error instanceof Error ? error.message : String(error));
  logger.error("request failed", { error: message, ...(isAppError(error) ? { code: error.code } : {}) });
  if (asRetryableFailure(error)?.transient) {
    return errorResponse(
      503,
      isAppError(error) ? error.code : HttpErrorCodes.Unavailable,
      `a service this app depends on is unavailable; try again later (${message})`,
    );
  }
  if (isAppError(error)) return errorResponse(500, error.code, message);
  return errorResponse(500, HttpErrorCodes.Internal, "unexpected error; the function's log has the details");
}

/** Runs a handler body, turning whatever it throws into the error envelope. */
export async function respondSafely(
  logger: Logger,
  work: () => Promise<HttpResponseInit | HttpResponse>,
): Promise<HttpResponseInit | HttpResponse> {
  try {
    return await work();
  } catch (error) {
    return unexpectedErrorResponse(error, logger);
  }
}

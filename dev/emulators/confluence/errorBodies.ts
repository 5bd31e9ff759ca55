/**
 * The four error envelopes Confluence Cloud answers with (docs/references.md#confluence-error-bodies). Each part of the
 * emulator uses the envelope of the host/API it stands for, so clients meet the same shapes they will meet in
 * production.
 */

/** v2 (`/wiki/api/v2`): `{"errors":[{status, code, title, detail}]}`. */
export function v2ErrorBody(status: number, code: string, title: string, detail: string | null = null): unknown {
  return { errors: [{ status, code, title, detail }] };
}

/** v1 (`/wiki/rest/api`): the statusCode/data/message envelope with a Java exception class in `message`. */
export function v1ErrorBody(status: number, exception: string, text: string): unknown {
  return {
    statusCode: status,
    data: { authorized: status !== 401 && status !== 403, valid: status !== 400, errors: [], successful: false },
    message: `com.atlassian.confluence.api.service.exceptions.${exception}: ${text}`,
  };
}

/** The API gateway in front of every product (`api.atlassian.com`): `{"code", "message"}`. */
export function gatewayErrorBody(status: number, message: string): unknown {
  return { code: status, message };
}

/** The OAuth host (`auth.atlassian.com`): `{"error", "error_description"}`. */
export function oauthErrorBody(error: string, description: string): unknown {
  return { error, error_description: description };
}

/** v2 error code for a status, as observed (`INVALID_REQUEST_PARAMETER`, `NOT_FOUND`, `CONFLICT`, …). */
export function v2CodeFor(status: number): string {
  const codes: Record<number, string> = {
    400: "INVALID_REQUEST_PARAMETER",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    413: "REQUEST_ENTITY_TOO_LARGE",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
  };
  return codes[status] ?? "ERROR";
}

/** The body an injected fault gets, in the envelope of the path it hit. */
export function faultBodyFor(status: number, path: string): unknown {
  if (path === "/oauth/token") {
    return status >= 500
      ? oauthErrorBody("temporarily_unavailable", "The service is temporarily unavailable")
      : oauthErrorBody("invalid_request", `HTTP ${status}`);
  }
  if (path.includes("/wiki/rest/api/"))
    return v1ErrorBody(status, status === 429 ? "RateLimitedException" : "ServiceException", `HTTP ${status}`);
  if (path.includes("/wiki/api/v2/"))
    return v2ErrorBody(status, v2CodeFor(status), status === 429 ? "Rate limit exceeded" : `HTTP ${status}`);
  return gatewayErrorBody(status, status === 429 ? "Rate limit exceeded" : `HTTP ${status}`);
}

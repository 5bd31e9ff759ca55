/** One Graph call as the emulator's dispatcher sees it: a real HTTP request or a `$batch` sub-request. */
export interface GraphCall {
  method: string;
  /** Path below the version, decoded per segment: `["sites", "{site-id}", "lists", …]`. */
  segments: string[];
  /** Raw query string (no `?`). */
  rawQuery: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: unknown;
  /** The caller's application id (from the access token). */
  appId: string;
  requestId: string;
  clientRequestId: string;
}

export interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** Content type of Graph's JSON success responses. */
export const ODATA_JSON =
  "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

export function ok(status: number, body: unknown, extraHeaders: Record<string, string> = {}): GraphResponse {
  return { status, headers: { "Content-Type": ODATA_JSON, "OData-Version": "4.0", ...extraHeaders }, body };
}

export function noContent(): GraphResponse {
  return { status: 204, headers: {} };
}

/** `innerError.date` has no `Z` (`"2025-02-13T10:17:05"`), unlike every other Graph timestamp. */
export function innerErrorDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/**
 * The documented error envelope: `{"error": {"code", "message", "innerError": {"date", "request-id",
 * "client-request-id"}}}`, optionally with a more detailed `innerError.code`.
 */
export function errorBody(
  code: string,
  message: string,
  ids: { requestId: string; clientRequestId: string },
  nowMs: number,
  innerCode?: string,
): { error: { code: string; message: string; innerError: Record<string, string> } } {
  return {
    error: {
      code,
      message,
      innerError: {
        ...(innerCode ? { code: innerCode } : {}),
        date: innerErrorDate(nowMs),
        "request-id": ids.requestId,
        "client-request-id": ids.clientRequestId,
      },
    },
  };
}

export function fail(
  status: number,
  code: string,
  message: string,
  call: Pick<GraphCall, "requestId" | "clientRequestId">,
  nowMs: number,
  options: { innerCode?: string; headers?: Record<string, string> } = {},
): GraphResponse {
  return {
    status,
    headers: { "Content-Type": "application/json", ...options.headers },
    body: errorBody(code, message, call, nowMs, options.innerCode),
  };
}

/** The body Graph sends with a throttling or availability failure (for 429: docs/references.md#graph-throttling). */
export function faultErrorBody(
  status: number,
  ids: { requestId: string; clientRequestId: string },
  nowMs: number,
): unknown {
  if (status === 429) {
    return {
      error: {
        code: "TooManyRequests",
        innerError: {
          code: "429",
          date: innerErrorDate(nowMs),
          message: "Please retry after",
          "request-id": ids.requestId,
          status: "429",
        },
        message: "Please retry again later.",
      },
    };
  }
  const [code, message] =
    status === 503
      ? ["serviceNotAvailable", "The service is temporarily unavailable. Please retry later."]
      : status === 504
        ? ["UnknownError", "Gateway timeout."]
        : status >= 500
          ? ["generalException", "General exception while processing"]
          : status === 401
            ? ["InvalidAuthenticationToken", "Access token validation failure."]
            : status === 403
              ? ["accessDenied", "Access denied"]
              : status === 404
                ? ["itemNotFound", "The resource could not be found."]
                : ["invalidRequest", "Invalid request"];
  return errorBody(code, message, ids, nowMs);
}

import { AppError } from "../errors";
import { isTransientStatus, parseRetryAfter } from "../resilience";

/**
 * Stable codes of failures at the Graph boundary. Diagnostics, run records and the engine match on these, never on
 * messages; `graphCode` keeps the service's own code (`itemNotFound`, `resyncChangesApplyDifferences`, …).
 */
export const GraphErrorCodes = {
  /** 429, or a `$batch` whose throttled sub-requests stayed throttled. */
  Throttled: "GRAPH_THROTTLED",
  /** 503 / 504 / other 5xx. */
  Unavailable: "GRAPH_UNAVAILABLE",
  /** 401 from Graph: the token was refused. */
  Unauthorized: "GRAPH_UNAUTHORIZED",
  /** 403: e.g. Sites.Selected without a grant on the site; the message names the permission to grant. */
  Forbidden: "GRAPH_FORBIDDEN",
  NotFound: "GRAPH_NOT_FOUND",
  /** 412: the item changed since its eTag was read. */
  PreconditionFailed: "GRAPH_PRECONDITION_FAILED",
  /** 410 on a delta token: a full enumeration is needed. */
  ResyncRequired: "GRAPH_RESYNC_REQUIRED",
  /** A 200 delta page held an error object in place of an entry: the round is started over as a full enumeration. */
  DeltaPageError: "GRAPH_DELTA_PAGE_ERROR",
  /** 400 and other 4xx: the request itself is wrong (unknown field, bad value, …). */
  BadRequest: "GRAPH_BAD_REQUEST",
  /** The Microsoft identity platform refused the credentials or could not be reached. */
  AuthenticationFailed: "GRAPH_AUTHENTICATION_FAILED",
  /** The profile lacks a secret the credential needs. */
  CredentialsMissing: "GRAPH_CREDENTIALS_MISSING",
  /** No response: connection refused, reset, DNS, TLS. */
  Network: "GRAPH_NETWORK",
  /** A response we depend on did not have the documented shape. */
  InvalidResponse: "GRAPH_INVALID_RESPONSE",
} as const;
export type GraphErrorCode = (typeof GraphErrorCodes)[keyof typeof GraphErrorCodes];

export interface GraphErrorDetails {
  status?: number;
  retryAfterMs?: number;
  /** Overrides the default (transient statuses and network failures are transient). */
  transient?: boolean;
  graphCode?: string;
  requestId?: string;
  /** `Location` of a 410 (a link that restarts the delta enumeration) or of a created resource. */
  location?: string;
  cause?: unknown;
}

/**
 * The one error class of the Graph boundary. It carries what `shared/resilience` needs (`status`, `retryAfterMs`,
 * `transient`), so the shared retry policy decides about retries without knowing Graph. Messages read
 * `[METHOD] path: status graphCode — service message` and never carry tokens or secrets.
 */
export class GraphError extends AppError {
  readonly code: GraphErrorCode;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly transient: boolean;
  readonly graphCode: string | undefined;
  readonly requestId: string | undefined;
  readonly location: string | undefined;

  constructor(code: GraphErrorCode, message: string, details: GraphErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.graphCode = details.graphCode;
    this.requestId = details.requestId;
    this.location = details.location;
    this.transient =
      details.transient ??
      (details.status === undefined ? code === GraphErrorCodes.Network : isTransientStatus(details.status));
  }

  /**
   * From an HTTP status and Graph's error envelope (a top-level response or a `$batch` sub-response).
   * `nowMs` anchors an HTTP-date `Retry-After`; `redact` scrubs the message.
   */
  static fromResponse(
    operation: string,
    response: { status: number; body: unknown; header: (name: string) => string | null | undefined },
    context: { nowMs: number; redact?: (text: string) => string },
  ): GraphError {
    const { status, body, header } = response;
    const redact = context.redact ?? ((text: string) => text);
    const envelope = readEnvelope(body);
    const retryAfterMs = parseRetryAfter(header("retry-after"), context.nowMs);
    const location = header("location") ?? undefined;
    const detail = envelope.code ? ` ${envelope.code}` : "";
    const advice = status === 403 ? ` (${permissionAdvice(operation)})` : "";
    const message = `${operation}: ${status}${detail}${envelope.message ? ` — ${envelope.message}` : ""}${advice}`;
    return new GraphError(codeForStatus(status), redact(message), {
      status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(envelope.code ? { graphCode: envelope.code } : {}),
      ...(envelope.requestId ? { requestId: envelope.requestId } : {}),
      ...(location ? { location } : {}),
    });
  }
}

/**
 * What to grant after a 403, from the operation (`[GET] sites/…`, `[$batch create] new item`, `[POST] subscriptions`):
 * docs/references.md#graph-site-permissions and #graph-subscriptions-and-notifications.
 */
export function permissionAdvice(operation: string): string {
  if (/\bsubscriptions\b/.test(operation))
    return "subscribing to a list needs the application permission Sites.ReadWrite.All; Sites.Selected, even with a write grant on the site, is refused";
  if (/^\[GET\]/.test(operation))
    return "reading the list needs the application permission Sites.Read.All or Sites.ReadWrite.All, or Sites.Selected with a read grant on the site";
  return "writing list items needs the application permission Sites.ReadWrite.All, or Sites.Selected with a write grant on the site";
}

export function codeForStatus(status: number): GraphErrorCode {
  if (status === 429) return GraphErrorCodes.Throttled;
  if (status === 401) return GraphErrorCodes.Unauthorized;
  if (status === 403) return GraphErrorCodes.Forbidden;
  if (status === 404) return GraphErrorCodes.NotFound;
  if (status === 410) return GraphErrorCodes.ResyncRequired;
  if (status === 412) return GraphErrorCodes.PreconditionFailed;
  if (status >= 500) return GraphErrorCodes.Unavailable;
  return GraphErrorCodes.BadRequest;
}

/**
 * Reads `{"error": {"code", "message", "innerError": {...}}}`. Real responses spell it `innerError`, the docs also
 * `innererror`; the most detailed code wins ("use the most detailed one that they understand") except that a
 * numeric inner code (`"429"` in throttling bodies) says less than the top-level one.
 */
export function readEnvelope(body: unknown): { code?: string; message?: string; requestId?: string } {
  const parsed = typeof body === "string" ? safeParse(body) : body;
  const error = (parsed as { error?: Record<string, unknown> } | undefined)?.error;
  if (typeof error !== "object" || error === null) return {};
  let code = typeof error.code === "string" && error.code !== "" ? error.code : undefined;
  let requestId: string | undefined;
  let inner = (error.innerError ?? error.innererror) as Record<string, unknown> | undefined;
  while (typeof inner === "object" && inner !== null) {
    if (typeof inner.code === "string" && inner.code !== "" && !/^\d+$/.test(inner.code)) code = inner.code;
    if (typeof inner["request-id"] === "string") requestId = inner["request-id"];
    inner = (inner.innerError ?? inner.innererror) as Record<string, unknown> | undefined;
  }
  return {
    ...(code ? { code } : {}),
    ...(typeof error.message === "string" ? { message: error.message } : {}),
    ...(requestId ? { requestId } : {}),
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

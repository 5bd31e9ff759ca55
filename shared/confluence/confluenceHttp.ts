import axios, { type AxiosAdapter, type AxiosInstance, type AxiosResponse } from "axios";
import type { z } from "zod";
import { isTransientStatus, parseRetryAfter } from "../resilience";
import type { Clock, SecretRedactor } from "../runtime";
import { ConfluenceError, ConfluenceErrorCode } from "./confluenceError";
import { errorBodySchema } from "./confluenceSchemas";

/** Sent on every call, so Atlassian (and a customer's proxy logs) can tell who is calling and why. */
export const CONFLUENCE_USER_AGENT = "ConfluenceSync/0.1 (two-way SharePoint list to Confluence page sync; axios)";

export interface ConfluenceTransportOptions {
  /** axios's transport seam: `"http"` (default), `"fetch"`, or an adapter function. */
  adapter?: AxiosAdapter | "http" | "fetch";
  /** Per-request timeout in milliseconds (default 30 000); a timeout is a transient failure. */
  timeoutMs?: number;
  userAgent?: string;
}

export interface ConfluenceRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Absolute URL. */
  url: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Access token for `Authorization: Bearer`; never logged, never in an error. */
  bearer?: string;
  /** Named in error messages. */
  profileKey: string;
}

export interface ConfluenceResponse {
  status: number;
  data: unknown;
}

/**
 * What Atlassian's rate-limit headers said on the last answer (docs/references.md#confluence-rate-limits):
 * `RateLimit-Policy` gives the hourly quota `q`, `RateLimit` the points `r` left (only once most are spent) and the
 * seconds `t` to the reset; a `Beta-` prefix means the quota is reported, not yet enforced.
 */
export interface RateLimitState {
  readonly quota?: number;
  readonly remaining?: number;
  readonly resetSeconds?: number;
  readonly enforced: boolean;
}

/**
 * One HTTP exchange with Atlassian, and the translation of every failure into a ConfluenceError: status, Atlassian's
 * own code and text (from whichever of the four envelopes came back), `Retry-After`, and whether it is transient.
 * No retries here — the shared retry policy decides, one layer up.
 */
export class ConfluenceHttp {
  readonly #axios: AxiosInstance;
  readonly #clock: Clock;
  readonly #redactor: SecretRedactor;

  constructor(options: ConfluenceTransportOptions & { clock: Clock; redactor: SecretRedactor }) {
    this.#clock = options.clock;
    this.#redactor = options.redactor;
    this.#axios = axios.create({
      timeout: options.timeoutMs ?? 30_000,
      adapter: options.adapter ?? "http",
      // Statuses are ours to interpret; axios only throws for calls that got no response.
      validateStatus: () => true,
      headers: { "User-Agent": options.userAgent ?? CONFLUENCE_USER_AGENT, Accept: "application/json" },
      // Responses are small JSON; refuse to follow redirects to somewhere else with our token.
      maxRedirects: 0,
    });
  }

  /** The rate-limit headers of the last answer that carried any. */
  lastRateLimit: RateLimitState | undefined;

  async send(request: ConfluenceRequest): Promise<ConfluenceResponse> {
    const label = callLabel(request);
    const headers: Record<string, string> = {};
    if (request.body !== undefined) headers["Content-Type"] = "application/json";
    if (request.bearer) headers.Authorization = `Bearer ${request.bearer}`;
    let response: AxiosResponse;
    try {
      response = await this.#axios.request({
        method: request.method,
        url: request.url,
        headers,
        ...(request.query ? { params: withoutUndefined(request.query) } : {}),
        ...(request.body !== undefined ? { data: request.body } : {}),
      });
    } catch (error) {
      const reason = axios.isAxiosError(error) ? (error.code ?? error.message) : String(error);
      // The cause is dropped on purpose: axios errors carry the request config, Authorization header included.
      throw new ConfluenceError(
        ConfluenceErrorCode.Network,
        this.#redactor.redact(`${label}: no response (${reason})`),
        { transient: true },
      );
    }
    this.lastRateLimit = rateLimitOf(response.headers) ?? this.lastRateLimit;
    if (response.status >= 200 && response.status < 300) return { status: response.status, data: response.data };
    throw this.#failure(label, response);
  }

  /** Validates a 2xx body against the shape we depend on. */
  parse<T extends z.ZodType>(
    schema: T,
    response: ConfluenceResponse,
    request: Pick<ConfluenceRequest, "method" | "url" | "profileKey">,
  ): z.infer<T> {
    const result = schema.safeParse(response.data);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const where = issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "unknown shape";
    throw new ConfluenceError(
      ConfluenceErrorCode.UnexpectedResponse,
      `${callLabel(request)}: unexpected response shape (${where})`,
      { status: response.status },
    );
  }

  #failure(label: string, response: AxiosResponse): ConfluenceError {
    const status = response.status;
    const retryAfterMs = parseRetryAfter(headerValue(response.headers["retry-after"]), this.#clock.now());
    const { serviceCode, text } = readErrorBody(response.data);
    const rateLimitReason = headerValue(response.headers["ratelimit-reason"]);
    const explanation = [serviceCode, text].filter(Boolean).join(" ");
    const message = this.#redactor.redact(`${label}: ${status}${explanation ? ` ${truncate(explanation, 300)}` : ""}`);
    return new ConfluenceError(codeForStatus(status), message, {
      status,
      transient: isTransientStatus(status),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(serviceCode ? { serviceCode } : {}),
      ...(rateLimitReason ? { rateLimitReason } : {}),
    });
  }
}

/** Reads `RateLimit` / `RateLimit-Policy` (or their `Beta-` variants); undefined when the answer has neither. */
export function rateLimitOf(headers: Record<string, unknown>): RateLimitState | undefined {
  const pick = (name: string) => headerValue(headers[name.toLowerCase()]);
  const enforcedPolicy = pick("RateLimit-Policy");
  const enforcedLimit = pick("RateLimit");
  const policy = enforcedPolicy ?? pick("Beta-RateLimit-Policy");
  const limit = enforcedLimit ?? pick("Beta-RateLimit");
  if (policy === undefined && limit === undefined) return undefined;
  const parameter = (text: string | undefined, key: string): number | undefined => {
    const match = text === undefined ? null : new RegExp(`(?:^|;)\\s*${key}=(\\d+)`).exec(text);
    return match === null ? undefined : Number(match[1]);
  };
  const quota = parameter(policy, "q");
  const remaining = parameter(limit, "r");
  const resetSeconds = parameter(limit, "t");
  return {
    enforced: enforcedPolicy !== undefined || enforcedLimit !== undefined,
    ...(quota === undefined ? {} : { quota }),
    ...(remaining === undefined ? {} : { remaining }),
    ...(resetSeconds === undefined ? {} : { resetSeconds }),
  };
}

/** `profile "p1": [GET] "/wiki/api/v2/pages/123"` — host, gateway prefix and query left out. */
export function callLabel(request: Pick<ConfluenceRequest, "method" | "url" | "profileKey">): string {
  let path = request.url;
  try {
    path = new URL(request.url).pathname;
  } catch {
    // keep as given
  }
  path = path.replace(/^\/ex\/confluence\/[^/]+/, "");
  return `profile "${request.profileKey}": [${request.method}] "${path}"`;
}

function codeForStatus(status: number): ConfluenceError["code"] {
  switch (status) {
    case 400:
      return ConfluenceErrorCode.BadRequest;
    case 401:
      return ConfluenceErrorCode.Unauthorized;
    case 403:
      return ConfluenceErrorCode.Forbidden;
    case 404:
      return ConfluenceErrorCode.NotFound;
    case 409:
      return ConfluenceErrorCode.Conflict;
    case 413:
      return ConfluenceErrorCode.TooLarge;
    case 429:
      return ConfluenceErrorCode.RateLimited;
    default:
      return status === 408 || status >= 500 ? ConfluenceErrorCode.Unavailable : ConfluenceErrorCode.Http;
  }
}

/** Atlassian's code and text from whichever envelope came back; HTML error pages and empty bodies give nothing. */
export function readErrorBody(data: unknown): { serviceCode?: string; text?: string } {
  const parsed = errorBodySchema.safeParse(typeof data === "string" ? safeJson(data) : data);
  if (!parsed.success) return {};
  const body = parsed.data;
  if (Array.isArray(body.errors)) {
    const first = (body as { errors: { code?: string; title?: string }[] }).errors[0]!;
    return { ...(first.code ? { serviceCode: first.code } : {}), ...(first.title ? { text: first.title } : {}) };
  }
  if (typeof body.error === "string") {
    const description = typeof body.error_description === "string" ? body.error_description : undefined;
    return { serviceCode: body.error, ...(description ? { text: description } : {}) };
  }
  const message = typeof body.message === "string" ? body.message : "";
  if (typeof body.statusCode === "number") {
    const exception = /exceptions\.(\w+):/.exec(message)?.[1];
    return { ...(exception ? { serviceCode: exception } : {}), text: message.replace(/^[\w.]+Exception:\s*/, "") };
  }
  return message ? { text: message } : {};
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function headerValue(value: unknown): string | undefined {
  if (Array.isArray(value)) return value[0] as string | undefined;
  return typeof value === "string" ? value : value === undefined || value === null ? undefined : String(value);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

function withoutUndefined(
  query: Record<string, string | number | boolean | undefined>,
): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as Record<
    string,
    string | number | boolean
  >;
}

import { type Client, GraphClientError } from "@microsoft/microsoft-graph-client";
import { createRetryPolicy, type RetryableFailure, type RetryPolicy, type RetryPolicyOptions } from "../resilience";
import { type Clock, globalRedactor, type Logger, type SecretRedactor, silentLogger, systemClock } from "../runtime";
import { GraphError, GraphErrorCodes } from "./graphError";

export interface GraphTransportOptions {
  /** Bounds of the shared retry policy (attempts, delays, longest `Retry-After` honoured in-call). */
  retry?: RetryPolicyOptions;
  logger?: Logger;
  clock?: Clock;
  redactor?: SecretRedactor;
}

export type GraphWriteMethod = "POST" | "PATCH" | "DELETE";

/**
 * Writes are retried only when the service certainly did not act on them: throttled (429) or "Server Too Busy"
 * (503). A timeout or 500 after a POST may have created the item, so a blind retry could create it twice.
 */
export function serviceDidNotAct(failure: RetryableFailure): boolean {
  return failure.status === 429 || failure.status === 503;
}

/**
 * The one place Graph calls leave this app: the SDK client plus the shared retry policy, with every failure turned
 * into a `GraphError`. Reads retry every transient failure; writes only those the service did not act on.
 * Paths are relative to the versioned base (`sites/…/items`), or absolute https links Graph returned (nextLink,
 * deltaLink, Location), which the SDK recognises by their `https://`.
 */
export class GraphTransport {
  readonly #client: Client;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #redactor: SecretRedactor;
  readonly #reads: RetryPolicy;
  readonly #writes: RetryPolicy;
  #requests = 0;

  constructor(client: Client, options: GraphTransportOptions = {}) {
    this.#client = client;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#redactor = options.redactor ?? globalRedactor;
    const retry = options.retry ?? {};
    const onRetry = (operation: string) => (event: { attempt: number; delayMs: number; status?: number }) => {
      this.#logger.warn("graph call retried", { operation, ...event });
      retry.onRetry?.(event);
    };
    this.#reads = createRetryPolicy({ ...retry, onRetry: onRetry("read") });
    this.#writes = createRetryPolicy({
      ...retry,
      onRetry: onRetry("write"),
      retryOn: (failure) => serviceDidNotAct(failure) && (retry.retryOn?.(failure) ?? true),
    });
  }

  /** GET; resolves to the parsed JSON body. */
  get(pathOrUrl: string, headers: Record<string, string> = {}): Promise<unknown> {
    return this.#reads.execute(() => this.once("GET", pathOrUrl, undefined, headers));
  }

  /** POST / PATCH / DELETE; resolves to the parsed JSON body (undefined for 204). */
  write(
    method: GraphWriteMethod,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<unknown> {
    return this.#writes.execute(() => this.once(method, path, body, headers));
  }

  /**
   * Runs `attempt` under the write policy: it is tried again while it fails with a 429/503 GraphError (which the
   * service did not act on), honouring its `retryAfterMs`. The batch writer runs each `$batch` this way and throws
   * such an error when sub-requests were throttled, so the batch and its sub-requests share one bounded loop.
   */
  retryingWrites<T>(attempt: (attemptNumber: number) => Promise<T>): Promise<T> {
    return this.#writes.execute(attempt);
  }

  /**
   * HTTP requests this transport has sent to Graph (every attempt, a `$batch` counting once whatever it holds). Token
   * requests to the identity platform are not Graph calls and are not counted. Run reports take the difference.
   */
  get requestCount(): number {
    return this.#requests;
  }

  /** One attempt, no retry (callers inside `retryingWrites`). */
  once(
    method: "GET" | GraphWriteMethod,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<unknown> {
    this.#requests += 1;
    return this.#send(describe(method, path), () => {
      const request = this.#client.api(path).headers(headers);
      return method === "GET"
        ? request.get()
        : method === "POST"
          ? request.post(body)
          : method === "PATCH"
            ? request.patch(body)
            : request.delete();
    });
  }

  /** One attempt, failures mapped to GraphError. */
  async #send(operation: string, call: () => Promise<unknown>): Promise<unknown> {
    try {
      return await call();
    } catch (error) {
      throw toGraphError(error, operation, { nowMs: this.#clock.now(), redactor: this.#redactor });
    }
  }
}

/** `[GET] sites/…/items/delta` — path only: links carry long opaque tokens that help nobody reading a log. */
export function describe(method: string, pathOrUrl: string): string {
  const withoutOrigin = pathOrUrl.replace(/^https:\/\/[^/]+\/(?:v1\.0|beta)\//i, "");
  const q = withoutOrigin.indexOf("?");
  return `[${method}] ${q === -1 ? withoutOrigin : withoutOrigin.slice(0, q)}`;
}

interface SdkGraphError {
  statusCode: number;
  code: string | null;
  message: string;
  body: unknown;
  headers?: { get(name: string): string | null };
}

function isSdkGraphError(error: unknown): error is SdkGraphError {
  return error instanceof Error && typeof (error as { statusCode?: unknown }).statusCode === "number";
}

/** Maps whatever the SDK threw to a GraphError; messages pass through the redactor. */
export function toGraphError(
  error: unknown,
  operation: string,
  context: { nowMs: number; redactor: SecretRedactor },
): GraphError {
  const { nowMs, redactor } = context;
  if (error instanceof GraphError) return error;
  if (error instanceof GraphClientError && error.customError instanceof GraphError) return error.customError;
  if (isSdkGraphError(error) && error.statusCode > 0) {
    // The SDK keeps only the inner object of `{"error": {...}}` as a JSON string in `body`.
    let body: unknown = error.body;
    if (typeof body === "string") {
      try {
        const parsed = JSON.parse(body) as Record<string, unknown>;
        body = "error" in parsed ? parsed : { error: parsed };
      } catch {
        body = undefined;
      }
    }
    return GraphError.fromResponse(
      operation,
      { status: error.statusCode, body, header: (name) => error.headers?.get(name) },
      { nowMs, redact: (text) => redactor.redact(text) },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GraphError(GraphErrorCodes.Network, redactor.redact(`${operation}: no response — ${message}`), {
    transient: true,
  });
}

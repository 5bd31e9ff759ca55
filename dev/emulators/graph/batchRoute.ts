import { splitGraphTarget } from "./graphPath";
import { fail, type GraphCall, type GraphResponse } from "./graphResponse";

/** One entry of a `$batch` `responses` array. */
export interface BatchSubResponse {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface BatchDeps {
  /** Serves a sub-request the way a top-level call would be served (resource units included). */
  dispatch: (call: GraphCall) => Promise<GraphResponse>;
  /** An injected fault for this sub-request, if one matches (faults apply inside batches as outside). */
  fault: (method: string, path: string, call: GraphCall) => Promise<GraphResponse | undefined>;
  /** Logs a served sub-request under its batch (`parentSeq`). */
  log: (entry: { method: string; path: string; query: string; status: number }) => void;
  shuffle: boolean;
  now: () => number;
}

export const MAX_BATCH_REQUESTS = 20;

/** What the JS SDK strips from absolute sub-request URLs: scheme, host and version. */
const ABSOLUTE_PREFIX = /^(?:https?:\/\/[^/]+)?\/?(?:v1\.0|beta)?(?=\/|$)/i;

interface SubRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  dependsOn: string[];
}

/**
 * `POST /$batch`: at most 20 requests with unique (case-insensitive) ids; a request with a body must carry a
 * Content-Type header. A malformed batch fails whole with 400; otherwise the batch answers 200 and each request has
 * its own status — 429 with `Retry-After` for a throttled one, 424 for one whose dependency failed. Responses may
 * come back in any order.
 */
export async function serveBatch(outer: GraphCall, deps: BatchDeps): Promise<GraphResponse> {
  const now = deps.now();
  const bad = (message: string): GraphResponse => fail(400, "BadRequest", message, outer, now);
  const body = outer.body as { requests?: unknown } | undefined;
  if (typeof body !== "object" || body === null || !Array.isArray(body.requests))
    return bad("The batch request body must be a JSON object with a 'requests' array.");
  if (body.requests.length === 0) return bad("The batch request must contain at least one request.");
  if (body.requests.length > MAX_BATCH_REQUESTS)
    return bad(`The batch request contains ${body.requests.length} requests; the maximum is ${MAX_BATCH_REQUESTS}.`);

  const requests: SubRequest[] = [];
  const seen = new Set<string>();
  for (const raw of body.requests as unknown[]) {
    const r = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    if (typeof r.id !== "string" || r.id === "") return bad("Every request in a batch needs a string 'id'.");
    if (typeof r.method !== "string" || typeof r.url !== "string")
      return bad(`Request id : ${r.id} needs 'method' and 'url'.`);
    const key = r.id.toLowerCase();
    if (seen.has(key)) return bad(`Batch request contains duplicate request id : ${r.id}.`);
    seen.add(key);
    const headers: Record<string, string> = {};
    if (typeof r.headers === "object" && r.headers !== null) {
      for (const [name, value] of Object.entries(r.headers as Record<string, unknown>))
        headers[name.toLowerCase()] = String(value);
    }
    if (r.body !== undefined && r.body !== null && headers["content-type"] === undefined) {
      return bad(`Write request id : ${r.id} does not contain Content-Type header or body.`);
    }
    const dependsOn = Array.isArray(r.dependsOn) ? r.dependsOn.map(String) : [];
    requests.push({
      id: r.id,
      method: r.method.toUpperCase(),
      url: r.url,
      headers,
      body: r.body ?? undefined,
      dependsOn,
    });
  }
  for (const r of requests) {
    const unknown = r.dependsOn.find((d) => !seen.has(d.toLowerCase()));
    if (unknown !== undefined)
      return bad(`Request id : ${r.id} depends on request id : ${unknown}, which is not in the batch.`);
  }

  const results = new Map<string, BatchSubResponse>();
  const run = async (r: SubRequest): Promise<BatchSubResponse> => {
    const failedDependency = r.dependsOn
      .map((d) => results.get(d.toLowerCase()))
      .find((d) => d !== undefined && d.status >= 400);
    if (failedDependency) {
      return {
        id: r.id,
        status: 424,
        headers: { "Content-Type": "application/json" },
        body: fail(424, "failedDependency", "Failed dependency.", outer, now).body,
      };
    }
    return serveSubRequest(outer, r, deps);
  };

  // Independent requests run concurrently; dependent ones after what they depend on (a serial chain in practice).
  const pending = [...requests];
  while (pending.length > 0) {
    const ready = pending.filter((r) => r.dependsOn.every((d) => results.has(d.toLowerCase())));
    if (ready.length === 0) return bad("The batch request has circular dependencies.");
    const answered = await Promise.all(ready.map(run));
    answered.forEach((response, i) => results.set(ready[i]!.id.toLowerCase(), response));
    for (const r of ready) pending.splice(pending.indexOf(r), 1);
  }
  const responses = requests.map((r) => results.get(r.id.toLowerCase())!);
  if (deps.shuffle) shuffleInPlace(responses);
  return { status: 200, headers: { "Content-Type": "application/json", "OData-Version": "4.0" }, body: { responses } };
}

async function serveSubRequest(outer: GraphCall, r: SubRequest, deps: BatchDeps): Promise<BatchSubResponse> {
  const relative = r.url.replace(ABSOLUTE_PREFIX, "").replace(/^\/+/, "");
  const { segments, rawQuery } = splitGraphTarget(relative);
  // Logged and matched against faults like the same call made outside a batch.
  const path = `/v1.0/${segments.join("/")}`;
  const call: GraphCall = {
    method: r.method,
    segments,
    rawQuery,
    headers: { ...r.headers },
    body: r.body,
    appId: outer.appId,
    requestId: outer.requestId,
    clientRequestId: outer.clientRequestId,
  };
  let response: GraphResponse;
  if (segments[0] === "$batch")
    response = fail(400, "BadRequest", "Nested batch requests are not supported.", call, deps.now());
  else response = (await deps.fault(r.method, path, call)) ?? (await deps.dispatch(call));
  deps.log({ method: r.method, path, query: rawQuery, status: response.status });
  return { id: r.id, status: response.status, headers: response.headers, body: response.body ?? null };
}

function shuffleInPlace<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

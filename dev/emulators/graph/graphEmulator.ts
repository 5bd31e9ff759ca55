import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { FastifyReply, FastifyRequest } from "fastify";
import { EmulatorServer, parseJsonBody } from "../common/emulatorServer";
import type { RunningEmulator } from "../common/runningEmulator";
import type { EmulatorCertificate } from "../common/tls";
import { AccessTokenIssuer } from "../identity/accessTokens";
import { createIdentityEmulator, GRAPH_RESOURCE } from "../identity/identityEmulator";
import { serveBatch } from "./batchRoute";
import { registerGraphAdminRoutes } from "./graphAdminRoutes";
import { splitGraphTarget } from "./graphPath";
import { fail, faultErrorBody, type GraphCall, type GraphResponse } from "./graphResponse";
import { dispatchGraphCall } from "./graphRoutes";
import { parseGraphSeed } from "./graphSeed";
import { GraphService } from "./graphService";

export interface RunningGraphEmulator extends RunningEmulator {
  /** `graphBaseUrl` (the Graph root, without version) and `authorityHost` (the identity emulator's origin). */
  urls: { graphBaseUrl: string; authorityHost: string };
  graph: EmulatorServer;
  identity: EmulatorServer;
  service: GraphService;
}

/** Graph's own application id, an accepted audience next to its resource URI. */
const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

/**
 * Starts the Microsoft identity and Graph emulators from the seed's `graph` section, both on HTTPS with the shared
 * certificate. Graph calls need a bearer token the identity emulator issued for the seed's tenant.
 */
export async function startGraphEmulator(
  seedSection: unknown,
  context: { certificate: EmulatorCertificate },
): Promise<RunningGraphEmulator> {
  const seed = parseGraphSeed(seedSection);
  const issuer = new AccessTokenIssuer();
  const identity = createIdentityEmulator({
    tenantId: seed.tenantId,
    clients: seed.clients,
    ...(seed.managedIdentity ? { managedIdentity: seed.managedIdentity } : {}),
    issuer,
    certificate: context.certificate,
  });
  const service = new GraphService(seed);
  const graph = new EmulatorServer({
    name: "graph",
    tls: context.certificate,
    faultBody: (status, request) => faultErrorBody(status, callIds(request), service.clock.now()),
    state: () => service.state(),
  });

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const ids = callIds(request);
    const now = service.clock.now();
    const userAgent = request.headers["user-agent"];
    if (userAgent) service.userAgents.add(userAgent);

    const auth = authenticate(request.headers.authorization, issuer, seed.tenantId, graph.baseUrl);
    if (!auth.ok) {
      return send(
        reply,
        fail(401, "InvalidAuthenticationToken", auth.message, ids, now, {
          headers: {
            "WWW-Authenticate": `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`,
          },
        }),
        ids,
      );
    }
    let body: unknown;
    try {
      body = parseJsonBody(request);
    } catch {
      return send(
        reply,
        fail(
          400,
          "BadRequest",
          "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
          ids,
          now,
        ),
        ids,
      );
    }
    // Drop the leading `/v1.0` (or `/beta`); the rest is what sub-requests of a batch carry too.
    const { segments, rawQuery } = splitGraphTarget((request.raw.url ?? "/").replace(/^\/[^/?]+/, ""));
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers))
      if (typeof value === "string") headers[name.toLowerCase()] = value;
    const call: GraphCall = { method: request.method, segments, rawQuery, headers, body, appId: auth.appId, ...ids };
    const origin = graph.baseUrl;

    if (segments[0] === "$batch" && segments.length === 1) {
      if (request.method !== "POST")
        return send(reply, fail(405, "BadRequest", "Only POST is supported for $batch.", ids, now), ids);
      const parentSeq = graph.reserveLogSeq(request);
      const response = await serveBatch(call, {
        dispatch: (sub) => dispatchGraphCall(service, sub, origin),
        fault: async (method, subPath, sub) => {
          const fault = graph.faults.take(method, subPath);
          if (!fault) return undefined;
          if (fault.latencyMs > 0) await delay(fault.latencyMs);
          if (fault.status === undefined) return undefined;
          return {
            status: fault.status,
            headers: {
              "Content-Type": "application/json",
              ...(fault.retryAfter !== undefined ? { "Retry-After": String(fault.retryAfter) } : {}),
            },
            body: fault.body ?? faultErrorBody(fault.status, sub, service.clock.now()),
          };
        },
        log: (entry) => graph.requestLog.record({ ...entry, parentSeq }),
        shuffle: service.settings.shuffleBatchResponses,
        now: () => service.clock.now(),
      });
      return send(reply, response, ids);
    }
    return send(reply, await dispatchGraphCall(service, call, origin), ids);
  };
  graph.app.all("/v1.0/*", handle);
  graph.app.all("/beta/*", handle);
  graph.app.all("/v1.0", handle);
  registerGraphAdminRoutes(graph, service);

  let identityUrl: string | undefined;
  try {
    identityUrl = await identity.listen();
    await graph.listen();
  } catch (error) {
    await Promise.allSettled([identity.close(), graph.close()]);
    throw error;
  }
  return {
    name: "graph",
    urls: { graphBaseUrl: graph.baseUrl, authorityHost: identityUrl },
    graph,
    identity,
    service,
    close: async () => {
      service.hub.close();
      await Promise.allSettled([graph.close(), identity.close()]);
    },
  };
}

function callIds(request: FastifyRequest): { requestId: string; clientRequestId: string } {
  const requestId = randomUUID();
  const given = request.headers["client-request-id"];
  return { requestId, clientRequestId: typeof given === "string" && given !== "" ? given : requestId };
}

function authenticate(
  header: string | undefined,
  issuer: AccessTokenIssuer,
  tenantId: string,
  origin: string,
): { ok: true; appId: string } | { ok: false; message: string } {
  if (!header || !/^Bearer\s+/i.test(header)) return { ok: false, message: "Access token is empty." };
  const checked = issuer.check(header.replace(/^Bearer\s+/i, "").trim());
  if (!checked.ok) {
    return {
      ok: false,
      message:
        checked.reason === "expired"
          ? "Lifetime validation failed, the token is expired."
          : "CompactToken parsing failed with error code: 80049217",
    };
  }
  const { claims } = checked;
  if (claims.tid.toLowerCase() !== tenantId.toLowerCase())
    return { ok: false, message: "Access token validation failure. Invalid audience." };
  if (![GRAPH_RESOURCE, GRAPH_APP_ID, origin].includes(claims.aud.replace(/\/$/, "")))
    return { ok: false, message: "Access token validation failure. Invalid audience." };
  return { ok: true, appId: claims.appid };
}

function send(
  reply: FastifyReply,
  response: GraphResponse,
  ids: { requestId: string; clientRequestId: string },
): FastifyReply {
  reply.code(response.status).headers({
    ...response.headers,
    "request-id": ids.requestId,
    "client-request-id": ids.clientRequestId,
    "Cache-Control": "no-store",
  });
  if (response.body === undefined) return reply.send();
  return reply.send(JSON.stringify(response.body));
}

import type { FastifyReply, FastifyRequest } from "fastify";
import type { EmulatorServer } from "../common/emulatorServer";
import type { ConfluenceSeed } from "./confluenceSeed";
import type { EmulatorClock } from "./emulatorClock";
import type { EmulatorRandom } from "./emulatorRandom";
import { gatewayErrorBody, v2ErrorBody } from "./errorBodies";
import type { Outcome, SiteContent } from "./siteContent";
import type { TokenFamilies } from "./tokenFamilies";

/** What every route module of the Confluence emulator works with. */
export interface ConfluenceEmulatorContext {
  server: EmulatorServer;
  seed: ConfluenceSeed;
  clock: EmulatorClock;
  tokens: TokenFamilies;
  content: SiteContent;
  /** `_links.base`: the site URL + `/wiki`. */
  siteBase: string;
  /** Seeded randomness (`randomSeed`): the order of bulk reads. */
  random: EmulatorRandom;
}

/** The gateway prefix of one site's REST APIs: `/ex/confluence/{cloudId}/wiki`. */
export const GATEWAY = "/ex/confluence/:cloudId/wiki";

/**
 * Runs in front of every gateway route, as api.atlassian.com does: a live bearer token with one of the `scopes`
 * alternatives, for the seeded cloudId. Bodies are the gateway's `{code, message}`
 * (docs/references.md#confluence-api-gateway-and-scopes). Returns false when it answered the request itself.
 */
export async function admitGatewayCall(
  context: ConfluenceEmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  scopes: readonly string[],
): Promise<boolean> {
  const header = request.headers.authorization ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const granted = match ? context.tokens.authorize(match[1]!) : undefined;
  if (!granted) {
    await reply.code(401).send(gatewayErrorBody(401, "Unauthorized"));
    return false;
  }
  if (!scopes.some((scope) => granted.includes(scope))) {
    await reply.code(401).send(gatewayErrorBody(401, "Unauthorized; scope does not match"));
    return false;
  }
  const cloudId = (request.params as { cloudId?: string }).cloudId;
  const covered = context.tokens.sitesOf(match![1]!);
  if (
    cloudId !== undefined &&
    (cloudId !== context.seed.cloudId || (covered !== undefined && !covered.includes(cloudId)))
  ) {
    // [UNCONFIRMED] body for an unknown or foreign cloudId; the gateway envelope at least.
    await reply.code(404).send(gatewayErrorBody(404, "Not Found"));
    return false;
  }
  return true;
}

/** Sends a failed store outcome as a v2 error. */
export function sendV2Failure(reply: FastifyReply, failure: Extract<Outcome<unknown>, { ok: false }>): FastifyReply {
  return reply.code(failure.status).send(v2ErrorBody(failure.status, failure.code, failure.title));
}

export function badV2Request(reply: FastifyReply, title: string): FastifyReply {
  return reply.code(400).send(v2ErrorBody(400, "INVALID_REQUEST_PARAMETER", title));
}

export function queryParams(request: FastifyRequest): URLSearchParams {
  const url = request.raw.url ?? "/";
  const q = url.indexOf("?");
  return new URLSearchParams(q === -1 ? "" : url.slice(q + 1));
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { EmulatorServer, parseJsonBody, pathOf } from "../common/emulatorServer";
import type { EmulatorStartContext, RunningEmulator } from "../common/runningEmulator";
import { keyVaultSeedSchema, VAULT_OBJECT_NAME } from "./keyVaultSeed";
import { type DeletedSecret, type SecretVersion, Vault, VaultFailure } from "./vault";

/**
 * API versions the SDKs send (`SecretClientOptions.serviceVersion`); Key Vault rejects versions it does not know.
 */
const API_VERSIONS = new Set(["7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01", "2026-04-01"]);
const MAX_PAGE_SIZE = 25;
/** Key Vault's limit on a secret value. */
const MAX_VALUE_LENGTH = 25 * 1024;

export interface RunningKeyVaultEmulator extends RunningEmulator {
  /** Base URL clients use as the vault URL, e.g. `https://localhost:51234`. */
  vaultUrl: string;
  server: EmulatorServer;
  vault: Vault;
}

const secretWriteSchema = z.object({
  value: z.string({ error: "Property 'value' is required and must be a string." }),
  contentType: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  attributes: z
    .object({ enabled: z.boolean().optional(), nbf: z.number().optional(), exp: z.number().optional() })
    .optional(),
});

/**
 * A Key Vault secrets data plane over HTTPS, close enough to the real one that the unmodified `SecretClient` works
 * against it: the bearer challenge, versions, paging, soft delete with purge/recover, and Key Vault's error envelope.
 *
 * The SDK verifies that the vault host ends with the challenge resource (`.vault.azure.net`); against `localhost`
 * clients must set `disableChallengeResourceVerification: true`.
 */
export async function startKeyVaultEmulator(
  seedSection: unknown,
  context: EmulatorStartContext,
): Promise<RunningKeyVaultEmulator> {
  const parsed = keyVaultSeedSchema.safeParse(seedSection);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `keyVault.${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`invalid keyVault seed section:\n${problems.join("\n")}`);
  }
  const seed = parsed.data;
  const vault = new Vault({
    purgeProtection: seed.purgeProtection,
    deletionPendingRequests: seed.deletionPendingRequests,
  });
  for (const [name, value] of Object.entries(seed.secrets)) vault.set(name, { value });

  const server = new EmulatorServer({
    name: "keyVault",
    tls: context.certificate,
    faultBody: (status) =>
      new VaultFailure(status, status === 429 ? "Throttled" : "InternalServerError", `injected fault ${status}`).body(),
    state: () => ({ tenantId: seed.tenantId, ...vault.snapshot() }),
  });
  const app = server.app;

  // Every service call is authenticated first (the SDK's first call carries no token and no body, on purpose, to
  // get the challenge), then must name a known api-version.
  app.addHook("preHandler", async (request, reply) => {
    if (reply.sent || pathOf(request).startsWith("/_admin/")) return;
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
    if (token === undefined || (seed.acceptedTokens !== undefined && !seed.acceptedTokens.includes(token))) {
      reply.header(
        "WWW-Authenticate",
        `Bearer authorization="https://login.microsoftonline.com/${seed.tenantId}", resource="https://vault.azure.net"`,
      );
      const message =
        token === undefined
          ? "AKV10000: Request is missing a Bearer or PoP token."
          : "AKV10022: Invalid audience or token.";
      return sendFailure(reply, new VaultFailure(401, "Unauthorized", message));
    }
    const apiVersion = queryParam(request, "api-version");
    if (apiVersion === undefined)
      return sendFailure(reply, badParameter("The 'api-version' query parameter is missing."));
    if (!API_VERSIONS.has(apiVersion)) {
      return sendFailure(
        reply,
        badParameter(
          `The specified version (${apiVersion}) is not recognized. Consider using the latest supported version (2026-04-01).`,
        ),
      );
    }
  });

  const vaultUrl = (): string => server.baseUrl;
  const bundle = (name: string, version: SecretVersion, withValue = true) => ({
    ...(withValue ? { value: version.value } : {}),
    id: `${vaultUrl()}/secrets/${name}/${version.version}`,
    attributes: attributes(version, vault.recoveryLevel),
    ...(version.contentType !== undefined ? { contentType: version.contentType } : {}),
    ...(version.tags !== undefined ? { tags: version.tags } : {}),
  });
  const deletedBundle = (deleted: DeletedSecret) => ({
    recoveryId: `${vaultUrl()}/deletedsecrets/${deleted.name}`,
    deletedDate: deleted.deletedDate,
    scheduledPurgeDate: deleted.scheduledPurgeDate,
    ...bundle(deleted.name, deleted.version, false),
  });

  const route =
    (handler: (request: FastifyRequest<{ Params: Record<string, string> }>, reply: FastifyReply) => unknown) =>
    async (request: FastifyRequest<{ Params: Record<string, string> }>, reply: FastifyReply) => {
      try {
        const name = request.params.name;
        if (name !== undefined && !VAULT_OBJECT_NAME.test(name))
          throw badParameter(`The request URI contains an invalid name: ${name}`);
        return await handler(request, reply);
      } catch (error) {
        if (error instanceof VaultFailure) return sendFailure(reply, error);
        throw error;
      }
    };

  app.put(
    "/secrets/:name",
    route((request) => {
      let body: unknown;
      try {
        body = parseJsonBody(request);
      } catch {
        throw badParameter("The request body is not valid JSON.");
      }
      const write = secretWriteSchema.safeParse(body ?? {});
      if (!write.success) throw badParameter(write.error.issues[0]?.message ?? "Invalid request body.");
      if (write.data.value.length > MAX_VALUE_LENGTH)
        throw badParameter(`Secret value exceeds the maximum size of ${MAX_VALUE_LENGTH} characters.`);
      const written = vault.set(request.params.name!, stripUndefined(write.data));
      return bundle(written.name, written.version);
    }),
  );

  app.get(
    "/secrets/:name",
    route((request) => {
      const found = vault.get(request.params.name!);
      return bundle(found.name, found.version);
    }),
  );

  app.get(
    "/secrets/:name/:version",
    route((request) => {
      const found = vault.get(request.params.name!, request.params.version!);
      return bundle(found.name, found.version);
    }),
  );

  app.get(
    "/secrets",
    route((request) => {
      const max = pageSize(queryParam(request, "maxresults"));
      const after = skipTokenMarker(queryParam(request, "$skiptoken"));
      const remaining = vault.list().filter((s) => after === undefined || s.name.toLowerCase() > after);
      const page = remaining.slice(0, max);
      const last = page.at(-1);
      const nextLink =
        remaining.length > max && last
          ? `${vaultUrl()}/secrets?api-version=${queryParam(request, "api-version")}&$skiptoken=${skipToken(last.name)}&maxresults=${max}`
          : null;
      return {
        value: page.map(({ name, version }) => ({
          id: `${vaultUrl()}/secrets/${name}`,
          attributes: attributes(version, vault.recoveryLevel),
          ...(version.contentType !== undefined ? { contentType: version.contentType } : {}),
          ...(version.tags !== undefined ? { tags: version.tags } : {}),
        })),
        nextLink,
      };
    }),
  );

  app.delete(
    "/secrets/:name",
    route((request) => deletedBundle(vault.delete(request.params.name!))),
  );

  app.get(
    "/deletedsecrets/:name",
    route((request) => deletedBundle(vault.getDeleted(request.params.name!))),
  );

  app.delete(
    "/deletedsecrets/:name",
    route((request, reply) => {
      vault.purge(request.params.name!);
      return reply.code(204).send();
    }),
  );

  app.post(
    "/deletedsecrets/:name/recover",
    route((request) => {
      const recovered = vault.recover(request.params.name!);
      return bundle(recovered.name, recovered.version, false);
    }),
  );

  app.setNotFoundHandler((request, reply) =>
    sendFailure(
      reply,
      new VaultFailure(404, "NotFound", `The requested resource ${request.method} ${pathOf(request)} was not found.`),
    ),
  );

  await server.listen();
  return {
    name: "keyVault",
    urls: { vaultUrl: server.baseUrl },
    vaultUrl: server.baseUrl,
    server,
    vault,
    close: () => server.close(),
  };
}

function attributes(version: SecretVersion, recoveryLevel: string) {
  return {
    enabled: version.enabled,
    ...(version.nbf !== undefined ? { nbf: version.nbf } : {}),
    ...(version.exp !== undefined ? { exp: version.exp } : {}),
    created: version.created,
    updated: version.updated,
    recoveryLevel,
    recoverableDays: 90,
  };
}

function sendFailure(reply: FastifyReply, failure: VaultFailure): FastifyReply {
  return reply.code(failure.status).type("application/json; charset=utf-8").send(JSON.stringify(failure.body()));
}

function badParameter(message: string): VaultFailure {
  return new VaultFailure(400, "BadParameter", message);
}

function queryParam(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

function pageSize(raw: string | undefined): number {
  if (raw === undefined) return MAX_PAGE_SIZE;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE)
    throw badParameter(`invalid maxresults: ${raw}. It must be between 1 and ${MAX_PAGE_SIZE}.`);
  return size;
}

/** Opaque to clients, like Key Vault's own: base64 of the last name served (lower-cased, as names compare). */
function skipToken(lastName: string): string {
  return Buffer.from(JSON.stringify({ NextMarker: lastName.toLowerCase() })).toString("base64url");
}

function skipTokenMarker(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const marker = (JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { NextMarker?: unknown })
      .NextMarker;
    if (typeof marker === "string") return marker;
  } catch {
    // fall through to the error below
  }
  throw badParameter("The $skiptoken is invalid.");
}

function stripUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

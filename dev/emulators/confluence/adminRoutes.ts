import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { parseJsonBody } from "../common/emulatorServer";
import { type ConfluenceEmulatorContext, iso, sendV2Failure } from "./emulatorContext";
import { pageJson } from "./wireShapes";

/**
 * What a test (or the sandbox) does as a person rather than as the app, under `/_admin/` (not logged, never
 * faulted):
 * - `PUT /_admin/pages/{id}` `{body, title?, message?, authorId?}` — save the page in the editor (version + 1,
 *   `version.createdAt` = now, author = the seed's human account);
 * - `POST /_admin/pages` `{spaceId, title, body, parentId?}` — create a page; `DELETE /_admin/pages/{id}` — trash it;
 * - `GET|POST /_admin/clock` `{advanceSeconds}` or `{offsetSeconds}` — read the emulator's clock, move it forward, or
 *   set its offset from real time;
 * - `POST /_admin/oauth/expire-access-tokens`, `POST /_admin/oauth/revoke-all` (e.g. a password change),
 *   `POST /_admin/oauth/consent` (re-consent: a new token family, its refresh token in the answer).
 */

const editSchema = z
  .object({
    body: z.string(),
    title: z.string().min(1).optional(),
    message: z.string().optional(),
    authorId: z.string().min(1).optional(),
  })
  .strict();
const createSchema = z
  .object({ spaceId: z.string(), title: z.string().min(1), body: z.string(), parentId: z.string().optional() })
  .strict();
/** Move forward by `advanceSeconds`, or set the offset from real time to `offsetSeconds` (never backwards past now). */
const clockSchema = z.union([
  z.object({ advanceSeconds: z.number().min(0) }).strict(),
  z.object({ offsetSeconds: z.number().min(0) }).strict(),
]);

export function registerAdminRoutes(context: ConfluenceEmulatorContext): void {
  const { server, content, seed, clock, tokens, siteBase } = context;

  server.app.put("/_admin/pages/:id", async (request, reply) => {
    const input = parseAdmin(editSchema, request, reply);
    if (!input) return reply;
    const { id } = request.params as { id: string };
    const edited = content.editAsPerson(
      id,
      {
        body: input.body,
        ...(input.title ? { title: input.title } : {}),
        ...(input.message ? { message: input.message } : {}),
      },
      input.authorId ?? seed.humanAccountId,
    );
    if (!edited.ok) return sendV2Failure(reply, edited);
    return reply.send(
      pageJson(edited.value, content.space(edited.value.spaceId), { storage: true, linksBase: siteBase }),
    );
  });

  server.app.post("/_admin/pages", async (request, reply) => {
    const input = parseAdmin(createSchema, request, reply);
    if (!input) return reply;
    const created = content.createPage(
      {
        spaceId: input.spaceId,
        title: input.title,
        body: input.body,
        parentId: input.parentId ?? null,
        status: "current",
      },
      seed.humanAccountId,
    );
    if (!created.ok) return sendV2Failure(reply, created);
    return reply.send(
      pageJson(created.value, content.space(created.value.spaceId), { storage: true, linksBase: siteBase }),
    );
  });

  server.app.delete("/_admin/pages/:id", async (request, reply) => {
    const { id } = request.params as { id: string };
    const deleted = content.deletePage(id, false);
    if (!deleted.ok) return sendV2Failure(reply, deleted);
    return reply.code(204).send();
  });

  server.app.get("/_admin/clock", async () => ({ now: iso(clock.now()), offsetMs: clock.offsetMs }));
  server.app.post("/_admin/clock", async (request, reply) => {
    const input = parseAdmin(clockSchema, request, reply);
    if (!input) return reply;
    clock.advance(
      "advanceSeconds" in input ? input.advanceSeconds * 1000 : input.offsetSeconds * 1000 - clock.offsetMs,
    );
    return { now: iso(clock.now()), offsetMs: clock.offsetMs };
  });

  server.app.post("/_admin/oauth/expire-access-tokens", async () => ({ expired: tokens.expireAccessTokens() }));
  server.app.post("/_admin/oauth/revoke-all", async () => ({
    revoked: tokens.revokeAll("revoked by an administrator"),
  }));
  server.app.post("/_admin/oauth/consent", async () => ({ refresh_token: tokens.consent() }));
}

function parseAdmin<T>(schema: z.ZodType<T>, request: FastifyRequest, reply: FastifyReply): T | undefined {
  try {
    return schema.parse(parseJsonBody(request) ?? {});
  } catch (error) {
    void reply
      .code(400)
      .send({ error: "invalid admin request", detail: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

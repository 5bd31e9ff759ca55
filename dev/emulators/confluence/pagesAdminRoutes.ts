import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { parseJsonBody } from "../common/emulatorServer";
import { type ConfluenceEmulatorContext, sendV2Failure } from "./emulatorContext";
import type { Outcome, StoredPage } from "./siteContent";
import { pageJson } from "./wireShapes";

/**
 * What people do to a page tree, under `/_admin/` (not logged, never faulted), for pages-mode tests and the demo
 * (docs/emulators.md#confluence-pages-mode-behaviours):
 * - `POST /_admin/pages/{id}/copy` `{title, parentId?}`: copy a page, its content properties included;
 * - `POST /_admin/pages/{id}/status` `{status: "archived" | "current"}`: archive, unarchive or restore from the trash;
 * - `POST /_admin/pages/{id}/restrict` `{restricted}`: hide the page from the app's user, or show it again;
 * - `POST /_admin/pages/{id}/move` `{parentId}`: move it under another page.
 */

const copySchema = z.object({ title: z.string().min(1), parentId: z.string().optional() }).strict();
const statusSchema = z.object({ status: z.enum(["archived", "current"]) }).strict();
const restrictSchema = z.object({ restricted: z.boolean() }).strict();
const moveSchema = z.object({ parentId: z.string().min(1) }).strict();

export function registerPagesAdminRoutes(context: ConfluenceEmulatorContext): void {
  const { server, content, seed, siteBase } = context;
  const answer = (reply: FastifyReply, outcome: Outcome<StoredPage>) =>
    outcome.ok
      ? reply.send(
          pageJson(outcome.value, content.space(outcome.value.spaceId), { storage: true, linksBase: siteBase }),
        )
      : sendV2Failure(reply, outcome);

  server.app.post("/_admin/pages/:id/copy", async (request, reply) => {
    const input = parse(copySchema, request, reply);
    if (!input) return reply;
    const { id } = request.params as { id: string };
    return answer(
      reply,
      content.copyAsPerson(
        id,
        { title: input.title, ...(input.parentId ? { parentId: input.parentId } : {}) },
        seed.humanAccountId,
      ),
    );
  });

  server.app.post("/_admin/pages/:id/status", async (request, reply) => {
    const input = parse(statusSchema, request, reply);
    if (!input) return reply;
    const { id } = request.params as { id: string };
    return answer(reply, content.setStatusAsPerson(id, input.status, seed.humanAccountId));
  });

  server.app.post("/_admin/pages/:id/restrict", async (request, reply) => {
    const input = parse(restrictSchema, request, reply);
    if (!input) return reply;
    const { id } = request.params as { id: string };
    return answer(reply, content.restrict(id, input.restricted));
  });

  server.app.post("/_admin/pages/:id/move", async (request, reply) => {
    const input = parse(moveSchema, request, reply);
    if (!input) return reply;
    const { id } = request.params as { id: string };
    return answer(reply, content.moveAsPerson(id, input.parentId));
  });
}

function parse<T>(schema: z.ZodType<T>, request: FastifyRequest, reply: FastifyReply): T | undefined {
  try {
    return schema.parse(parseJsonBody(request) ?? {});
  } catch (error) {
    void reply
      .code(400)
      .send({ error: "invalid admin request", detail: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

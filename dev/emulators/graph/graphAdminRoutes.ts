import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { type EmulatorServer, parseJsonBody } from "../common/emulatorServer";
import { moderationStatusSchema } from "./graphSeed";
import type { GraphService } from "./graphService";
import { renderItem } from "./itemView";
import { itemETag } from "./listStore";

const personEditSchema = z
  .object({
    fields: z.record(z.string(), z.unknown()).default({}),
    /** Who made the edit (a seed person by e-mail or lookup id); the first seed person when absent. */
    editor: z.object({ email: z.string().optional(), lookupId: z.string().optional() }).strict().optional(),
    /** With content approval: the approval status the edit leaves (a person's edit is pending by default). */
    moderationStatus: moderationStatusSchema.optional(),
  })
  .strict();

/**
 * The Graph emulator's own admin surface, next to the shared one (`state`, `requests`, `faults`):
 * - person edits: `POST /_admin/sites/{site}/lists/{list}/items`, `PATCH|DELETE …/items/{id}` — a human editing in
 *   SharePoint (values in the shape Graph reads them); they bump eTags, show up in delta and notify subscribers;
 * - `POST /_admin/clock` `{ "advanceSeconds" }` — move the emulator clock (delta-token TTL, subscription expiry);
 * - `POST /_admin/delta/expire` — every delta token issued so far answers 410 from now on;
 * - `PATCH /_admin/settings` — change the seed's `settings` knobs at run time;
 * - `POST /_admin/subscriptions/{id}/lifecycle` `{ "lifecycleEvent": "reauthorizationRequired" }`.
 */
export function registerGraphAdminRoutes(server: EmulatorServer, service: GraphService): void {
  const app = server.app;
  const origin = (): string => server.baseUrl;

  const parse = (request: FastifyRequest, reply: FastifyReply): z.infer<typeof personEditSchema> | undefined => {
    try {
      const parsed = personEditSchema.safeParse(parseJsonBody(request) ?? {});
      if (parsed.success) return parsed.data;
      void reply.code(400).send({ error: "invalid person edit", detail: parsed.error.message });
    } catch (error) {
      void reply.code(400).send({ error: "invalid JSON", detail: String(error) });
    }
    return undefined;
  };
  const locate = (request: FastifyRequest, reply: FastifyReply) => {
    const { site, list } = request.params as { site: string; list: string };
    const found = service.findList(site, list);
    if (!found) void reply.code(404).send({ error: `no list ${list} in site ${site}` });
    return found;
  };
  const render = (found: NonNullable<ReturnType<typeof service.findList>>, id: number): unknown => {
    const item = found.list.item(id)!;
    return renderItem(found.list, item, {
      origin: origin(),
      siteHost: found.site.hostname,
      withLastModifiedBy: true,
      fields: service.fieldsView(found.site, undefined),
    });
  };

  app.post("/_admin/sites/:site/lists/:list/items", async (request, reply) => {
    const found = locate(request, reply);
    const edit = found && parse(request, reply);
    if (!found || !edit) return reply;
    const created = service.createItem(
      found.site,
      found.list,
      edit.fields,
      service.personActor(edit.editor),
      "person",
      edit.moderationStatus,
    );
    if (!created.ok) return reply.code(400).send({ error: created.error.message });
    return reply.code(201).send(render(found, created.item.id));
  });

  app.patch("/_admin/sites/:site/lists/:list/items/:id", async (request, reply) => {
    const found = locate(request, reply);
    const edit = found && parse(request, reply);
    if (!found || !edit) return reply;
    const item = found.list.item(Number((request.params as { id: string }).id));
    if (!item) return reply.code(404).send({ error: "no such item" });
    const updated = service.updateItem(
      found.site,
      found.list,
      item,
      edit.fields,
      service.personActor(edit.editor),
      "person",
      edit.moderationStatus,
    );
    if (!updated.ok) return reply.code(400).send({ error: updated.error.message });
    return reply.send(render(found, item.id));
  });

  app.delete("/_admin/sites/:site/lists/:list/items/:id", async (request, reply) => {
    const found = locate(request, reply);
    if (!found) return reply;
    const item = found.list.item(Number((request.params as { id: string }).id));
    if (!item) return reply.code(404).send({ error: "no such item" });
    const eTag = itemETag(item);
    service.deleteItem(found.site, found.list, item);
    return reply.send({ deleted: String(item.id), eTag });
  });

  app.post("/_admin/clock", async (request, reply) => {
    const parsed = z
      .object({ advanceSeconds: z.number().min(0) })
      .strict()
      .safeParse(safeJson(request));
    if (!parsed.success) return reply.code(400).send({ error: "expected { advanceSeconds }" });
    service.clock.advance(parsed.data.advanceSeconds * 1000);
    return { now: new Date(service.clock.now()).toISOString() };
  });

  app.post("/_admin/delta/expire", async () => {
    service.deltaExpiredBeforeMs = service.clock.now() + 1;
    return { expiredBefore: new Date(service.deltaExpiredBeforeMs).toISOString() };
  });

  app.patch("/_admin/settings", async (request, reply) => {
    try {
      return service.updateSettings(safeJson(request));
    } catch (error) {
      return reply.code(400).send({ error: "invalid settings", detail: String(error) });
    }
  });

  app.post("/_admin/subscriptions/:id/lifecycle", async (request, reply) => {
    const parsed = z
      .object({ lifecycleEvent: z.string().default("reauthorizationRequired") })
      .strict()
      .safeParse(safeJson(request) ?? {});
    if (!parsed.success) return reply.code(400).send({ error: "expected { lifecycleEvent }" });
    const sent = service.hub.lifecycle((request.params as { id: string }).id, parsed.data.lifecycleEvent);
    return sent.ok
      ? reply.code(202).send({ queued: parsed.data.lifecycleEvent })
      : reply.code(404).send({ error: sent.message });
  });
}

function safeJson(request: FastifyRequest): unknown {
  try {
    return parseJsonBody(request);
  } catch {
    return undefined;
  }
}

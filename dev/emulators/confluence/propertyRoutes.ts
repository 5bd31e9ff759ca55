import { z } from "zod";
import { clampLimit, InvalidCursor, pageAfter } from "./cursorPage";
import {
  admitGatewayCall,
  badV2Request,
  type ConfluenceEmulatorContext,
  GATEWAY,
  queryParams,
  sendV2Failure,
} from "./emulatorContext";
import { parseWith, sendList } from "./pageRoutes";
import { propertyJson } from "./wireShapes";

/**
 * v2 page content properties (docs/references.md#confluence-content-properties): versioned JSON values up to 32 KB, one
 * key per page, create → 200, update must send version current + 1 (else 409), a duplicate key → 409.
 */

const READ = ["read:page:confluence", "read:confluence-props"];
const WRITE = ["write:page:confluence", "write:confluence-props"];

const createSchema = z.object({ key: z.string().min(1).max(255), value: z.unknown() });
const updateSchema = z.object({
  key: z.string().min(1).max(255),
  value: z.unknown(),
  version: z.object({ number: z.number().int(), message: z.string().optional() }),
});

export function registerPropertyRoutes(context: ConfluenceEmulatorContext): void {
  const { server, content, seed, siteBase } = context;
  const base = `${GATEWAY}/api/v2/pages/:pageId/properties`;

  server.app.get(base, async (request, reply) => {
    if (!(await admitGatewayCall(context, request, reply, READ))) return reply;
    const { pageId } = request.params as { pageId: string };
    const found = content.findPage(pageId);
    if (!found.ok) return sendV2Failure(reply, found);
    const query = queryParams(request);
    const key = query.get("key");
    const matching = found.value.properties
      .filter((p) => key === null || p.key === key)
      .sort((a, b) => Number(a.id) - Number(b.id));
    try {
      const page = pageAfter(
        matching,
        (p) => [Number(p.id)],
        [1],
        query.get("cursor") ?? undefined,
        clampLimit(query.get("limit") ?? undefined),
      );
      return sendList(
        reply,
        page.items.map(propertyJson),
        page.nextCursor,
        `/wiki/api/v2/pages/${pageId}/properties`,
        query,
        siteBase,
      );
    } catch (error) {
      if (error instanceof InvalidCursor) return badV2Request(reply, error.message);
      throw error;
    }
  });

  server.app.post(base, async (request, reply) => {
    if (!(await admitGatewayCall(context, request, reply, WRITE))) return reply;
    const { pageId } = request.params as { pageId: string };
    const parsed = parseWith(createSchema, request);
    if (!parsed.ok) return badV2Request(reply, parsed.title);
    const created = content.createProperty(pageId, parsed.value.key, parsed.value.value, seed.appAccountId);
    if (!created.ok) return sendV2Failure(reply, created);
    return reply.code(200).send(propertyJson(created.value));
  });

  server.app.get(`${base}/:propertyId`, async (request, reply) => {
    if (!(await admitGatewayCall(context, request, reply, READ))) return reply;
    const { pageId, propertyId } = request.params as { pageId: string; propertyId: string };
    const found = content.findProperty(pageId, propertyId);
    if (!found.ok) return sendV2Failure(reply, found);
    return reply.send(propertyJson(found.value));
  });

  server.app.put(`${base}/:propertyId`, async (request, reply) => {
    if (!(await admitGatewayCall(context, request, reply, WRITE))) return reply;
    const { pageId, propertyId } = request.params as { pageId: string; propertyId: string };
    const parsed = parseWith(updateSchema, request);
    if (!parsed.ok) return badV2Request(reply, parsed.title);
    const { key, value, version } = parsed.value;
    const updated = content.updateProperty(
      pageId,
      propertyId,
      { key, value, versionNumber: version.number, message: version.message ?? "" },
      seed.appAccountId,
    );
    if (!updated.ok) return sendV2Failure(reply, updated);
    return reply.send(propertyJson(updated.value));
  });

  server.app.delete(`${base}/:propertyId`, async (request, reply) => {
    if (!(await admitGatewayCall(context, request, reply, WRITE))) return reply;
    const { pageId, propertyId } = request.params as { pageId: string; propertyId: string };
    const deleted = content.deleteProperty(pageId, propertyId);
    if (!deleted.ok) return sendV2Failure(reply, deleted);
    return reply.code(204).send();
  });
}

import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { parseJsonBody } from "../common/emulatorServer";
import { clampLimit, compareKeys, InvalidCursor, linkHeader, nextLink, pageAfter, type SortKey } from "./cursorPage";
import {
  admitGatewayCall,
  badV2Request,
  type ConfluenceEmulatorContext,
  GATEWAY,
  queryParams,
  sendV2Failure,
} from "./emulatorContext";
import { currentVersion, type StoredPage } from "./siteContent";
import { pageJson, spaceJson } from "./wireShapes";

/**
 * v2 pages and spaces (docs/references.md#confluence-rest-api): get, list with cursor pagination, create (200), update
 * (409), delete.
 */

const READ_PAGE = ["read:page:confluence", "read:confluence-content.all"];
const WRITE_PAGE = ["write:page:confluence", "write:confluence-content"];
const DELETE_PAGE = ["delete:page:confluence", "write:confluence-content"];
const READ_SPACE = ["read:space:confluence", "read:confluence-space.summary"];

const SORTS = [
  "id",
  "-id",
  "created-date",
  "-created-date",
  "modified-date",
  "-modified-date",
  "title",
  "-title",
] as const;
const LIST_STATUSES = new Set(["current", "archived", "deleted", "trashed"]);
/** `GET /pages?id=` takes at most this many ids (the spec's `maxItems`). */
const MAX_IDS = 250;

const bodyWriteSchema = z.object({ representation: z.string(), value: z.string() });
/** PageBodyWrite or PageNestedBodyWrite (`{storage: {...}}`). */
const bodySchema = z.union([bodyWriteSchema, z.object({ storage: bodyWriteSchema }).transform((b) => b.storage)]);

const createSchema = z.object({
  spaceId: z.string().regex(/^\d+$/),
  status: z.enum(["current", "draft"]).default("current"),
  title: z.string().min(1).max(255),
  parentId: z.string().regex(/^\d+$/).nullable().optional(),
  body: bodySchema,
});

const updateSchema = z.object({
  id: z.string(),
  status: z.enum(["current", "draft", "archived"]),
  title: z.string().min(1).max(255),
  spaceId: z.string().optional(),
  parentId: z.string().nullable().optional(),
  body: bodySchema,
  version: z.object({ number: z.number().int(), message: z.string().optional() }),
});

export function registerPageRoutes(context: ConfluenceEmulatorContext): void {
  const { server, content, seed, siteBase } = context;

  server.app.get(`${GATEWAY}/api/v2/pages/:id`, async (request, reply) => {
    if (!(await admitGatewayCall(context, request, reply, READ_PAGE))) return reply;
    const { id } = request.params as { id: string };
    const query = queryParams(request);
    const storage = bodyFormatIsStorage(query.get("body-format"));
    if (storage === undefined) return badV2Request(reply, "This emulator serves body-format=storage only");
    const found = content.findPage(id);
    if (!found.ok) return sendV2Failure(reply, found);
    // A trashed page is only found when asked for by status (docs/references.md#confluence-page-delete-and-trash).
    const statuses = query.getAll("status").flatMap((s) => s.split(","));
    if (!(statuses.length > 0 ? statuses : ["current", "archived"]).includes(found.value.status)) {
      return sendV2Failure(reply, {
        ok: false,
        status: 404,
        code: "NOT_FOUND",
        title: `Cannot find page with id ${id}`,
      });
    }
    const wanted = query.get("version");
    const version = wanted === null ? undefined : found.value.versions.find((v) => v.number === Number(wanted));
    if (wanted !== null && !version)
      return sendV2Failure(reply, {
        ok: false,
        status: 404,
        code: "NOT_FOUND",
        title: `Cannot find version ${wanted} of page ${id}`,
      });
    return reply.send(
      pageJson(found.value, content.space(found.value.spaceId), {
        storage,
        linksBase: siteBase,
        ...(version ? { version } : {}),
      }),
    );
  });

  server.app.get(`${GATEWAY}/api/v2/pages`, async (request, reply) => {
    if (!(await admitGatewayCall(context, request, reply, READ_PAGE))) return reply;
    return listPages(context, request, reply, "/wiki/api/v2/pages", undefined);
  });

  server.app.get(`${GATEWAY}/api/v2/spaces/:spaceId/pages`, async (request, reply) => {
    if (!(await admitGatewayCall(context, request, reply, READ_PAGE))) return reply;
    const { spaceId } = request.params as { spaceId: string };
    if (!content.space(spaceId))
      return sendV2Failure(reply, {
        ok: false,
        status: 404,
        code: "NOT_FOUND",
        title: `Cannot find space with id ${spaceId}`,
      });
    return listPages(context, request, reply, `/wiki/api/v2/spaces/${spaceId}/pages`, spaceId);
  });

  server.app.post(`${GATEWAY}/api/v2/pages`, async (request, reply) => {
    if (!(await admitGatewayCall(context, request, reply, WRITE_PAGE))) return reply;
    const parsed = parseWith(createSchema, request);
    if (!parsed.ok) return badV2Request(reply, parsed.title);
    const input = parsed.value;
    if (input.body.representation !== "storage")
      return badV2Request(reply, "This emulator accepts representation=storage only");
    const created = content.createPage(
      {
        spaceId: input.spaceId,
        title: input.title,
        parentId: input.parentId ?? null,
        body: input.body.value,
        status: input.status,
      },
      seed.appAccountId,
    );
    if (!created.ok) return sendV2Failure(reply, created);
    // 200, not 201 (docs/references.md#confluence-page-create).
    return reply
      .code(200)
      .send(pageJson(created.value, content.space(created.value.spaceId), { storage: true, linksBase: siteBase }));
  });

  server.app.put(`${GATEWAY}/api/v2/pages/:id`, async (request, reply) => {
    if (!(await admitGatewayCall(context, request, reply, WRITE_PAGE))) return reply;
    const { id } = request.params as { id: string };
    const parsed = parseWith(updateSchema, request);
    if (!parsed.ok) return badV2Request(reply, parsed.title);
    const input = parsed.value;
    if (input.id !== id) return badV2Request(reply, `The id in the body (${input.id}) does not match the path (${id})`);
    if (input.body.representation !== "storage")
      return badV2Request(reply, "This emulator accepts representation=storage only");
    const updated = content.updatePage(
      id,
      {
        title: input.title,
        body: input.body.value,
        status: input.status,
        versionNumber: input.version.number,
        message: input.version.message ?? "",
        ...(input.spaceId !== undefined ? { spaceId: input.spaceId } : {}),
        ...(input.parentId !== undefined ? { parentId: input.parentId } : {}),
      },
      seed.appAccountId,
    );
    if (!updated.ok) return sendV2Failure(reply, updated);
    return reply.send(
      pageJson(updated.value, content.space(updated.value.spaceId), { storage: true, linksBase: siteBase }),
    );
  });

  server.app.delete(`${GATEWAY}/api/v2/pages/:id`, async (request, reply) => {
    if (!(await admitGatewayCall(context, request, reply, DELETE_PAGE))) return reply;
    const { id } = request.params as { id: string };
    const deleted = content.deletePage(id, queryParams(request).get("purge") === "true");
    if (!deleted.ok) return sendV2Failure(reply, deleted);
    return reply.code(204).send();
  });

  server.app.get(`${GATEWAY}/api/v2/spaces`, async (request, reply) => {
    if (!(await admitGatewayCall(context, request, reply, READ_SPACE))) return reply;
    const query = queryParams(request);
    const keys = csv(query.get("keys"));
    const ids = csv(query.get("ids"));
    const matching = content.spaces.filter((s) => (!keys || keys.includes(s.key)) && (!ids || ids.includes(s.id)));
    const sorted = [...matching].sort((a, b) => Number(a.id) - Number(b.id));
    let page;
    try {
      page = pageAfter(
        sorted,
        (s) => [Number(s.id)],
        [1],
        query.get("cursor") ?? undefined,
        clampLimit(query.get("limit") ?? undefined),
      );
    } catch (error) {
      if (error instanceof InvalidCursor) return badV2Request(reply, error.message);
      throw error;
    }
    return sendList(
      reply,
      page.items.map((s) => spaceJson(s, seed.humanAccountId)),
      page.nextCursor,
      "/wiki/api/v2/spaces",
      query,
      siteBase,
    );
  });
}

function listPages(
  context: ConfluenceEmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  path: string,
  spaceId: string | undefined,
): FastifyReply {
  const { content, siteBase } = context;
  const query = queryParams(request);
  const sort = query.get("sort") ?? "id";
  if (!(SORTS as readonly string[]).includes(sort)) return badV2Request(reply, `Invalid sort: ${sort}`);
  const storage = bodyFormatIsStorage(query.get("body-format"));
  if (storage === undefined) return badV2Request(reply, "This emulator serves body-format=storage only");
  const statuses = csv(query.get("status")) ?? ["current", "archived"];
  const badStatus = statuses.find((s) => !LIST_STATUSES.has(s));
  if (badStatus) return badV2Request(reply, `Invalid status: ${badStatus}`);
  const ids = csv(query.get("id"));
  // The spec caps `id` at 250 (maxItems); more is a bad request, not a silent truncation.
  if (ids !== undefined && ids.length > MAX_IDS)
    return badV2Request(reply, `id: size must be between 0 and ${MAX_IDS} (got ${ids.length})`);
  const spaceIds = spaceId ? [spaceId] : csv(query.get("space-id"));
  const title = query.get("title");

  // Pages the app's user cannot see are left out without a word, as are ids that name nothing.
  const matching = content
    .visiblePages()
    .filter(
      (p) =>
        statuses.includes(p.status) &&
        (!ids || ids.includes(p.id)) &&
        (!spaceIds || spaceIds.includes(p.spaceId)) &&
        (title === null || currentVersion(p).title === title),
    );
  const descending = sort.startsWith("-");
  const field = descending ? sort.slice(1) : sort;
  const keyOf = (p: StoredPage): SortKey => {
    const id = Number(p.id);
    if (field === "created-date") return [p.createdAt, id];
    if (field === "modified-date") return [currentVersion(p).createdAt, id];
    if (field === "title") return [currentVersion(p).title.toLowerCase(), id];
    return [id];
  };
  const directions: (1 | -1)[] = field === "id" ? [descending ? -1 : 1] : [descending ? -1 : 1, descending ? -1 : 1];
  const sorted = matching.map((p) => ({ p, key: keyOf(p) })).sort((a, b) => compareKeys(a.key, b.key, directions));
  let page;
  try {
    page = pageAfter(
      sorted,
      (entry) => entry.key,
      directions,
      query.get("cursor") ?? undefined,
      clampLimit(query.get("limit") ?? undefined),
    );
  } catch (error) {
    if (error instanceof InvalidCursor) return badV2Request(reply, error.message);
    throw error;
  }
  // A bulk read by id answers each page of results in an order of its own (docs/emulators.md#confluence-pages-mode-behaviours).
  const served = ids !== undefined && context.seed.shuffleBulkReads ? context.random.shuffled(page.items) : page.items;
  const results = served.map(({ p }) => pageJson(p, content.space(p.spaceId), { storage }));
  return sendList(reply, results, page.nextCursor, path, query, siteBase);
}

/** `{results, _links: {next?, base}}` plus the `Link` header when there is a next page. */
export function sendList(
  reply: FastifyReply,
  results: unknown[],
  nextCursor: string | undefined,
  path: string,
  query: URLSearchParams,
  siteBase: string,
): FastifyReply {
  const links: Record<string, string> = { base: siteBase };
  if (nextCursor !== undefined) {
    const next = nextLink(path, query, nextCursor);
    links.next = next;
    reply.header("Link", linkHeader(next, siteBase));
  }
  return reply.send({ results, _links: links });
}

/** true for `storage`, false when absent (`"body": {}`), undefined for formats the emulator does not render. */
export function bodyFormatIsStorage(value: string | null): boolean | undefined {
  if (value === null) return false;
  return value === "storage" ? true : undefined;
}

export function csv(value: string | null): string[] | undefined {
  if (value === null || value === "") return undefined;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseWith<T>(
  schema: z.ZodType<T>,
  request: FastifyRequest,
): { ok: true; value: T } | { ok: false; title: string } {
  let raw: unknown;
  try {
    raw = parseJsonBody(request);
  } catch {
    return { ok: false, title: "Request body is not valid JSON" };
  }
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0]!;
  return { ok: false, title: `Invalid request: ${issue.path.join(".") || "body"}: ${issue.message}` };
}

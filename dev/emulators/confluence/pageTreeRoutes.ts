import type { FastifyReply } from "fastify";
import { clampLimit, compareKeys, InvalidCursor, pageAfter, type SortKey } from "./cursorPage";
import {
  admitGatewayCall,
  badV2Request,
  type ConfluenceEmulatorContext,
  GATEWAY,
  queryParams,
  sendV2Failure,
} from "./emulatorContext";
import { sendList } from "./pageRoutes";
import { currentVersion, type StoredPage } from "./siteContent";

/**
 * The page tree (docs/emulators.md#confluence-pages-mode-behaviours): `GET /pages/{id}/children` (ChildPage rows
 * without a version, default 25 a page, sorted by child position unless asked otherwise), `/direct-children` (the
 * same with `type`), `/descendants` (`depth` default 2, rows with `parentId` and `depth`, top to bottom) and
 * `/ancestors` (top to bottom). Only pages the app's user can see, only `current` and `archived` ones.
 */

const READ_PAGE = ["read:page:confluence", "read:confluence-content.all"];
const CHILD_SORTS = new Set([
  "child-position",
  "-child-position",
  "id",
  "-id",
  "created-date",
  "-created-date",
  "modified-date",
  "-modified-date",
]);

export function registerPageTreeRoutes(context: ConfluenceEmulatorContext): void {
  const { server, content, siteBase } = context;

  const childrenOf = (parentId: string): StoredPage[] =>
    content
      .visiblePages()
      .filter((page) => page.parentId === parentId && (page.status === "current" || page.status === "archived"));

  for (const kind of ["children", "direct-children"] as const) {
    server.app.get(`${GATEWAY}/api/v2/pages/:id/${kind}`, async (request, reply) => {
      if (!(await admitGatewayCall(context, request, reply, READ_PAGE))) return reply;
      const { id } = request.params as { id: string };
      const parent = content.findPage(id);
      if (!parent.ok) return sendV2Failure(reply, parent);
      const query = queryParams(request);
      const sort = query.get("sort") ?? "child-position";
      if (!CHILD_SORTS.has(sort)) return badV2Request(reply, `Invalid sort: ${sort}`);
      const descending = sort.startsWith("-");
      const field = descending ? sort.slice(1) : sort;
      const keyOf = (page: StoredPage): SortKey => {
        const pageId = Number(page.id);
        if (field === "created-date") return [page.createdAt, pageId];
        if (field === "modified-date") return [currentVersion(page).createdAt, pageId];
        if (field === "child-position") return [page.position, pageId];
        return [pageId];
      };
      const directions: (1 | -1)[] = field === "id" ? [descending ? -1 : 1] : [descending ? -1 : 1, 1];
      const sorted = childrenOf(id)
        .map((page) => ({ page, key: keyOf(page) }))
        .sort((a, b) => compareKeys(a.key, b.key, directions));
      const rows = (page: StoredPage) => ({
        id: page.id,
        status: page.status,
        title: currentVersion(page).title,
        spaceId: page.spaceId,
        childPosition: page.position,
        ...(kind === "direct-children" ? { type: "page" } : {}),
      });
      return sendPage(
        reply,
        sorted,
        (entry) => entry.key,
        directions,
        query,
        (entry) => rows(entry.page),
        {
          path: `/wiki/api/v2/pages/${id}/${kind}`,
          siteBase,
        },
      );
    });
  }

  server.app.get(`${GATEWAY}/api/v2/pages/:id/descendants`, async (request, reply) => {
    if (!(await admitGatewayCall(context, request, reply, READ_PAGE))) return reply;
    const { id } = request.params as { id: string };
    const root = content.findPage(id);
    if (!root.ok) return sendV2Failure(reply, root);
    const query = queryParams(request);
    const depth = clampLimit(query.get("depth") ?? undefined, 2, context.seed.quirks.descendantsMaxDepth);
    // Top to bottom: every page of one level before the next, each level by child position.
    const rows: { page: StoredPage; depth: number; index: number }[] = [];
    let level = [root.value];
    for (let current = 1; current <= depth && level.length > 0; current += 1) {
      const next = level
        .flatMap((page) => childrenOf(page.id))
        .sort((a, b) => a.position - b.position || Number(a.id) - Number(b.id));
      for (const page of next) rows.push({ page, depth: current, index: rows.length });
      level = next;
    }
    return sendPage(
      reply,
      rows,
      (row) => [row.index],
      [1],
      query,
      (row) => ({
        id: row.page.id,
        status: row.page.status,
        title: currentVersion(row.page).title,
        type: "page",
        parentId: row.page.parentId,
        depth: row.depth,
        childPosition: row.page.position,
      }),
      { path: `/wiki/api/v2/pages/${id}/descendants`, siteBase },
    );
  });

  server.app.get(`${GATEWAY}/api/v2/pages/:id/ancestors`, async (request, reply) => {
    if (!(await admitGatewayCall(context, request, reply, READ_PAGE))) return reply;
    const { id } = request.params as { id: string };
    const page = content.findPage(id);
    if (!page.ok) return sendV2Failure(reply, page);
    const limit = clampLimit(queryParams(request).get("limit") ?? undefined);
    // Top to bottom, at most `limit`: the ones nearest the page. For more, ask again from the highest one returned.
    const nearestFirst = content.ancestorsOf(page.value).slice(0, limit);
    const results = nearestFirst.reverse().map((ancestor) => ({ id: ancestor.id, type: "page" }));
    return reply.send({ results, _links: { base: siteBase } });
  });
}

function sendPage<T>(
  reply: FastifyReply,
  sorted: readonly T[],
  keyOf: (item: T) => SortKey,
  directions: readonly (1 | -1)[],
  query: URLSearchParams,
  row: (item: T) => Record<string, unknown>,
  where: { path: string; siteBase: string },
): FastifyReply {
  let page;
  try {
    page = pageAfter(
      sorted,
      keyOf,
      directions,
      query.get("cursor") ?? undefined,
      clampLimit(query.get("limit") ?? undefined),
    );
  } catch (error) {
    if (error instanceof InvalidCursor) return badV2Request(reply, error.message);
    throw error;
  }
  return sendList(reply, page.items.map(row), page.nextCursor, where.path, query, where.siteBase);
}

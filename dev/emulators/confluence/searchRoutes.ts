import { z } from "zod";
import { parseJsonBody } from "../common/emulatorServer";
import { type CqlDocument, CqlSyntaxError, compareByOrder, matchesCql, parseCql } from "./cql";
import { clampLimit, InvalidCursor, pageAfter } from "./cursorPage";
import { admitGatewayCall, type ConfluenceEmulatorContext, GATEWAY, iso, queryParams } from "./emulatorContext";
import { v1ErrorBody } from "./errorBodies";
import type { PageVersion, StoredPage } from "./siteContent";

/**
 * The v1 endpoints that survive the v2 migration and that a sync uses (docs/references.md#confluence-labels and
 * docs/references.md#confluence-cql-search): CQL search and label writes. Errors use the v1 envelope. The search's
 * `_links.next` is relative to `_links.context` (`/wiki`) — it has no `/wiki` prefix, unlike v2's
 * (docs/references.md#confluence-cql-search), and clients must resolve it accordingly.
 */

const SEARCH = ["search:confluence", "read:content-details:confluence"];
const WRITE_LABEL = ["write:confluence-content", "write:label:confluence"];

const labelSchema = z.object({ prefix: z.string().default("global"), name: z.string().min(1) });
const labelsSchema = z.union([z.array(labelSchema), labelSchema.transform((l) => [l])]);

export function registerSearchRoutes(context: ConfluenceEmulatorContext): void {
  const { server, content, seed, siteBase, clock } = context;

  server.app.get(`${GATEWAY}/rest/api/search`, async (request, reply) => {
    if (!(await admitGatewayCall(context, request, reply, SEARCH))) return reply;
    const started = clock.now();
    const query = queryParams(request);
    const cql = query.get("cql");
    if (!cql) return reply.code(400).send(v1ErrorBody(400, "BadRequestException", "cql is a required parameter"));
    let parsed;
    try {
      parsed = parseCql(cql);
    } catch (error) {
      if (error instanceof CqlSyntaxError)
        return reply
          .code(400)
          .send(v1ErrorBody(400, "BadRequestException", `Could not parse cql : ${cql} (${error.message})`));
      throw error;
    }
    const cqlContext = { nowMs: clock.now(), timeZoneOffsetMinutes: seed.searchTimeZoneOffsetMinutes };
    const spaceKeys = new Map(content.spaces.map((s) => [s.id, s.key]));
    // The index lags writes: a page is found as its latest version old enough to be indexed, or not at all.
    const indexedUntil = clock.now() - seed.searchIndexLagSeconds * 1000;
    const documents = content
      .visiblePages()
      .filter((p) => p.status === "current")
      .flatMap((page) => {
        const version = page.versions.findLast((v) => v.createdAt <= indexedUntil);
        if (!version) return [];
        const ancestorIds = content.ancestorsOf(page).map((ancestor) => ancestor.id);
        return [{ page, version, doc: cqlDocument(page, version, spaceKeys.get(page.spaceId) ?? "", ancestorIds) }];
      })
      .filter(({ doc }) => matchesCql(parsed.where, doc, cqlContext))
      .sort((a, b) => compareByOrder(parsed.orderBy, a.doc, b.doc));

    // The cursor keys on the position in this query's order, which is stable for a given result set.
    const positioned = documents.map((entry, index) => ({ ...entry, index }));
    const limit = clampLimit(query.get("limit") ?? undefined);
    let page;
    try {
      page = pageAfter(positioned, (e) => [e.index], [1], query.get("cursor") ?? undefined, limit);
    } catch (error) {
      if (error instanceof InvalidCursor)
        return reply.code(400).send(v1ErrorBody(400, "BadRequestException", error.message));
      throw error;
    }
    const self = `${siteBase}/rest/api/search?${new URLSearchParams({ cql }).toString()}`;
    const links: Record<string, string> = { base: siteBase, context: "/wiki", self };
    if (page.nextCursor) {
      const params = new URLSearchParams(query);
      params.set("cursor", page.nextCursor);
      params.set("limit", String(limit));
      links.next = `/rest/api/search?${params.toString()}`;
    }
    // `expand=content.version` adds the version the index holds, which lags the page's own under index lag.
    const expand = (query.get("expand") ?? "").split(",").map((part) => part.trim());
    const withVersion = expand.includes("content.version");
    return reply.send({
      results: page.items.map(({ page: p, version, doc }) => searchResult(p, version, doc, siteBase, withVersion)),
      start: 0,
      limit,
      size: page.items.length,
      totalSize: documents.length,
      cqlQuery: cql,
      searchDuration: Math.max(0, clock.now() - started),
      _links: links,
    });
  });

  server.app.post(`${GATEWAY}/rest/api/content/:id/label`, async (request, reply) => {
    if (!(await admitGatewayCall(context, request, reply, WRITE_LABEL))) return reply;
    const { id } = request.params as { id: string };
    let labels;
    try {
      labels = labelsSchema.parse(parseJsonBody(request));
    } catch {
      return reply
        .code(400)
        .send(v1ErrorBody(400, "BadRequestException", "Label body must be a label or an array of labels"));
    }
    const updated = content.addLabels(
      id,
      labels.map((l) => l.name),
    );
    if (!updated.ok)
      return reply
        .code(404)
        .send(v1ErrorBody(404, "NotFoundException", `No content found with id: ContentId{id=${id}}`));
    const results = updated.value.labels.map((l) => ({ prefix: l.prefix, name: l.name, id: l.id, label: l.name }));
    return reply.send({ results, start: 0, limit: 200, size: results.length });
  });
}

function cqlDocument(
  page: StoredPage,
  version: PageVersion,
  spaceKey: string,
  ancestorIds: readonly string[],
): CqlDocument {
  return {
    id: page.id,
    type: "page",
    spaceKey,
    parentId: page.parentId,
    ancestorIds,
    title: version.title,
    labels: page.labels.map((l) => l.name),
    createdMs: page.createdAt,
    lastModifiedMs: version.createdAt,
  };
}

/** One `SearchResult` as in docs/references.md#confluence-cql-search (content summary, not the body). */
function searchResult(
  page: StoredPage,
  version: PageVersion,
  doc: CqlDocument,
  siteBase: string,
  withVersion: boolean,
): Record<string, unknown> {
  const webui = `/spaces/${doc.spaceKey}/pages/${page.id}/${encodeURIComponent(doc.title.replace(/\s+/g, "+")).replace(/%2B/g, "+")}`;
  return {
    content: {
      id: page.id,
      type: "page",
      status: page.status,
      title: doc.title,
      childTypes: {},
      macroRenderedOutput: {},
      restrictions: {},
      ...(withVersion
        ? {
            version: {
              by: { type: "known", accountId: version.authorId },
              when: iso(version.createdAt),
              friendlyWhen: new Date(version.createdAt).toUTCString().slice(5, 16),
              message: version.message,
              number: version.number,
              minorEdit: version.minorEdit,
            },
          }
        : {}),
      _expandable: {
        container: "",
        metadata: "",
        extensions: "",
        operations: "",
        children: "",
        history: `/rest/api/content/${page.id}/history`,
        ancestors: "",
        body: "",
        version: "",
        descendants: "",
        space: `/rest/api/space/${doc.spaceKey}`,
      },
      _links: {
        webui,
        self: `${siteBase}/rest/api/content/${page.id}`,
        tinyui: `/x/${Buffer.from(page.id).toString("base64url")}`,
      },
    },
    title: doc.title,
    excerpt: "",
    url: webui,
    resultGlobalContainer: { title: doc.spaceKey, displayUrl: `/spaces/${doc.spaceKey}` },
    breadcrumbs: [],
    entityType: "content",
    iconCssClass: "aui-icon content-type-page",
    lastModified: iso(version.createdAt),
    friendlyLastModified: new Date(version.createdAt).toUTCString().slice(5, 16),
    score: 0,
  };
}

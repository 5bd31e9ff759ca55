import { serveDelta } from "./deltaRoute";
import { fail, faultErrorBody, type GraphCall, type GraphResponse, noContent, ok } from "./graphResponse";
import type { GraphService, SiteState } from "./graphService";
import { nonIndexedField, parseItemFilter } from "./itemFilter";
import { graphTime, listWebUrl, renderFields, renderItem } from "./itemView";
import { columnAsListed } from "./listColumns";
import { itemETag, type ListState, type StoredItem } from "./listStore";
import { decodeSkipToken, encodeSkipToken, parseListQuery } from "./odataQuery";
import { renderSubscription } from "./subscriptionHub";

const HONOR_NON_INDEXED = "HonorNonIndexedQueriesWarningMayFailRandomly";

/**
 * Serves one Graph call (a top-level request or a `$batch` sub-request) against the service: sites, lists, columns,
 * items, delta and subscriptions. Charges SharePoint resource units first and answers 429 when the budget is spent.
 */
export async function dispatchGraphCall(
  service: GraphService,
  call: GraphCall,
  origin: string,
): Promise<GraphResponse> {
  const now = service.clock.now();
  const charge = service.meter.charge({
    appId: call.appId,
    cost: resourceUnitCost(call),
    limit: service.settings.resourceUnitsPerMinute,
    nowMs: now,
  });
  if (charge.throttled)
    return {
      status: 429,
      headers: { "Content-Type": "application/json", ...charge.headers },
      body: faultErrorBody(429, call, now),
    };
  const response = await route(service, call, origin);
  Object.assign(response.headers, charge.headers);
  return response;
}

/** SharePoint's published costs: 1 RU for single-item reads and delta with a token, 2 for listings and writes. */
function resourceUnitCost(call: GraphCall): number {
  const s = call.segments;
  if (s[0] !== "sites") return 0;
  if (call.method !== "GET") return 2;
  if (s[4] === "items" && (s[5] === "delta" || s[5] === "delta()")) return /(^|&)token=/.test(call.rawQuery) ? 1 : 2;
  // Single-entity reads: the site, a list, one item or its fields. Everything else lists several.
  const single = s.length === 2 || s.length === 4 || (s[4] === "items" && s.length >= 6);
  return single ? 1 : 2;
}

async function route(service: GraphService, call: GraphCall, origin: string): Promise<GraphResponse> {
  const now = service.clock.now();
  const segs = call.segments;
  if (segs[0] === "subscriptions") return subscriptionRoute(service, call, origin);
  if (segs[0] !== "sites" || segs[1] === undefined)
    return fail(400, "invalidRequest", `Resource not found for the segment '${segs[0] ?? ""}'.`, call, now);

  const site = service.findSite(segs[1]);
  if (!site) return fail(404, "itemNotFound", "Requested site could not be found", call, now);
  // Sites.Selected without a grant on the site, or a role that does not cover the call
  // (docs/emulators.md#graph-permissions-and-content-approval).
  const access = service.access(call.appId, site);
  if (!access.read || (call.method !== "GET" && !access.write))
    return fail(403, "accessDenied", "Access denied", call, now);
  if (segs.length === 2) return call.method === "GET" ? ok(200, renderSite(site, origin)) : methodNotAllowed(call, now);
  if (segs[2] !== "lists")
    return fail(400, "invalidRequest", `Resource not found for the segment '${segs[2]}'.`, call, now);
  if (segs.length === 3) {
    if (call.method !== "GET") return methodNotAllowed(call, now);
    return ok(200, {
      "@odata.context": `${origin}/v1.0/$metadata#sites('${encodeURIComponent(site.id)}')/lists`,
      value: site.lists.map((l) => renderList(site, l, origin)),
    });
  }
  const found = service.findList(site.id, segs[3]!);
  if (!found) return fail(404, "itemNotFound", "The requested list could not be found.", call, now);
  const list = found.list;
  if (segs.length === 4)
    return call.method === "GET" ? ok(200, renderList(site, list, origin, true)) : methodNotAllowed(call, now);

  if (segs[4] === "columns" && segs.length === 5) {
    if (call.method !== "GET") return methodNotAllowed(call, now);
    // "By default, columnDefinitions … for hidden columns aren't shown. To list hidden columnDefinitions, include hidden in your $select."
    const query = parseListQuery(call.rawQuery);
    const withHidden =
      query.ok &&
      query.query.raw.some(([name, value]) => /^\$?select$/i.test(name) && /(^|,)\s*hidden\s*(,|$)/.test(value));
    const columns = list.allColumns().filter((c) => withHidden || !c.hidden);
    return ok(200, {
      "@odata.context": `${origin}/v1.0/$metadata#sites('${encodeURIComponent(site.id)}')/lists('${list.id}')/columns`,
      value: columns.map(columnAsListed),
    });
  }
  if (segs[4] !== "items")
    return fail(400, "invalidRequest", `Resource not found for the segment '${segs[4]}'.`, call, now);

  if (segs.length === 5) {
    if (call.method === "GET") return listItems(service, site, list, call, origin);
    if (call.method === "POST") return createItem(service, site, list, call, origin);
    return methodNotAllowed(call, now);
  }
  if (segs[5] === "delta" || segs[5] === "delta()") {
    return segs.length === 6 && call.method === "GET"
      ? serveDelta(service, site, list, call, origin)
      : methodNotAllowed(call, now);
  }
  if (!/^\d+$/.test(segs[5]!)) return fail(400, "invalidRequest", `Invalid item id '${segs[5]}'.`, call, now);
  const item = list.item(Number(segs[5]));
  // An item hidden by content approval is not found, by id as in a listing (docs/references.md#graph-content-approval).
  if (!item || !service.visible(call.appId, site, list, item))
    return fail(404, "itemNotFound", "Item not found", call, now);

  if (segs.length === 6) {
    if (call.method === "GET") {
      const query = parseListQuery(call.rawQuery);
      if (!query.ok) return fail(400, "invalidRequest", query.message, call, now);
      const fields = query.query.expandFields ? service.fieldsView(site, query.query.select) : undefined;
      return ok(
        200,
        {
          "@odata.context": `${origin}/v1.0/$metadata#sites('${encodeURIComponent(site.id)}')/lists('${list.id}')/items/$entity`,
          ...renderItem(list, item, {
            origin,
            siteHost: site.hostname,
            withLastModifiedBy: true,
            ...(fields ? { fields } : {}),
          }),
        },
        { ETag: itemETag(item) },
      );
    }
    if (call.method === "DELETE") {
      const mismatch = preconditionFailed(item, call, now);
      if (mismatch) return mismatch;
      service.deleteItem(site, list, item);
      return noContent();
    }
    return methodNotAllowed(call, now);
  }
  if (segs[6] === "fields" && segs.length === 7) {
    if (call.method === "GET")
      return ok(200, fieldsEntity(service, site, list, item, origin), { ETag: itemETag(item) });
    if (call.method === "PATCH") return updateFields(service, site, list, item, call, origin);
    return methodNotAllowed(call, now);
  }
  return fail(400, "invalidRequest", `Resource not found for the segment '${segs[6]}'.`, call, now);
}

function listItems(
  service: GraphService,
  site: SiteState,
  list: ListState,
  call: GraphCall,
  origin: string,
): GraphResponse {
  const now = service.clock.now();
  const parsed = parseListQuery(call.rawQuery);
  if (!parsed.ok) return fail(400, "invalidRequest", parsed.message, call, now);
  const query = parsed.query;
  const top = Math.min(query.top ?? service.settings.defaultPageSize, service.settings.maxPageSize);
  let afterId = 0;
  if (query.skiptoken !== undefined) {
    const decoded = decodeSkipToken(query.skiptoken);
    if (decoded === undefined) return fail(400, "invalidRequest", "The skip token is invalid.", call, now);
    afterId = decoded;
  }
  let keep: ((item: StoredItem) => boolean) | undefined;
  if (query.filter !== undefined) {
    const filter = parseItemFilter(query.filter);
    if (!filter.ok) return fail(400, "invalidRequest", filter.message, call, now);
    const field = nonIndexedField(list, filter.filter);
    if (field !== undefined) {
      if (!(call.headers.prefer ?? "").includes(HONOR_NON_INDEXED)) {
        return fail(
          400,
          "invalidRequest",
          `Field '${field}' cannot be referenced in filter or orderby as it is not indexed. Provide the 'Prefer: ${HONOR_NON_INDEXED}' header to allow this, but be warned that such queries may fail on large lists.`,
          call,
          now,
        );
      }
      if (list.size > 5000) {
        return fail(
          service.settings.largeListNonIndexedFilterStatus,
          "generalException",
          "The attempted operation is prohibited because it exceeds the list view threshold.",
          call,
          now,
        );
      }
    }
    keep = filter.filter.predicate;
  }
  const visible = (item: StoredItem) => service.visible(call.appId, site, list, item);
  const page = list.page(afterId, top, (item) => visible(item) && (keep?.(item) ?? true));
  const fields = query.expandFields ? service.fieldsView(site, query.select) : undefined;
  const body: Record<string, unknown> = {
    "@odata.context": `${origin}/v1.0/$metadata#sites('${encodeURIComponent(site.id)}')/lists('${list.id}')/items`,
    value: page.items.map((item) =>
      renderItem(list, item, {
        origin,
        siteHost: site.hostname,
        withLastModifiedBy: true,
        ...(fields ? { fields } : {}),
      }),
    ),
  };
  if (page.more) {
    // "The URL also contains all the other query parameters present in the original request."
    const others = call.rawQuery.split("&").filter((p) => p !== "" && !/^(%24|\$)skiptoken=/i.test(p));
    const skip = `$skiptoken=${encodeURIComponent(encodeSkipToken(page.items[page.items.length - 1]!.id))}`;
    body["@odata.nextLink"] = `${origin}/v1.0/sites/${site.id}/lists/${list.id}/items?${[...others, skip].join("&")}`;
  }
  return ok(200, body);
}

function createItem(
  service: GraphService,
  site: SiteState,
  list: ListState,
  call: GraphCall,
  origin: string,
): GraphResponse {
  const now = service.clock.now();
  const body = call.body as { fields?: unknown } | undefined;
  if (
    typeof body !== "object" ||
    body === null ||
    typeof body.fields !== "object" ||
    body.fields === null ||
    Array.isArray(body.fields)
  ) {
    return fail(400, "invalidRequest", "The request body must be a listItem with a 'fields' object.", call, now);
  }
  const created = service.createItem(
    site,
    list,
    body.fields as Record<string, unknown>,
    service.appActor(call.appId),
    "api",
    undefined,
    { apiVersion21: prefersApiVersion21(call) },
  );
  if (!created.ok) return fail(400, created.error.code, created.error.message, call, now);
  const item = created.item;
  return ok(
    201,
    {
      "@odata.context": `${origin}/v1.0/$metadata#sites('${encodeURIComponent(site.id)}')/lists('${list.id}')/items/$entity`,
      ...renderItem(list, item, {
        origin,
        siteHost: site.hostname,
        withLastModifiedBy: true,
        fields: service.fieldsView(site, undefined),
      }),
    },
    { Location: `${origin}/v1.0/sites/${site.id}/lists/${list.id}/items/${item.id}`, ETag: itemETag(item) },
  );
}

function updateFields(
  service: GraphService,
  site: SiteState,
  list: ListState,
  item: StoredItem,
  call: GraphCall,
  origin: string,
): GraphResponse {
  const now = service.clock.now();
  const mismatch = preconditionFailed(item, call, now);
  if (mismatch) return mismatch;
  if (typeof call.body !== "object" || call.body === null || Array.isArray(call.body)) {
    return fail(400, "invalidRequest", "The request body must be a fieldValueSet object.", call, now);
  }
  const updated = service.updateItem(
    site,
    list,
    item,
    call.body as Record<string, unknown>,
    service.appActor(call.appId),
    "api",
    undefined,
    { apiVersion21: prefersApiVersion21(call) },
  );
  if (!updated.ok) return fail(400, updated.error.code, updated.error.message, call, now);
  // "returns … a fieldValueSet in the response body for the updated list item": the whole set, not the changed keys.
  return ok(200, fieldsEntity(service, site, list, item, origin), { ETag: itemETag(item) });
}

function fieldsEntity(
  service: GraphService,
  site: SiteState,
  list: ListState,
  item: StoredItem,
  origin: string,
): Record<string, unknown> {
  return {
    "@odata.context": `${origin}/v1.0/$metadata#sites('${encodeURIComponent(site.id)}')/lists('${list.id}')/items('${item.id}')/fields/$entity`,
    ...renderFields(list, item, service.fieldsView(site, undefined)),
  };
}

/** `If-Match` with a stale eTag → 412 and nothing written. `*` matches any version [UNCONFIRMED]. */
function preconditionFailed(item: StoredItem, call: GraphCall, now: number): GraphResponse | undefined {
  const ifMatch = call.headers["if-match"];
  if (ifMatch === undefined) return undefined;
  const wanted = ifMatch.trim().replace(/^W\//, "");
  if (wanted === "*" || wanted === itemETag(item)) return undefined;
  return fail(
    412,
    "resourceModified",
    "The resource has changed since the caller last read it; the eTag does not match.",
    call,
    now,
    { innerCode: "entityTagDoesNotMatch" },
  );
}

/** Whether the request asks for SharePoint's newer API behaviour (`Prefer: apiversion=2.1`). */
function prefersApiVersion21(call: GraphCall): boolean {
  return /(^|,)\s*apiversion=2\.1\s*(,|$)/i.test(call.headers.prefer ?? "");
}

function methodNotAllowed(call: GraphCall, now: number): GraphResponse {
  return fail(405, "invalidRequest", "Specified HTTP method is not allowed for the request target.", call, now);
}

/**
 * Subscribing to a list is documented with `Sites.ReadWrite.All`; an app holding only `Sites.Selected` was refused
 * with 403 in older live reports (the `selectedListSubscriptions` setting), and an app that may not write is refused.
 */
function subscriptionRefused(service: GraphService, call: GraphCall): string | undefined {
  const resource = (call.body as { resource?: unknown } | undefined)?.resource;
  const match = typeof resource === "string" ? /^\/?sites\/([^/]+)\/lists\//i.exec(resource) : null;
  const site = match?.[1] === undefined ? undefined : service.findSite(decodeURIComponent(match[1]));
  if (site === undefined) return undefined;
  const access = service.access(call.appId, site);
  if (!access.write) return "Access denied";
  if (!access.tenantWrite && service.settings.selectedListSubscriptions === "forbidden")
    return "Access denied. The application does not have the permission to create a subscription to this resource.";
  return undefined;
}

function renderSite(site: SiteState, origin: string): Record<string, unknown> {
  return {
    "@odata.context": `${origin}/v1.0/$metadata#sites/$entity`,
    createdDateTime: graphTime(site.createdMs),
    description: "",
    id: site.id,
    lastModifiedDateTime: graphTime(site.createdMs),
    name: site.displayName.replace(/\s+/g, ""),
    webUrl: `https://${site.hostname}/sites/${site.displayName.replace(/\s+/g, "")}`,
    displayName: site.displayName,
    root: {},
    siteCollection: { hostname: site.hostname },
  };
}

function renderList(site: SiteState, list: ListState, origin: string, entity = false): Record<string, unknown> {
  // A list's own eTag is unquoted (`"f7497bc1-…,10"`), unlike an item's.
  const eTag = `${list.id},${list.changeSeq}`;
  return {
    ...(entity
      ? { "@odata.context": `${origin}/v1.0/$metadata#sites('${encodeURIComponent(site.id)}')/lists/$entity` }
      : {}),
    "@odata.etag": `"${eTag}"`,
    createdDateTime: graphTime(list.createdMs),
    description: "",
    eTag,
    id: list.id,
    lastModifiedDateTime: graphTime(list.modifiedMs),
    name: list.displayName.replace(/\s+/g, ""),
    webUrl: listWebUrl(list, site.hostname),
    displayName: list.displayName,
    parentReference: { siteId: site.id },
    list: { contentTypesEnabled: false, hidden: false, template: "genericList" },
  };
}

async function subscriptionRoute(service: GraphService, call: GraphCall, origin: string): Promise<GraphResponse> {
  const now = service.clock.now();
  const [, id, action] = call.segments;
  const hub = service.hub;
  if (id === undefined) {
    if (call.method === "POST") {
      const refused = subscriptionRefused(service, call);
      if (refused !== undefined) return fail(403, "accessDenied", refused, call, now);
      const created = await hub.create(call.body, call.appId);
      if (!created.ok) return fail(created.failure.status, created.failure.code, created.failure.message, call, now);
      return ok(201, renderSubscription(created.subscription, origin), {
        Location: `${origin}/v1.0/subscriptions/${created.subscription.id}`,
      });
    }
    if (call.method === "GET") {
      const mine = hub.list().filter((s) => s.applicationId === call.appId);
      return ok(200, {
        "@odata.context": `${origin}/v1.0/$metadata#subscriptions`,
        value: mine.map((s) => renderSubscription(s, origin)),
      });
    }
    return methodNotAllowed(call, now);
  }
  const notFound = (): GraphResponse =>
    fail(404, "ResourceNotFound", `The object was not found: subscription '${id}'.`, call, now);
  if (action === "reauthorize" && call.method === "POST") return hub.get(id) ? noContent() : notFound();
  if (action !== undefined)
    return fail(400, "invalidRequest", `Resource not found for the segment '${action}'.`, call, now);
  switch (call.method) {
    case "GET": {
      const subscription = hub.get(id);
      return subscription ? ok(200, renderSubscription(subscription, origin)) : notFound();
    }
    case "PATCH": {
      const renewed = hub.renew(id, call.body);
      return renewed.ok
        ? ok(200, renderSubscription(renewed.subscription, origin))
        : fail(renewed.failure.status, renewed.failure.code, renewed.failure.message, call, now);
    }
    case "DELETE":
      return hub.delete(id) ? noContent() : notFound();
    default:
      return methodNotAllowed(call, now);
  }
}

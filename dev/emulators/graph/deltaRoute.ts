import { type DeltaState, decodeDeltaToken, encodeDeltaToken } from "./deltaToken";
import { errorBody, fail, type GraphCall, type GraphResponse, ok } from "./graphResponse";
import type { GraphService, SiteState } from "./graphService";
import { type ItemView, renderDeleted, renderItem } from "./itemView";
import type { ListState } from "./listStore";
import { parseListQuery } from "./odataQuery";

/**
 * `GET …/items/delta`: a first call enumerates the list, later calls with the deltaLink's token return what changed
 * since (items in their latest state, deletions in the shape the `deltaDeletion` setting names), `token=latest`
 * returns no items and a fresh deltaLink. A token older than the TTL (or expired from the admin surface) answers
 * 410 Gone with a `Location` that restarts the enumeration. Replays are allowed: a token may be used again.
 */
export function serveDelta(
  service: GraphService,
  site: SiteState,
  list: ListState,
  call: GraphCall,
  origin: string,
): GraphResponse {
  const now = service.clock.now();
  // A link handed out after `POST /_admin/delta/expire` (even within the same millisecond) is a fresh one.
  const issued = Math.max(now, service.deltaExpiredBeforeMs);
  const parsed = parseListQuery(call.rawQuery);
  if (!parsed.ok) return fail(400, "invalidRequest", parsed.message, call, now);
  const query = parsed.query;
  const link = (state: DeltaState): string =>
    `${origin}/v1.0/sites/${site.id}/lists/${list.id}/items/delta?token=${encodeDeltaToken(state)}`;
  const requested = {
    f: query.expandFields,
    ...(query.select ? { sel: [...query.select] } : {}),
    ...(query.top !== undefined ? { top: query.top } : {}),
  };

  let state: DeltaState;
  if (query.token === undefined) {
    state = { l: list.id, p: "enumerate", s: 0, a: 0, i: issued, q: requested };
  } else if (query.token === "latest") {
    return ok(200, {
      "@odata.context": context(origin),
      value: [],
      "@odata.deltaLink": link({ l: list.id, p: "link", s: list.changeSeq, a: 0, i: issued, q: requested }),
    });
  } else {
    const decoded = decodeDeltaToken(query.token);
    if (!decoded || decoded.l !== list.id)
      return fail(400, "invalidRequest", "The delta token is not valid for this resource.", call, now);
    state = decoded;
  }

  const settings = service.settings;
  if (now - state.i > settings.deltaTokenTtlSeconds * 1000 || state.i < service.deltaExpiredBeforeMs) {
    const restart = link({ l: list.id, p: "enumerate", s: 0, a: 0, i: issued, q: state.q });
    const message =
      "Resync required. Replace any local items with the server's version (including deletes) if you're sure that the service was up to date with your local changes when you last sync'd. Upload any local changes that the server doesn't know about.";
    const body =
      settings.deltaResyncCodeAt === "code"
        ? errorBody(settings.deltaResyncCode, message, call, now)
        : errorBody("resyncRequired", message, call, now, settings.deltaResyncCode);
    return { status: 410, headers: { "Content-Type": "application/json", Location: restart }, body };
  }

  const top = Math.min(state.q.top ?? settings.defaultPageSize, settings.maxPageSize);
  const view: ItemView = {
    origin,
    siteHost: site.hostname,
    withLastModifiedBy: false,
    ...(state.q.f ? { fields: service.fieldsView(site, state.q.sel ? new Set(state.q.sel) : undefined) } : {}),
  };

  let value: Array<Record<string, unknown>>;
  let more: boolean;
  let lastId: number;
  let upTo: number;
  if (state.p === "enumerate") {
    // The change sequence when the round began: anything changed later shows up in the next round (a replay at worst).
    upTo = state.u ?? list.changeSeq;
    const page = list.page(state.a, top, (item) => service.visible(call.appId, site, list, item));
    value = page.items.map((item) => renderItem(list, item, view));
    more = page.more;
    lastId = page.items[page.items.length - 1]?.id ?? state.a;
  } else {
    const since = state.s;
    upTo = state.p === "changes" ? (state.u ?? list.changeSeq) : list.changeSeq;
    const page = list.changes(since, upTo, state.p === "changes" ? state.a : 0, top);
    // Observed live in 2024 (msgraph-sdk-typescript#544): the service failed to serialise a list deletion and sent
    // this in its place, in a 200 page that still carried the deltaLink.
    const serialiserError = () =>
      errorBody(
        "InternalServerError",
        "Cannot write a deleted resource, link, deleted link, or nested delta resource set within a resource set; they must be written within a delta resource set.",
        call,
        now,
      );
    // An item hidden by content approval is left out of the changes too [UNCONFIRMED: it might come as deleted].
    const shown = page.entries.filter(
      (entry) => "deletedId" in entry || service.visible(call.appId, site, list, entry),
    );
    value = shown.map((entry) =>
      "deletedId" in entry
        ? renderDeleted(list, entry.deletedId, settings.deltaDeletion, serialiserError)
        : renderItem(list, entry, view),
    );
    more = page.more;
    const last = page.entries[page.entries.length - 1];
    lastId = last === undefined ? state.a : "deletedId" in last ? last.deletedId : last.id;
  }
  const body: Record<string, unknown> = { "@odata.context": context(origin), value };
  if (more) {
    const p = state.p === "enumerate" ? "enumerate" : "changes";
    body["@odata.nextLink"] = link({
      l: list.id,
      p,
      s: state.p === "enumerate" ? 0 : state.s,
      u: upTo,
      a: lastId,
      i: issued,
      q: state.q,
    });
  } else {
    body["@odata.deltaLink"] = link({ l: list.id, p: "link", s: upTo, a: 0, i: issued, q: state.q });
  }
  return ok(200, body);
}

function context(origin: string): string {
  return `${origin}/v1.0/$metadata#Collection(listItem)`;
}

import { type Actor, itemETag, type ListState, type StoredItem } from "./listStore";

/** Timestamps in listItem JSON: ISO-8601 UTC, second precision, `Z`. */
export function graphTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** SharePoint's user-list id of "SharePoint App", the user entry app-only writes carry. */
const SHAREPOINT_APP_LOOKUP_ID = "1073741822";
const ITEM_CONTENT_TYPE = { id: "0x01004A1F5C3D8E2B4F6A9C0D1E2F3A4B5C6D", name: "Item" };

export function identitySet(actor: Actor): Record<string, unknown> {
  return actor.kind === "person"
    ? { user: { email: actor.person.email, id: actor.person.id, displayName: actor.person.displayName } }
    : { application: { id: actor.appId, displayName: actor.displayName }, user: { displayName: "SharePoint App" } };
}

export interface FieldsView {
  /** Names from `expand=fields(select=…)`; absent = the default set. */
  select?: ReadonlySet<string>;
  /** Display value of a single lookup/person column, returned only when selected by name. */
  lookupValue: (list: ListState, columnName: string, lookupId: string) => string | undefined;
}

/**
 * The fieldValueSet Graph returns for an item. Without `select`: every non-hidden column that has a value (unset
 * columns are omitted), single lookups only as `XLookupId`, plus the system fields. With `select`: the `@odata.etag`
 * and exactly the selected names; a selected single-lookup name yields its display value.
 */
export function renderFields(list: ListState, item: StoredItem, view: FieldsView): Record<string, unknown> {
  const eTag = itemETag(item);
  const title = typeof item.values.Title === "string" ? item.values.Title : "";
  const all: Record<string, unknown> = { "@odata.etag": eTag };
  for (const column of list.columns) {
    if (column.hidden && !view.select?.has(column.name)) continue;
    const name = column.name;
    const lookupKey = `${name}LookupId`;
    if (item.values[lookupKey] !== undefined) all[lookupKey] = item.values[lookupKey];
    const value = item.values[name];
    if (value === undefined) continue;
    if (column.number || column.currency) all[`${name}@odata.type`] = "#Double";
    all[name] = value;
  }
  Object.assign(all, {
    id: String(item.id),
    ContentType: ITEM_CONTENT_TYPE.name,
    Modified: graphTime(item.modifiedMs),
    Created: graphTime(item.createdMs),
    AuthorLookupId: lookupIdOf(item.author),
    EditorLookupId: lookupIdOf(item.editor),
    _UIVersionString: `${item.version}.0`,
    Attachments: false,
    Edit: "",
    LinkTitleNoMenu: title,
    LinkTitle: title,
    ItemChildCount: "0",
    FolderChildCount: "0",
    _ComplianceFlags: "",
    _ComplianceTag: "",
    _ComplianceTagWrittenTime: "",
    _ComplianceTagUserId: "",
  });
  if (item.author.kind === "app") all.AppAuthorLookupId = "1";
  if (item.editor.kind === "app") all.AppEditorLookupId = "1";
  if (!view.select) return all;

  const out: Record<string, unknown> = { "@odata.etag": eTag };
  for (const name of view.select) {
    const found = list.column(name);
    if (found && (found.kind === "lookup" || found.kind === "person")) {
      const id = item.values[`${name}LookupId`];
      if (typeof id === "string") {
        const display = view.lookupValue(list, name, id);
        if (display !== undefined) out[name] = display;
      }
      continue;
    }
    if (all[name] !== undefined) out[name] = all[name];
    if (all[`${name}@odata.type`] !== undefined) out[`${name}@odata.type`] = all[`${name}@odata.type`];
  }
  return out;
}

export interface ItemView {
  origin: string;
  siteHost: string;
  /** `expand=fields` was asked for; undefined = no `fields` property. */
  fields?: FieldsView;
  /** Delta results carry no `lastModifiedBy` (the documented samples show only `createdBy`). */
  withLastModifiedBy: boolean;
}

export function renderItem(list: ListState, item: StoredItem, view: ItemView): Record<string, unknown> {
  const eTag = itemETag(item);
  const out: Record<string, unknown> = {
    "@odata.etag": eTag,
    createdDateTime: graphTime(item.createdMs),
    eTag,
    id: String(item.id),
    lastModifiedDateTime: graphTime(item.modifiedMs),
    webUrl: `${listWebUrl(list, view.siteHost)}/${item.id}_.000`,
    createdBy: identitySet(item.author),
  };
  if (view.withLastModifiedBy) out.lastModifiedBy = identitySet(item.editor);
  out.parentReference = { id: list.id, siteId: list.siteId };
  out.contentType = { id: ITEM_CONTENT_TYPE.id, name: ITEM_CONTENT_TYPE.name };
  if (view.fields) {
    out["fields@odata.context"] =
      `${view.origin}/v1.0/$metadata#sites('${encodeURIComponent(list.siteId)}')/lists('${list.id}')/items('${item.id}')/fields/$entity`;
    out.fields = renderFields(list, item, view.fields);
  }
  return out;
}

/** A deleted item as delta reports it: no fields, no eTag. */
/** A deletion in a delta page, in the shape the `deltaDeletion` setting names (docs/emulators.md#graph-settings). */
export function renderDeleted(
  list: ListState,
  id: number,
  shape: "removed" | "deletedFacet" | "withoutFields" | "errorEntry",
  error: () => Record<string, unknown>,
): Record<string, unknown> {
  switch (shape) {
    case "removed":
      return { id: String(id), "@removed": { reason: "deleted" } };
    case "withoutFields":
      return { id: String(id) };
    case "errorEntry":
      return error();
    case "deletedFacet":
      return {
        id: String(id),
        parentReference: { siteId: list.siteId },
        contentType: { ...ITEM_CONTENT_TYPE },
        deleted: { state: "deleted" },
      };
  }
}

export function listWebUrl(list: ListState, siteHost: string): string {
  return `https://${siteHost}/Lists/${encodeURIComponent(list.displayName)}`;
}

function lookupIdOf(actor: Actor): string {
  return actor.kind === "person" ? actor.person.lookupId : SHAREPOINT_APP_LOOKUP_ID;
}

import { randomUUID } from "node:crypto";
import type { ColumnDefinition } from "../../../shared/mapping/columnDefinition";

/**
 * What SharePoint itself knows about a column's type. Graph's columnDefinition hides part of it (no multi-select
 * flag on choice columns, no facet at all for hyperlinks), but the emulator, like SharePoint, must know it to
 * validate writes: a multi-choice column is a `choice` with `displayAs: "checkBoxes"`, a hyperlink column is one
 * seeded with the `hyperlinkOrPicture` facet that `/columns` then leaves out.
 */
export type ColumnKind =
  | "text"
  | "number"
  | "currency"
  | "boolean"
  | "choice"
  | "multiChoice"
  | "dateTime"
  | "lookup"
  | "multiLookup"
  | "person"
  | "multiPerson"
  | "hyperlink"
  | "calculated"
  | "term"
  | "other";

export function columnKind(column: ColumnDefinition): ColumnKind {
  if (column.text) return "text";
  if (column.number) return "number";
  if (column.currency) return "currency";
  if (column.boolean) return "boolean";
  if (column.choice) return column.choice.displayAs === "checkBoxes" ? "multiChoice" : "choice";
  if (column.dateTime) return "dateTime";
  if (column.lookup) return column.lookup.allowMultipleValues ? "multiLookup" : "lookup";
  if (column.personOrGroup) return column.personOrGroup.allowMultipleSelection ? "multiPerson" : "person";
  if (column.hyperlinkOrPicture) return "hyperlink";
  if (column.calculated) return "calculated";
  if (column.term) return "term";
  return "other";
}

/** Lookup-like columns are read and written through a `{name}LookupId` field. */
export function isLookupKind(kind: ColumnKind): kind is "lookup" | "multiLookup" | "person" | "multiPerson" {
  return kind === "lookup" || kind === "multiLookup" || kind === "person" || kind === "multiPerson";
}

/**
 * Properties Graph leaves out of list-column responses ("Sites and list columns response won't contain isDeletable,
 * propagateChanges, isReorderable, isSealed, validation, hyperlinkOrPicture, term, sourceContentType, thumbnail, type,
 * contentApprovalStatus, and sourceColumn properties").
 */
const OMITTED_FROM_LIST_COLUMNS = [
  "isDeletable",
  "propagateChanges",
  "isReorderable",
  "isSealed",
  "validation",
  "hyperlinkOrPicture",
  "term",
  "sourceContentType",
  "thumbnail",
  "type",
  "contentApprovalStatus",
  "sourceColumn",
];

export function columnAsListed(column: ColumnDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = { ...column };
  for (const key of OMITTED_FROM_LIST_COLUMNS) delete out[key];
  return out;
}

/** Every list has a Title column; a seed that does not define it gets SharePoint's default. */
export function titleColumn(): ColumnDefinition {
  return {
    id: "fa564e0f-0c70-4ab9-b863-0177e6ddd247",
    name: "Title",
    displayName: "Title",
    description: "",
    columnGroup: "Custom Columns",
    enforceUniqueValues: false,
    hidden: false,
    indexed: false,
    readOnly: false,
    required: true,
    text: { allowMultipleLines: false, appendChangesToExistingText: false, linesForEditing: 0, maxLength: 255 },
  };
}

/**
 * The system columns a list reports next to its own ([INF] from the system fields seen on real items): all read-only
 * for a client, so whoever builds a field mapping must skip `readOnly` columns rather than trust a name list.
 */
export function systemColumns(): ColumnDefinition[] {
  const base = {
    description: "",
    columnGroup: "_Hidden",
    enforceUniqueValues: false,
    indexed: false,
    readOnly: true,
    required: false,
  };
  return [
    {
      ...base,
      id: "1d22ea11-1e32-424e-89ab-9fedbadb6ce1",
      name: "ID",
      displayName: "ID",
      hidden: false,
      indexed: true,
      number: { decimalPlaces: "none" },
    },
    {
      ...base,
      id: "c042a256-787d-4a6f-8a8a-cf6ab767f12d",
      name: "ContentType",
      displayName: "Content Type",
      hidden: false,
      text: {},
    },
    {
      ...base,
      id: "28cf69c5-fa48-462a-b5cd-27b6f9d2bd5f",
      name: "Modified",
      displayName: "Modified",
      hidden: false,
      dateTime: { displayAs: "default", format: "dateTime" },
    },
    {
      ...base,
      id: "8c06beca-0777-48f7-91c7-6da68bc07b69",
      name: "Created",
      displayName: "Created",
      hidden: false,
      dateTime: { displayAs: "default", format: "dateTime" },
    },
    {
      ...base,
      id: "1df5e554-ec7e-46a6-901d-d85a3881cb18",
      name: "Author",
      displayName: "Created By",
      hidden: false,
      personOrGroup: {
        allowMultipleSelection: false,
        chooseFromType: "peopleAndGroups",
        displayAs: "nameWithPresence",
      },
    },
    {
      ...base,
      id: "d31655d1-1d5b-4511-95a1-7a09e9b75bf2",
      name: "Editor",
      displayName: "Modified By",
      hidden: false,
      personOrGroup: {
        allowMultipleSelection: false,
        chooseFromType: "peopleAndGroups",
        displayAs: "nameWithPresence",
      },
    },
    {
      ...base,
      id: "dce8262a-3ae9-45aa-aab4-83bd75fb738a",
      name: "_UIVersionString",
      displayName: "Version",
      hidden: false,
      text: {},
    },
    {
      ...base,
      id: "67df98f4-9dec-48ff-a553-29bece9c5bf4",
      name: "Attachments",
      displayName: "Attachments",
      hidden: false,
      boolean: {},
    },
    { ...base, id: "503f1caa-358e-4918-9094-4a2cdc4bc034", name: "Edit", displayName: "Edit", hidden: false },
    {
      ...base,
      id: "bc91a437-52e7-49e1-8c4e-4698904b2b6d",
      name: "LinkTitleNoMenu",
      displayName: "Title",
      hidden: false,
    },
    { ...base, id: "82642ec8-ef9b-478f-acf9-31f7d45fbc31", name: "LinkTitle", displayName: "Title", hidden: false },
    {
      ...base,
      id: "960ff01f-2b6d-4f1b-9c3f-e19ad8927341",
      name: "ItemChildCount",
      displayName: "Item Child Count",
      hidden: true,
    },
    {
      ...base,
      id: "b824e17e-a1b3-426e-aecf-f0184d900485",
      name: "FolderChildCount",
      displayName: "Folder Child Count",
      hidden: true,
    },
    {
      ...base,
      id: "6bfaba20-36bf-44b5-a1b2-eb6346d49716",
      name: "AppAuthor",
      displayName: "App Created By",
      hidden: true,
      lookup: { allowMultipleValues: false, columnName: "Title" },
    },
    {
      ...base,
      id: "e08400f3-c779-4ed2-a18c-ab7f34caa318",
      name: "AppEditor",
      displayName: "App Modified By",
      hidden: true,
      lookup: { allowMultipleValues: false, columnName: "Title" },
    },
  ];
}

/**
 * The column SharePoint adds to a list when content approval is turned on ("Approval Status"). Graph gives it no type
 * facet a client could rely on; the sync only looks for its name (docs/references.md#graph-content-approval).
 */
export function moderationStatusColumn(): ColumnDefinition {
  return {
    id: "fdc3b2ed-5bf2-4835-a4bc-b885f3396a61",
    name: "_ModerationStatus",
    displayName: "Approval Status",
    description: "",
    columnGroup: "_Hidden",
    enforceUniqueValues: false,
    hidden: false,
    indexed: false,
    readOnly: true,
    required: false,
  };
}

/** Field names SharePoint computes itself; a write naming one is refused as read-only. */
export const SYSTEM_FIELD_NAMES = new Set([
  "id",
  "ID",
  "ContentType",
  "Modified",
  "Created",
  "Author",
  "Editor",
  "AuthorLookupId",
  "EditorLookupId",
  "_UIVersionString",
  "Attachments",
  "Edit",
  "LinkTitleNoMenu",
  "LinkTitle",
  "ItemChildCount",
  "FolderChildCount",
  "_ComplianceFlags",
  "_ComplianceTag",
  "_ComplianceTagWrittenTime",
  "_ComplianceTagUserId",
  "AppAuthor",
  "AppEditor",
  "AppAuthorLookupId",
  "AppEditorLookupId",
  "_ModerationStatus",
  "_ModerationComments",
]);

/** A column definition with the properties the emulator relies on filled in (id, flags). */
export function normaliseColumn(column: ColumnDefinition): ColumnDefinition {
  return {
    id: column.id ?? randomUUID(),
    description: "",
    enforceUniqueValues: false,
    hidden: false,
    indexed: false,
    readOnly: false,
    required: false,
    ...column,
    displayName: column.displayName ?? column.name,
  };
}

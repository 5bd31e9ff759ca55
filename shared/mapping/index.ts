/**
 * The SyncMapper: pure translation between SharePoint list items and a Confluence storage-format table.
 *
 * Fields: `buildFieldCodecs` (per mapped field, from the list's column definitions) → `readSharePointItem`,
 * `toSharePointPatch`, and per codec `readConfluence` / `renderConfluence`. Every value is compared in its canonical
 * form (`CanonicalValue`) and hashed with `fieldHash`.
 * Pages: `parseStorage` → `findTables` / `selectManagedTable` → `readTableRows` → `patchTable`. A parsed page is a flat
 * table of nodes addressed by `NodeId` (offsets into the verbatim source); object views are made on demand.
 */
export { FIELD_FORMAT_KINDS, STATUS_COLOURS, type FieldFormat, type StatusColour } from "./fieldFormat";
export type { FieldMapping } from "./fieldMapping";
export { parseStorage, type StorageParseResult } from "./storageParser";
export { documentOf } from "./storageNodeTable";
export {
  childElements,
  startTagSource,
  NO_NODE,
  type NodeId,
  type StorageDocument,
  type StorageNode,
  type StorageElement,
  type StorageText,
} from "./storageDocument";
export { findTables, type StorageTable, type TableRow, type TableCell } from "./storageTable";
export { keyValueEntries, type KeyValueEntry } from "./keyValueTable";
export { readCellContent, readNodeContent, type CellContent, type CellReading, type LinkTarget } from "./cellContent";
export {
  selectManagedTable,
  readTableRows,
  headerKey,
  describeRow,
  type ManagedTable,
  type ManagedRow,
  type RowKey,
  type TableRowReading,
  type TableTargetSelection,
  type SelectManagedTableResult,
} from "./managedTable";
export { patchTable, type TableEdit, type RejectedCell, type PatchTableResult } from "./tablePatch";
export { applySplices, type Splice } from "./storageSplice";
export { inferColumnStyle } from "./columnStyle";
export { inspectPage, type PageInspection, type TableInspection, type RowInspection, type CellInspection } from "./pageInspection";
export {
  buildFieldCodecs,
  readSharePointItem,
  toSharePointPatch,
  type FieldCodecOptions,
  type FieldCodecs,
  type BuildFieldCodecsResult,
  type SharePointPatch,
} from "./fieldCodecs";
export type { FieldCodec, FieldKind, FieldReading, FieldWrite, CellRendering, ColumnStyle } from "./fieldCodec";
export { fieldKindOf, formatsByKind } from "./fieldKind";
export type { SharePointPerson } from "./sharePointPeople";
export type { LookupEntry } from "./lookupCodec";
export type { HyperlinkWriteShape } from "./hyperlinkCodec";
export { normaliseText, normaliseMultilineText } from "./canonicalText";
export { parseDecimal, decimalFromNumber, isRepresentableAsDouble, type CanonicalDecimal } from "./canonicalDecimal";
export { parseDateOnly, parseInstant, type CanonicalDate, type CanonicalInstant } from "./canonicalDate";
export { columnDefinitionSchema, type ColumnDefinition } from "./columnDefinition";
export { StoragePageError, type StoragePageErrorCode, type StoragePageLocation } from "./storagePageError";
export { FieldValueError, type FieldValueErrorCode, type FieldSide } from "./fieldValueError";
export { FieldMappingError, type FieldMappingErrorCode } from "./fieldMappingError";

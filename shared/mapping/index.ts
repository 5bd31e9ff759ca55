/**
 * The SyncMapper: pure translation between SharePoint list items and a Confluence storage-format table.
 *
 * Fields: `buildFieldCodecs` (per mapped field, from the list's column definitions) → `readSharePointItem`,
 * `toSharePointPatch`, and per codec `readConfluence` / `renderConfluence`. Every value is compared in its canonical
 * form (`CanonicalValue`) and hashed with `fieldHash`.
 * Pages: `parseStorage` → `findTables` / `selectManagedTable` → `readTableRows` → `patchTable`. A parsed page is a flat
 * table of nodes addressed by `NodeId` (offsets into the verbatim source); object views are made on demand.
 */

export {
  type CanonicalDate,
  type CanonicalInstant,
  isStartOfDateInTimeZone,
  parseDateOnly,
  parseInstant,
  zonesAtMidnight,
} from "./canonicalDate";
export { type CanonicalDecimal, decimalFromNumber, isRepresentableAsDouble, parseDecimal } from "./canonicalDecimal";
export { normaliseMultilineText, normaliseText } from "./canonicalText";
export {
  type CellContent,
  type CellReading,
  type LinkTarget,
  MAX_CONTENT_DEPTH,
  readCellContent,
  readNodeContent,
} from "./cellContent";
export { type ColumnDefinition, columnDefinitionSchema } from "./columnDefinition";
export { inferColumnStyle } from "./columnStyle";
export type { CellRendering, ColumnStyle, FieldCodec, FieldKind, FieldReading, FieldWrite } from "./fieldCodec";
export {
  type BuildFieldCodecsResult,
  buildFieldCodecs,
  type FieldCodecOptions,
  type FieldCodecs,
  readSharePointItem,
  type SharePointPatch,
  toSharePointPatch,
} from "./fieldCodecs";
export { FIELD_FORMAT_KINDS, type FieldFormat, STATUS_COLOURS, type StatusColour } from "./fieldFormat";
export { fieldKindOf, formatsByKind } from "./fieldKind";
export type { FieldMapping } from "./fieldMapping";
export { FieldMappingError, type FieldMappingErrorCode } from "./fieldMappingError";
export { type FieldSide, FieldValueError, type FieldValueErrorCode } from "./fieldValueError";
export type { HyperlinkWriteShape } from "./hyperlinkCodec";
export { type KeyValueEntry, keyValueEntries } from "./keyValueTable";
export type { LookupEntry } from "./lookupCodec";
export {
  describeRow,
  headerKey,
  type ManagedRow,
  type ManagedTable,
  type RowKey,
  readTableRows,
  type SelectManagedTableResult,
  selectManagedTable,
  type TableRowReading,
  type TableTargetSelection,
} from "./managedTable";
export {
  type CellInspection,
  inspectPage,
  type PageInspection,
  type RowInspection,
  type TableInspection,
} from "./pageInspection";
export type { SharePointPerson } from "./sharePointPeople";
export {
  childElements,
  NO_NODE,
  type NodeId,
  type StorageDocument,
  type StorageElement,
  type StorageNode,
  type StorageText,
  startTagSource,
} from "./storageDocument";
export { documentOf } from "./storageNodeTable";
export { StoragePageError, type StoragePageErrorCode, type StoragePageLocation } from "./storagePageError";
export { parseStorage, type StorageParseResult } from "./storageParser";
export { applySplices, type Splice } from "./storageSplice";
export {
  findTables,
  MAX_GRID_SLOTS,
  MAX_TABLE_NESTING,
  type StorageTable,
  type TableCell,
  type TableRow,
} from "./storageTable";
export { type PatchTableResult, patchTable, type RejectedCell, type TableEdit } from "./tablePatch";

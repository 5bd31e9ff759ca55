import { AppError } from "../errors";

/**
 * Why a Confluence page cannot be synced as it stands. Any of these stops the profile's run before a write:
 * - `STORAGE_MALFORMED`: the body is not well-formed storage XHTML (Confluence itself rejects such bodies);
 * - `TABLE_NOT_FOUND`: no table matches the profile's `confluence.target.table`;
 * - `KEY_COLUMN_MISSING` / `COLUMN_MISSING` / `COLUMN_AMBIGUOUS`: the header does not name the key column, or a mapped
 *   column, exactly once;
 * - `DUPLICATE_KEY`: two rows hold the same SharePoint item id;
 * - `MERGED_CELL` / `CELL_MISSING`: a managed column has a `colspan`/`rowspan` > 1, or a row has no cell in it;
 * - `PATCH_INVALID`: a patch asks for something the table cannot take (a row that is not there, two edits of one row);
 * - `TABLE_TOO_LARGE`: the table's cells span more grid slots than the mapper lays out (`MAX_GRID_SLOTS`).
 * In pages mode (docs/pages-mode.md §4), where the problem belongs to one item's page:
 * - `BLOCK_NOT_FOUND`: the page has no key/value block the profile's `block` selects;
 * - `BLOCK_KEY_MISSING` / `BLOCK_KEY_DUPLICATE`: a mapped key (or the gate key) is not in the block, or is in it twice.
 */
export type StoragePageErrorCode =
  | "STORAGE_MALFORMED"
  | "TABLE_NOT_FOUND"
  | "KEY_COLUMN_MISSING"
  | "COLUMN_MISSING"
  | "COLUMN_AMBIGUOUS"
  | "DUPLICATE_KEY"
  | "MERGED_CELL"
  | "CELL_MISSING"
  | "PATCH_INVALID"
  | "TABLE_TOO_LARGE"
  | "BLOCK_NOT_FOUND"
  | "BLOCK_KEY_MISSING"
  | "BLOCK_KEY_DUPLICATE";

/** Where on the page the problem is; every field is optional because a malformed body has no table yet. */
export interface StoragePageLocation {
  pageId?: string;
  /** Table index in document order (0-based). */
  table?: number;
  /** Header text of the column (in a key/value block: the key). */
  column?: string;
  /** Row number as a person counts it in the table, 1-based and including the header row. */
  row?: number;
  /** 1-based line and column in the storage source, for malformed bodies. */
  line?: number;
  lineColumn?: number;
}

export class StoragePageError extends AppError {
  constructor(
    readonly code: StoragePageErrorCode,
    message: string,
    readonly location: StoragePageLocation = {},
    options?: { cause?: unknown },
  ) {
    super(`${describePage(location.pageId)}: ${message}`, options);
  }

  override toJSON(): { name: string; code: string; message: string; location: StoragePageLocation } {
    return { ...super.toJSON(), location: this.location };
  }
}

function describePage(pageId: string | undefined): string {
  return pageId === undefined ? "Confluence page" : `Confluence page ${pageId}`;
}

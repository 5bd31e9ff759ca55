import type { SyncDirection } from "../sync/syncDirection";
import type { FieldFormat } from "./fieldFormat";

/**
 * A SharePoint column's internal name: letters, digits and `_` (`Due_x0020_Date`), not starting with a digit. Names
 * go into OData `$select` and `$filter` text unquoted, so anything else (a display name with a space, a quote, a comma
 * or a parenthesis) would break or change the query; profiles are refused with such names at import.
 */
export const SHAREPOINT_INTERNAL_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One mapped field: a SharePoint column and the Confluence header (table mode) or key (pages mode) it syncs with. */
export interface FieldMapping {
  /** SharePoint column internal name (`name` in the columnDefinition, e.g. `Due_x0020_Date`). */
  readonly sharePoint: string;
  /** Confluence table header text, matched after whitespace normalisation. */
  readonly confluence: string;
  /** Overrides the profile's direction for this field. */
  readonly direction?: SyncDirection;
  readonly format?: FieldFormat;
}

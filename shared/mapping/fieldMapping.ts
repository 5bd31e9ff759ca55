import type { SyncDirection } from "../sync/syncDirection";
import type { FieldFormat } from "./fieldFormat";

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

import type { ItemState, RowOrigin } from "./itemState";
import type { ConfluenceRowReading, SharePointItemReading } from "./syncInput";

/** A SharePoint item with no linked row: to be matched with a keyless row, or appended. */
export interface UnpairedItem {
  readonly sharePointId: string;
  readonly reading: SharePointItemReading | null;
  readonly before: ItemState | null;
  /** Whether the stored bases apply (an `awaitingRow` item); a re-appearing deleted item starts afresh. */
  readonly storedBases: boolean;
}

/** A row people added (empty key cell) and where it sits. */
export interface KeylessRow {
  readonly row: ConfluenceRowReading;
  readonly origin: RowOrigin;
}

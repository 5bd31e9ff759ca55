import { normaliseText } from "./canonicalText";
import type { StorageTable, TableCell, TableRow } from "./storageTable";

/** One property of a key/value table: the `<th>` text and the cell beside it. */
export interface KeyValueEntry {
  /** Normalised key text, e.g. `Owner`. */
  readonly key: string;
  readonly row: TableRow;
  readonly keyCell: TableCell;
  /** The first cell after the key; absent in a row that has only the key. */
  readonly valueCell?: TableCell;
}

/**
 * The entries of a key/value table (first column `<th>`: the page-properties convention, one record per table), in
 * row order. Rows whose first cell is not a `<th>` are not entries and are left out.
 */
export function keyValueEntries(table: StorageTable): KeyValueEntry[] {
  return table.rows.flatMap((row) => {
    const [keyCell, valueCell] = row.cells;
    if (keyCell === undefined || keyCell.tag !== "th") return [];
    const key = normaliseText(keyCell.content.text);
    return [valueCell === undefined ? { key, row, keyCell } : { key, row, keyCell, valueCell }];
  });
}

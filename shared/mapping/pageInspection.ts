import { normaliseMultilineText } from "./canonicalText";
import type { CellReading } from "./cellContent";
import { headerKey } from "./managedTable";
import type { StorageDocument } from "./storageDocument";
import { findTables, MAX_TABLE_NESTING, type StorageTable, type TableRow } from "./storageTable";

/** A readable account of the tables on a page: what `confluence-sync inspect-page` prints. JSON-safe. */
export interface PageInspection {
  pageId?: string;
  tables: TableInspection[];
}

export interface TableInspection {
  /** 1-based, as people count; `index` in profiles is this minus one. */
  number: number;
  location: string;
  nestedIn?: number;
  headerSource: StorageTable["headerSource"];
  orientation: StorageTable["orientation"];
  columnCount: number;
  headers: string[];
  rows: RowInspection[];
  warnings: string[];
}

export interface RowInspection {
  /** 1-based, header row included. */
  number: number;
  /** The header row, or another row of the `<thead>`. */
  isHeader: boolean;
  cells: CellInspection[];
}

export interface CellInspection {
  /** 1-based grid column. */
  column: number;
  tag: "th" | "td";
  colspan?: number;
  rowspan?: number;
  text: string;
  readings: CellReading[];
}

/** Describes every table of a parsed page, with warnings about what would stop or surprise a sync. */
export function inspectPage(document: StorageDocument): PageInspection {
  const tables = findTables(document).map(inspectTable);
  return document.pageId === undefined ? { tables } : { pageId: document.pageId, tables };
}

function inspectTable(table: StorageTable): TableInspection {
  const warnings: string[] = [];
  if (table.tooLarge !== undefined)
    warnings.push(
      `its merged cells (colspan / rowspan) span more than ${table.tooLarge.slots.toLocaleString("en-US")} cells by row ${table.tooLarge.row}: it is not read, and cannot be synced`,
    );
  if (table.nestedTooDeep !== undefined)
    warnings.push(
      `it is nested ${MAX_TABLE_NESTING} tables deep: the ${table.nestedTooDeep} table${table.nestedTooDeep === 1 ? "" : "s"} inside it are not looked at`,
    );
  if (table.tooLarge === undefined && table.headerSource === "none" && table.orientation === "rows")
    warnings.push("no header row (no <thead> and the first row is not all <th>): columns cannot be matched by name");
  if (table.orientation === "keyValue")
    warnings.push("key/value table (first column <th>): a page-properties style table, one record per table");
  const seen = new Map<string, number>();
  table.headers.forEach((header, column) => {
    if (table.headerSource === "none") return;
    if (header === "") warnings.push(`column ${column + 1} has an empty header`);
    const key = headerKey(header);
    const first = seen.get(key);
    if (header !== "" && first !== undefined)
      warnings.push(`columns ${first + 1} and ${column + 1} have the same header "${header}"`);
    else seen.set(key, column);
  });
  for (const row of table.rows) {
    for (const cell of row.cells) {
      if (cell.colspan > 1 || cell.rowspan > 1) {
        warnings.push(
          `row ${row.index + 1}, column ${cell.column + 1}: merged cell (colspan ${cell.colspan}, rowspan ${cell.rowspan}); a synced column cannot contain one`,
        );
      }
    }
    const holes =
      row.slots.length < table.columnCount
        ? table.columnCount - row.slots.length
        : row.slots.filter((slot) => slot === undefined).length;
    if (holes > 0)
      warnings.push(`row ${row.index + 1} has ${holes} cell${holes === 1 ? "" : "s"} fewer than the table has columns`);
  }
  const nested = table.parentTable === undefined ? {} : { nestedIn: table.parentTable + 1 };
  return {
    number: table.index + 1,
    location: table.location,
    ...nested,
    headerSource: table.headerSource,
    orientation: table.orientation,
    columnCount: table.columnCount,
    headers: [...table.headers],
    rows: table.rows.map((row) =>
      inspectRow(
        row,
        row === table.headerRow || (table.headerSource === "thead" && table.document.name(row.groupNode) === "thead"),
      ),
    ),
    warnings,
  };
}

function inspectRow(row: TableRow, isHeader: boolean): RowInspection {
  return {
    number: row.index + 1,
    isHeader,
    cells: row.cells.map((cell) => ({
      column: cell.column + 1,
      tag: cell.tag,
      ...(cell.colspan > 1 ? { colspan: cell.colspan } : {}),
      ...(cell.rowspan > 1 ? { rowspan: cell.rowspan } : {}),
      text: normaliseMultilineText(cell.content.text),
      readings: [...cell.content.readings],
    })),
  };
}

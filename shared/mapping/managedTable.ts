import { normaliseText } from "./canonicalText";
import { type CellContent, MAX_CONTENT_DEPTH, readNodeContent } from "./cellContent";
import { inferColumnStyle } from "./columnStyle";
import type { ColumnStyle, FieldCodec, FieldReading } from "./fieldCodec";
import type { FieldCodecs } from "./fieldCodecs";
import { FieldValueError } from "./fieldValueError";
import type { StorageDocument } from "./storageDocument";
import { StoragePageError, type StoragePageLocation } from "./storagePageError";
import { findTables, type StorageTable, type TableCell, type TableRow } from "./storageTable";

/**
 * The table a profile syncs, checked and mapped: which grid column holds the key and each field, and each body row's
 * key. Built by `selectManagedTable`; `readTableRows` and `patchTable` work on it.
 */
export interface ManagedTable {
  readonly document: StorageDocument;
  readonly table: StorageTable;
  readonly codecs: FieldCodecs;
  readonly keyColumn: number;
  /** Grid column per mapped field (SharePoint name). */
  readonly fieldColumns: ReadonlyMap<string, number>;
  /** How a mapped field's column is shown now (`undefined` while it holds no values); worked out on first use. */
  styleOf(field: string): ColumnStyle | undefined;
  /** Body rows in page order. */
  readonly rows: readonly ManagedRow[];
}

export interface ManagedRow {
  /** Position among the body rows, 0-based: how `patchTable` edits address a row. */
  readonly index: number;
  /** The row as a person counts it in the table, 1-based, header row included. */
  readonly rowNumber: number;
  readonly row: TableRow;
  readonly key: RowKey;
}

/**
 * The key cell of a row: a SharePoint item id; empty (a row a person added, to become a new item); or text that is no
 * item id, which the engine reports for that row and skips.
 */
export type RowKey =
  | { readonly kind: "item"; readonly id: string }
  | { readonly kind: "new" }
  | { readonly kind: "invalid"; readonly text: string };

/** The part of `confluence.target` that picks the table and its key column. */
export interface TableTargetSelection {
  /** Header of the column holding the SharePoint item id. */
  readonly keyColumn: string;
  /** Which table on the page: by position (0-based) or the first whose header contains all these names. */
  readonly table: { readonly index: number } | { readonly headers: readonly string[] };
}

export type SelectManagedTableResult = { ok: true; table: ManagedTable } | { ok: false; errors: StoragePageError[] };

/** Header text as matched against the profile: normalised and case-insensitive. */
export function headerKey(text: string): string {
  return normaliseText(text).toLowerCase();
}

/**
 * Finds the profile's table on a page and checks it can be synced: the key column and every mapped column present
 * exactly once, no merged cells in them, every row with a cell in them, no two rows with the same item id. Reports
 * every problem found, each naming the page, column and row.
 */
export function selectManagedTable(
  document: StorageDocument,
  target: TableTargetSelection,
  codecs: FieldCodecs,
): SelectManagedTableResult {
  const pageId = document.pageId;
  const tables = findTables(document);
  const table = chooseTable(tables, target);
  if (table === undefined) {
    return {
      ok: false,
      errors: [
        new StoragePageError("TABLE_NOT_FOUND", describeMissingTable(tables, target), {
          ...(pageId === undefined ? {} : { pageId }),
        }),
      ],
    };
  }
  const at = (extra: { column?: string; row?: number }) => ({
    ...(pageId === undefined ? {} : { pageId }),
    table: table.index,
    ...extra,
  });
  if (table.tooLarge !== undefined) {
    return {
      ok: false,
      errors: [
        new StoragePageError(
          "TABLE_TOO_LARGE",
          `table ${table.index + 1} spans more than ${table.tooLarge.slots.toLocaleString("en-US")} cells by row ${table.tooLarge.row} (colspan / rowspan); it is not read. Remove the merged cells`,
          at({ row: table.tooLarge.row }),
        ),
      ],
    };
  }
  const errors: StoragePageError[] = [];
  const headerKeys = table.headers.map(headerKey);
  const columnOf = (header: string, missing: "KEY_COLUMN_MISSING" | "COLUMN_MISSING"): number | undefined => {
    const matches = headerKeys.flatMap((key, column) => (key === headerKey(header) && key !== "" ? [column] : []));
    if (matches.length === 1) return matches[0];
    if (matches.length === 0) {
      const shown =
        table.headerSource === "none"
          ? "the table has no header row"
          : `its headers are ${table.headers.map((h) => JSON.stringify(h)).join(", ")}`;
      errors.push(
        new StoragePageError(
          missing,
          `table ${table.index + 1} has no column "${header}" (${shown})`,
          at({ column: header }),
        ),
      );
    } else {
      errors.push(
        new StoragePageError(
          "COLUMN_AMBIGUOUS",
          `table ${table.index + 1} has ${matches.length} columns headed "${header}"`,
          at({ column: header }),
        ),
      );
    }
    return undefined;
  };

  const keyColumn = columnOf(target.keyColumn, "KEY_COLUMN_MISSING");
  const fieldColumns = new Map<string, number>();
  for (const codec of codecs.values()) {
    const column = columnOf(codec.header, "COLUMN_MISSING");
    if (column !== undefined) fieldColumns.set(codec.name, column);
  }
  if (keyColumn === undefined || fieldColumns.size !== codecs.size) return { ok: false, errors };

  const managedColumns: Array<[number, string]> = [
    [keyColumn, target.keyColumn],
    ...[...codecs.values()].map((c): [number, string] => [fieldColumns.get(c.name) ?? 0, c.header]),
  ];
  const check: RowCheck = { table, managedColumns, reported: new Set(), errors, at };
  // One pass over the rows: check the managed cells, read each body row's key, group rows by item id.
  if (table.headerRow !== undefined) checkRow(check, table.headerRow);
  const rows: ManagedRow[] = [];
  const rowsById = new Map<string, ManagedRow[]>();
  for (const row of table.bodyRows) {
    checkRow(check, row);
    const managedRow: ManagedRow = {
      index: rows.length,
      rowNumber: row.index + 1,
      row,
      key: readKey(document, row.slots[keyColumn]),
    };
    rows.push(managedRow);
    if (managedRow.key.kind !== "item") continue;
    const sameId = rowsById.get(managedRow.key.id);
    if (sameId === undefined) rowsById.set(managedRow.key.id, [managedRow]);
    else sameId.push(managedRow);
  }
  for (const [id, duplicates] of rowsById) {
    if (duplicates.length < 2) continue;
    const numbers = duplicates.map((row) => row.rowNumber);
    errors.push(
      new StoragePageError(
        "DUPLICATE_KEY",
        `rows ${numbers.join(", ")} of table ${table.index + 1} all hold ${target.keyColumn} ${id}`,
        at({ column: target.keyColumn, row: numbers[1] ?? 0 }),
      ),
    );
  }
  if (errors.length > 0) return { ok: false, errors };

  const styles = new Map<string, ColumnStyle | undefined>();
  const styleOf = (field: string): ColumnStyle | undefined => {
    const column = fieldColumns.get(field);
    if (column === undefined) return undefined;
    if (!styles.has(field))
      styles.set(field, inferColumnStyle(table.bodyRows.flatMap((row) => row.slots[column] ?? [])));
    return styles.get(field);
  };
  return { ok: true, table: { document, table, codecs, keyColumn, fieldColumns, styleOf, rows } };
}

/** What checking a row's managed cells needs, and where it reports. */
interface RowCheck {
  readonly table: StorageTable;
  /** Grid column and header text of the key and each mapped field. */
  readonly managedColumns: ReadonlyArray<readonly [number, string]>;
  /** Merged cells already reported (a cell spanning rows is reported once). */
  readonly reported: Set<TableCell>;
  readonly errors: StoragePageError[];
  readonly at: (extra: { column?: string; row?: number }) => StoragePageLocation;
}

// A module function, not a closure per call: it stays optimised between pages (see `EMPTY_STORAGE`).
function checkRow({ table, managedColumns, reported, errors, at }: RowCheck, row: TableRow): void {
  for (const [column, header] of managedColumns) {
    const cell = row.slots[column];
    if (cell === undefined) {
      errors.push(
        new StoragePageError(
          "CELL_MISSING",
          `row ${row.index + 1} of table ${table.index + 1} has no cell in column "${header}"`,
          at({ column: header, row: row.index + 1 }),
        ),
      );
    } else if ((cell.colspan > 1 || cell.rowspan > 1) && !reported.has(cell)) {
      reported.add(cell);
      errors.push(
        new StoragePageError(
          "MERGED_CELL",
          `row ${cell.row + 1} of table ${table.index + 1} has a merged cell (colspan ${cell.colspan}, rowspan ${cell.rowspan}) in synced column "${header}"; split it`,
          at({ column: header, row: cell.row + 1 }),
        ),
      );
    }
  }
}

function chooseTable(tables: readonly StorageTable[], target: TableTargetSelection): StorageTable | undefined {
  if ("index" in target.table) return tables[target.table.index];
  const wanted = target.table.headers.map(headerKey);
  return tables.find((table) => {
    const keys = new Set(table.headers.map(headerKey));
    return wanted.every((header) => keys.has(header));
  });
}

function describeMissingTable(tables: readonly StorageTable[], target: TableTargetSelection): string {
  const found =
    tables.length === 0
      ? "the page has no table"
      : `the page has ${tables.length} table${tables.length === 1 ? "" : "s"}: ${tables
          .slice(0, 5)
          .map((table) =>
            table.tooLarge !== undefined
              ? `${table.index + 1}. (too large to read: colspan / rowspan beyond ${table.tooLarge.slots.toLocaleString("en-US")} cells)`
              : `${table.index + 1}. [${table.headers
                  .filter((h) => h !== "")
                  .map((h) => JSON.stringify(h))
                  .join(", ")}]`,
          )
          .join("; ")}${tables.length > 5 ? "; …" : ""}`;
  if ("index" in target.table)
    return `no table number ${target.table.index + 1} (index ${target.table.index}): ${found}`;
  return `no table has all the headers ${target.table.headers.map((h) => JSON.stringify(h)).join(", ")}: ${found}`;
}

function readKey(document: StorageDocument, cell: TableCell | undefined): RowKey {
  const content = cell === undefined ? undefined : readNodeContent(document, cell.node);
  if (content?.tooDeep) return { kind: "invalid", text: `(elements nested more than ${MAX_CONTENT_DEPTH} deep)` };
  const text = content === undefined ? "" : normaliseText(content.text);
  if (text === "") return { kind: "new" };
  if (/^\d+$/.test(text)) return { kind: "item", id: text.replace(/^0+(?=\d)/, "") };
  return { kind: "invalid", text };
}

/** One body row read through the codecs. */
export interface TableRowReading {
  readonly index: number;
  readonly rowNumber: number;
  readonly key: RowKey;
  /** Per mapped field (SharePoint name). */
  readonly fields: Readonly<Record<string, FieldReading>>;
}

const EMPTY_CELL: CellContent = { text: "", textOutsideMentions: "", readings: [] };

/** Reads every body row's mapped cells. Bad values come back per field (`ok: false`), naming the page and row. */
export function readTableRows(managed: ManagedTable): TableRowReading[] {
  const { document } = managed;
  const mapped = [...managed.codecs].map(([name, codec]) => ({
    name,
    codec,
    column: managed.fieldColumns.get(name) ?? -1,
  }));
  const readings: TableRowReading[] = [];
  for (const row of managed.rows) readings.push(readRow(managed, document, mapped, row));
  return readings;
}

// A module function, not a callback per call: it stays optimised between pages (see `EMPTY_STORAGE`).
function readRow(
  managed: ManagedTable,
  document: StorageDocument,
  mapped: ReadonlyArray<{ name: string; codec: FieldCodec; column: number }>,
  row: ManagedRow,
): TableRowReading {
  const fields: Record<string, FieldReading> = {};
  for (const { name, codec, column } of mapped) {
    const cell = row.row.slots[column];
    // Read straight from the page, not through the cell's cache: every cell is read once here, and 20,000 cached
    // contents would stay alive as long as the table does.
    const content = cell === undefined ? EMPTY_CELL : readNodeContent(document, cell.node);
    if (content.tooDeep) {
      fields[name] = { ok: false, error: tooDeep(name, codec.header).at(describeRow(managed, row)) };
      continue;
    }
    const reading = codec.readConfluence(content);
    fields[name] = reading.ok ? reading : { ok: false, error: reading.error.at(describeRow(managed, row)) };
  }
  return { index: row.index, rowNumber: row.rowNumber, key: row.key, fields };
}

function tooDeep(field: string, header: string): FieldValueError {
  return new FieldValueError(
    "CELL_TOO_DEEP",
    `the cell in column "${header}" nests elements more than ${MAX_CONTENT_DEPTH} deep; it is not read (clear its formatting)`,
    { field, side: "confluence" },
  );
}

/** `row 7 (ID 42) of table 1 on page 123`, for messages. */
export function describeRow(managed: ManagedTable, row: ManagedRow): string {
  const key = row.key.kind === "item" ? ` (ID ${row.key.id})` : "";
  const page = managed.document.pageId === undefined ? "" : ` on page ${managed.document.pageId}`;
  return `row ${row.rowNumber}${key} of table ${managed.table.index + 1}${page}`;
}

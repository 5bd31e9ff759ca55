import { readCellContent, type CellContent } from "./cellContent";
import { childElements, type StorageDocument, type StorageElement, type StorageNode } from "./storageDocument";
import { normaliseText } from "./canonicalText";

/**
 * A `<table>` found on a page, with its rows laid out on a grid (so `colspan`/`rowspan` put every cell under the
 * right column) and its header recognised. Tables are found anywhere: inside layouts, panels, `details` macros and
 * other tables' cells.
 */
export interface StorageTable {
  /** Position among all tables of the page in document order (outer before inner), 0-based. */
  readonly index: number;
  readonly element: StorageElement;
  /** Where the table sits, for people: e.g. `layout section 1 (two_equal) › cell 2 › macro "details"`. */
  readonly location: string;
  /** Index of the table whose cell holds this one, if it is nested. */
  readonly parentTable?: number;
  /**
   * Where the column headers come from: a `<thead>`, a first row of `<th>` cells, or nowhere. A table whose first
   * column is all `<th>` (and whose first row is not) is a key/value table (`orientation: "keyValue"`), the page
   * properties convention.
   */
  readonly headerSource: "thead" | "firstRow" | "none";
  readonly orientation: "rows" | "keyValue";
  /** All rows of the table in order (head, body, foot), each with its cells on the grid. */
  readonly rows: readonly TableRow[];
  /** The row the headers are read from, when `headerSource` is not `none`. */
  readonly headerRow?: TableRow;
  /** Rows after the header row (all rows when there is none). */
  readonly bodyRows: readonly TableRow[];
  /** Header text per grid column, whitespace-normalised; `""` where there is none. */
  readonly headers: readonly string[];
  readonly columnCount: number;
}

export interface TableRow {
  readonly element: StorageElement;
  /** Index among all rows of the table, 0-based. */
  readonly index: number;
  /** The row group holding it: the `<thead>`/`<tbody>`/`<tfoot>` element, or the table itself. */
  readonly group: StorageElement;
  /** The row's own cells, in source order. */
  readonly cells: readonly TableCell[];
  /** Per grid column, the cell covering it: this row's own, or one spanning down from a row above; `undefined` if none. */
  readonly slots: readonly (TableCell | undefined)[];
}

export interface TableCell {
  readonly element: StorageElement;
  readonly tag: "th" | "td";
  /** Index of the row the cell belongs to, and its first grid column. */
  readonly row: number;
  readonly column: number;
  readonly colspan: number;
  readonly rowspan: number;
  readonly content: CellContent;
}

/** Every table on the page, in document order. Pure; linear in the size of the page. */
export function findTables(document: StorageDocument): StorageTable[] {
  const tables: StorageTable[] = [];
  const tableStarts = [...document.source.matchAll(/<table[\s>/]/g)].map((match) => match.index);
  visit(tableStarts, document.children, undefined, undefined, tables);
  return tables;
}

/** The way to a node, kept as a chain and turned into text only for the tables found. */
type PathStep = { readonly parent: PathStep | undefined; readonly label: string | { table: number; row: number; column: number } };

/** Elements that name a place on the page in a table's `location`. */
const LANDMARKS = new Set(["ac:layout-section", "ac:layout-cell", "ac:structured-macro", "ac:adf-node"]);

function visit(tableStarts: readonly number[], nodes: readonly StorageNode[], path: PathStep | undefined, parentTable: number | undefined, tables: StorageTable[]): void {
  let counters: Map<string, number> | undefined;
  for (const node of nodes) {
    // The ADF fallback repeats the node's content as rendered HTML: its tables are copies, not tables of the page.
    if (node.type !== "element" || node.name === "ac:adf-fallback") continue;
    if (node.name === "table") {
      const table = buildTable(node, tables.length, describePath(path), parentTable);
      tables.push(table);
      // Nested tables live in this table's cells.
      for (const row of table.rows) {
        for (const cell of row.cells) {
          // Most cells hold no table: asking where the page's tables start is cheaper than walking their content.
          if (!hasOffsetWithin(tableStarts, cell.element.innerStart, cell.element.innerEnd)) continue;
          visit(tableStarts, cell.element.children, { parent: path, label: { table: table.index, row: row.index, column: cell.column } }, table.index, tables);
        }
      }
      continue;
    }
    let step = path;
    if (LANDMARKS.has(node.name)) {
      counters ??= new Map();
      const count = (counters.get(node.name) ?? 0) + 1;
      counters.set(node.name, count);
      step = { parent: path, label: landmarkLabel(node, count) };
    }
    if (node.children.length > 0) visit(tableStarts, node.children, step, parentTable, tables);
  }
}

/** Whether a sorted list of offsets has one in `[start, end)`. */
function hasOffsetWithin(offsets: readonly number[], start: number, end: number): boolean {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((offsets[middle] ?? Infinity) < start) low = middle + 1;
    else high = middle;
  }
  return low < offsets.length && (offsets[low] ?? Infinity) < end;
}

function describePath(path: PathStep | undefined): string {
  const labels: string[] = [];
  for (let step = path; step !== undefined; step = step.parent) {
    const { label } = step;
    labels.unshift(typeof label === "string" ? label : `table ${label.table + 1} row ${label.row + 1} column ${label.column + 1}`);
  }
  return labels.length === 0 ? "page body" : labels.join(" › ");
}

function landmarkLabel(element: StorageElement, ordinal: number): string {
  switch (element.name) {
    case "ac:layout-section":
      return `layout section ${ordinal}${element.attributes["ac:type"] === undefined ? "" : ` (${element.attributes["ac:type"]})`}`;
    case "ac:layout-cell":
      return `cell ${ordinal}`;
    case "ac:structured-macro":
      return `macro "${element.attributes["ac:name"] ?? "?"}"`;
    default:
      return `${element.attributes.type ?? "adf"} node`;
  }
}

function buildTable(element: StorageElement, index: number, location: string, parentTable: number | undefined): StorageTable {
  const rowElements: Array<{ element: StorageElement; group: StorageElement }> = [];
  let thead: StorageElement | undefined;
  for (const child of childElements(element)) {
    if (child.name === "tr") rowElements.push({ element: child, group: element });
    if (child.name === "thead" || child.name === "tbody" || child.name === "tfoot") {
      if (child.name === "thead") thead ??= child;
      for (const row of childElements(child)) if (row.name === "tr") rowElements.push({ element: row, group: child });
    }
  }

  const rows = layOutGrid(rowElements);
  const columnCount = rows.reduce((max, row) => Math.max(max, row.slots.length), 0);

  let headerSource: StorageTable["headerSource"] = "none";
  let headerRow: TableRow | undefined;
  const theadRows = thead === undefined ? [] : rows.filter((row) => row.group === thead);
  if (theadRows.length > 0) {
    headerSource = "thead";
    headerRow = theadRows[theadRows.length - 1]; // with several head rows, the one nearest the data names the columns
  } else if (rows[0] !== undefined && rows[0].cells.length > 0 && rows[0].cells.every((cell) => cell.tag === "th")) {
    headerSource = "firstRow";
    headerRow = rows[0];
  }
  const orientation =
    headerSource === "none" && rows.length > 0 && rows.every((row) => row.cells[0]?.tag === "th" && row.cells.length >= 2) ? "keyValue" : "rows";

  const headers = Array.from({ length: columnCount }, (_, column) => {
    const cell = headerRow?.slots[column];
    return cell === undefined ? "" : normaliseText(cell.content.text);
  });
  const bodyRows = headerRow === undefined ? rows : rows.filter((row) => row.index > headerRow.index);

  const base = { index, element, location, headerSource, orientation, rows, bodyRows, headers, columnCount } as const;
  return {
    ...base,
    ...(parentTable === undefined ? {} : { parentTable }),
    ...(headerRow === undefined ? {} : { headerRow }),
  };
}

/** Places cells on the grid: each cell takes the next column not covered by a `rowspan` from above. */
function layOutGrid(rowElements: Array<{ element: StorageElement; group: StorageElement }>): TableRow[] {
  // Columns still covered by a cell from an earlier row: column → [cell, rows left].
  const carried = new Map<number, { cell: TableCell; rowsLeft: number }>();
  return rowElements.map(({ element, group }, rowIndex) => {
    const slots: (TableCell | undefined)[] = [];
    for (const [column, carry] of carried) slots[column] = carry.cell;
    const cells: TableCell[] = [];
    let column = 0;
    for (const cellElement of childElements(element)) {
      if (cellElement.name !== "td" && cellElement.name !== "th") continue;
      while (slots[column] !== undefined) column += 1;
      const cell = new GridCell(cellElement, cellElement.name, rowIndex, column);
      cells.push(cell);
      for (let offset = 0; offset < cell.colspan; offset += 1) {
        slots[column + offset] = cell;
        if (cell.rowspan > 1) carried.set(column + offset, { cell, rowsLeft: cell.rowspan });
      }
      column += cell.colspan;
    }
    for (const [column, carry] of carried) {
      carry.rowsLeft -= 1;
      if (carry.rowsLeft <= 0) carried.delete(column);
    }
    // Holes are allowed (ragged rows); keep them as `undefined`, not as missing array entries.
    return { element, index: rowIndex, group, cells, slots: Array.from(slots) };
  });
}

/** A cell on the grid. Its content is read when first asked for: a sync reads few columns of a big table. */
class GridCell implements TableCell {
  readonly colspan: number;
  readonly rowspan: number;
  #content: CellContent | undefined;

  constructor(
    readonly element: StorageElement,
    readonly tag: "th" | "td",
    readonly row: number,
    readonly column: number,
  ) {
    this.colspan = span(element.attributes.colspan);
    this.rowspan = span(element.attributes.rowspan);
  }

  get content(): CellContent {
    this.#content ??= readCellContent(this.element);
    return this.#content;
  }
}

function span(value: string | undefined): number {
  if (value === undefined) return 1;
  const parsed = Number.parseInt(value, 10);
  // HTML clamps colspan to 1..1000 and rowspan to 0..65534; 0 and junk behave as 1 here.
  return Number.isFinite(parsed) && parsed >= 1 ? Math.min(parsed, 1000) : 1;
}

import { normaliseText } from "./canonicalText";
import { type CellContent, readNodeContent } from "./cellContent";
import { NO_NODE, type NodeId, type StorageDocument, type StorageElement } from "./storageDocument";
import { EMPTY_STORAGE } from "./storageNodeTable";

/**
 * A `<table>` found on a page, with its rows laid out on a grid (so `colspan`/`rowspan` put every cell under the
 * right column) and its header recognised. Tables are found anywhere: inside layouts, panels, `details` macros and
 * other tables' cells.
 */
export interface StorageTable {
  /** Position among all tables of the page in document order (outer before inner), 0-based. */
  readonly index: number;
  /** The page the table is on. */
  readonly document: StorageDocument;
  /** The `<table>` element's id in the document. */
  readonly node: NodeId;
  /** Its object view, made when first asked for. */
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
  /**
   * Set when laying the table out on a grid would take more than `MAX_GRID_SLOTS` slots (a few cells with
   * `colspan`/`rowspan` near 1000 ask for millions): the table is not laid out (no rows, no headers) and cannot be
   * synced; `row` is the 1-based row where the budget ran out. Bounds the memory and time a page edit can cost.
   */
  readonly tooLarge?: { readonly row: number; readonly slots: number };
  /** Set on a table nested `MAX_TABLE_NESTING` deep: how many tables inside it were not looked at. */
  readonly nestedTooDeep?: number;
}

/** At most this many grid slots (rows × columns, spans included) are laid out per table: 5,000 × 400 and more. */
export const MAX_GRID_SLOTS = 2_000_000;
/** Tables inside tables are looked for this many levels deep; no page people edit nests tables further. */
export const MAX_TABLE_NESTING = 20;

export interface TableRow {
  /** The `<tr>` element's id in the document, and its object view (made when first asked for). */
  readonly node: NodeId;
  readonly element: StorageElement;
  /** Index among all rows of the table, 0-based. */
  readonly index: number;
  /** The row group holding it: the `<thead>`/`<tbody>`/`<tfoot>` element, or the table itself. */
  readonly groupNode: NodeId;
  readonly group: StorageElement;
  /** The row's own cells, in source order. */
  readonly cells: readonly TableCell[];
  /** Per grid column, the cell covering it: this row's own, or one spanning down from a row above; `undefined` if none. */
  readonly slots: readonly (TableCell | undefined)[];
}

export interface TableCell {
  /** The `<td>`/`<th>` element's id in the document, and its object view (made when first asked for). */
  readonly node: NodeId;
  readonly element: StorageElement;
  readonly tag: "th" | "td";
  /** Index of the row the cell belongs to, and its first grid column. */
  readonly row: number;
  readonly column: number;
  readonly colspan: number;
  readonly rowspan: number;
  /** What the cell says; read on first use and kept (`readNodeContent` reads without keeping). */
  readonly content: CellContent;
}

/**
 * Every table on the page, in document order, down to `MAX_TABLE_NESTING` levels of tables in tables. Pure; walks
 * only the parts of the page that hold tables.
 */
export function findTables(document: StorageDocument): StorageTable[] {
  const tables: StorageTable[] = [];
  if (document.tableNodes.length > 0) visit(document, NO_NODE, undefined, undefined, tables, 0);
  return tables;
}

/** The way to a node, kept as a chain and turned into text only for the tables found. */
type PathStep = {
  readonly parent: PathStep | undefined;
  readonly label: string | { table: number; row: number; column: number };
};

/** Elements that name a place on the page in a table's `location`. */
const LANDMARKS = new Set(["ac:layout-section", "ac:layout-cell", "ac:structured-macro", "ac:adf-node"]);

function visit(
  document: StorageDocument,
  parent: NodeId,
  path: PathStep | undefined,
  parentTable: number | undefined,
  tables: StorageTable[],
  nesting: number,
): void {
  let counters: Map<string, number> | undefined;
  const first = parent === NO_NODE ? document.firstTopLevel : document.firstChild(parent);
  for (let node = first; node !== NO_NODE; node = document.nextSibling(node)) {
    if (!document.isElement(node)) continue;
    const name = document.name(node);
    // The ADF fallback repeats the node's content as rendered HTML: its tables are copies, not tables of the page.
    if (name === "ac:adf-fallback") continue;
    if (name === "table") {
      // Deeper tables are not looked at (nor laid out): say how many there are, on the table holding them.
      const skipped = nesting >= MAX_TABLE_NESTING ? tablesInside(document, node) : 0;
      const table = buildTable(document, node, tables.length, describePath(path), parentTable, skipped);
      tables.push(table);
      if (skipped > 0) continue;
      // Nested tables live in this table's cells.
      for (const row of table.rows) {
        for (const cell of row.cells) {
          if (!holdsTable(document, cell.node)) continue;
          visit(
            document,
            cell.node,
            { parent: path, label: { table: table.index, row: row.index, column: cell.column } },
            table.index,
            tables,
            nesting + 1,
          );
        }
      }
      continue;
    }
    let step = path;
    if (LANDMARKS.has(name)) {
      counters ??= new Map();
      const count = (counters.get(name) ?? 0) + 1;
      counters.set(name, count);
      step = { parent: path, label: landmarkLabel(document, node, count) };
    }
    // Most of a page holds no table: the document's list of tables says where not to look.
    if (holdsTable(document, node)) visit(document, node, step, parentTable, tables, nesting);
  }
}

/** Whether a table element is among a node's descendants (a binary search in the document's sorted table ids). */
function holdsTable(document: StorageDocument, node: NodeId): boolean {
  const tableNodes = document.tableNodes;
  let low = 0;
  let high = tableNodes.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((tableNodes[middle] ?? Infinity) <= node) low = middle + 1;
    else high = middle;
  }
  return low < tableNodes.length && (tableNodes[low] ?? Infinity) < document.subtreeEnd(node);
}

/** How many table elements lie inside a node (a count in the document's sorted table ids). */
function tablesInside(document: StorageDocument, node: NodeId): number {
  const tableNodes = document.tableNodes;
  const end = document.subtreeEnd(node);
  let count = 0;
  for (const table of tableNodes) if (table > node && table < end) count += 1;
  return count;
}

function describePath(path: PathStep | undefined): string {
  const labels: string[] = [];
  for (let step = path; step !== undefined; step = step.parent) {
    const { label } = step;
    labels.unshift(
      typeof label === "string" ? label : `table ${label.table + 1} row ${label.row + 1} column ${label.column + 1}`,
    );
  }
  return labels.length === 0 ? "page body" : labels.join(" › ");
}

function landmarkLabel(document: StorageDocument, node: NodeId, ordinal: number): string {
  const attributes = document.attributes(node);
  switch (document.name(node)) {
    case "ac:layout-section":
      return `layout section ${ordinal}${attributes["ac:type"] === undefined ? "" : ` (${attributes["ac:type"]})`}`;
    case "ac:layout-cell":
      return `cell ${ordinal}`;
    case "ac:structured-macro":
      return `macro "${attributes["ac:name"] ?? "?"}"`;
    default:
      return `${attributes.type ?? "adf"} node`;
  }
}

function buildTable(
  document: StorageDocument,
  node: NodeId,
  index: number,
  location: string,
  parentTable: number | undefined,
  nestedTooDeep: number,
): StorageTable {
  const rowNodes: Array<{ node: NodeId; group: NodeId }> = [];
  let thead: NodeId = NO_NODE;
  for (let child = document.firstChild(node); child !== NO_NODE; child = document.nextSibling(child)) {
    if (!document.isElement(child)) continue;
    const name = document.name(child);
    if (name === "tr") rowNodes.push({ node: child, group: node });
    if (name === "thead" || name === "tbody" || name === "tfoot") {
      if (name === "thead" && thead === NO_NODE) thead = child;
      for (let row = document.firstChild(child); row !== NO_NODE; row = document.nextSibling(row)) {
        if (document.isElement(row) && document.name(row) === "tr") rowNodes.push({ node: row, group: child });
      }
    }
  }

  const laidOut = layOutGrid(document, rowNodes);
  const deeper = nestedTooDeep > 0 ? { nestedTooDeep } : {};
  if (!laidOut.ok) {
    return new FoundTable(document, {
      index,
      node,
      location,
      headerSource: "none",
      orientation: "rows",
      rows: [],
      bodyRows: [],
      headers: [],
      columnCount: 0,
      tooLarge: { row: laidOut.row, slots: MAX_GRID_SLOTS },
      ...deeper,
      ...(parentTable === undefined ? {} : { parentTable }),
    });
  }
  const rows = laidOut.rows;
  let columnCount = 0;
  let lastTheadRow: TableRow | undefined;
  let keyValueShaped = rows.length > 0;
  for (const row of rows) {
    columnCount = Math.max(columnCount, row.slots.length);
    if (thead !== NO_NODE && row.groupNode === thead) lastTheadRow = row;
    if (!(row.cells[0]?.tag === "th" && row.cells.length >= 2)) keyValueShaped = false;
  }

  let headerSource: StorageTable["headerSource"] = "none";
  let headerRow: TableRow | undefined;
  const firstRow = rows[0];
  if (lastTheadRow !== undefined) {
    headerSource = "thead";
    headerRow = lastTheadRow; // with several head rows, the one nearest the data names the columns
  } else if (firstRow !== undefined && firstRow.cells.length > 0 && firstRow.cells.every((cell) => cell.tag === "th")) {
    headerSource = "firstRow";
    headerRow = firstRow;
  }
  const orientation = headerSource === "none" && keyValueShaped ? "keyValue" : "rows";

  const headers: string[] = [];
  for (let column = 0; column < columnCount; column += 1) {
    const cell = headerRow?.slots[column];
    headers.push(cell === undefined ? "" : normaliseText(cell.content.text));
  }
  const bodyRows = headerRow === undefined ? rows : rows.slice(headerRow.index + 1);

  const base = { index, node, location, headerSource, orientation, rows, bodyRows, headers, columnCount } as const;
  return new FoundTable(document, {
    ...base,
    ...deeper,
    ...(parentTable === undefined ? {} : { parentTable }),
    ...(headerRow === undefined ? {} : { headerRow }),
  });
}

/** A table found on the page; its element view is made when asked for. */
class FoundTable implements StorageTable {
  readonly index: number;
  readonly node: NodeId;
  readonly location: string;
  readonly parentTable?: number;
  readonly headerSource: StorageTable["headerSource"];
  readonly orientation: StorageTable["orientation"];
  readonly rows: readonly TableRow[];
  readonly headerRow?: TableRow;
  readonly bodyRows: readonly TableRow[];
  readonly headers: readonly string[];
  readonly columnCount: number;
  readonly tooLarge?: { readonly row: number; readonly slots: number };
  readonly nestedTooDeep?: number;

  constructor(
    readonly document: StorageDocument,
    table: Omit<StorageTable, "document" | "element">,
  ) {
    this.index = table.index;
    this.node = table.node;
    this.location = table.location;
    if (table.parentTable !== undefined) this.parentTable = table.parentTable;
    this.headerSource = table.headerSource;
    this.orientation = table.orientation;
    this.rows = table.rows;
    if (table.headerRow !== undefined) this.headerRow = table.headerRow;
    this.bodyRows = table.bodyRows;
    this.headers = table.headers;
    this.columnCount = table.columnCount;
    if (table.tooLarge !== undefined) this.tooLarge = table.tooLarge;
    if (table.nestedTooDeep !== undefined) this.nestedTooDeep = table.nestedTooDeep;
  }

  get element(): StorageElement {
    return this.document.element(this.node);
  }
}

/**
 * Places cells on the grid: each cell takes the next column not covered by a `rowspan` from above. A `rowspan` is
 * clamped to the rows the table has (as HTML does), and the whole grid to `MAX_GRID_SLOTS` slots: past that the
 * table is refused, not laid out (`ok: false`, with the 1-based row where the budget ran out).
 */
function layOutGrid(
  document: StorageDocument,
  rowNodes: ReadonlyArray<{ node: NodeId; group: NodeId }>,
): { ok: true; rows: TableRow[] } | { ok: false; row: number } {
  // Columns still covered by a cell from an earlier row: column → [cell, rows left].
  const carried = new Map<number, { cell: TableCell; rowsLeft: number }>();
  const rows: TableRow[] = [];
  const budget = { slots: MAX_GRID_SLOTS };
  for (const { node, group } of rowNodes) {
    const row = layOutRow(document, node, group, rows.length, rowNodes.length - rows.length, carried, budget);
    if (row === undefined) return { ok: false, row: rows.length + 1 };
    rows.push(row);
  }
  return { ok: true, rows };
}

// One function per row rather than a loop body or callback: it stays optimised between pages (see `EMPTY_STORAGE`).
function layOutRow(
  document: StorageDocument,
  node: NodeId,
  group: NodeId,
  rowIndex: number,
  rowsLeftInTable: number,
  carried: Map<number, { cell: TableCell; rowsLeft: number }>,
  budget: { slots: number },
): TableRow | undefined {
  const slots: (TableCell | undefined)[] = [];
  if (carried.size > budget.slots) return undefined;
  for (const [column, carry] of carried) slots[column] = carry.cell;
  const cells: TableCell[] = [];
  let column = 0;
  for (let cellNode = document.firstChild(node); cellNode !== NO_NODE; cellNode = document.nextSibling(cellNode)) {
    if (!document.isElement(cellNode)) continue;
    const tag = document.name(cellNode);
    if (tag !== "td" && tag !== "th") continue;
    while (slots[column] !== undefined) column += 1;
    const cell = new GridCell(document, cellNode, tag, rowIndex, column, rowsLeftInTable);
    if (column + cell.colspan > budget.slots) return undefined;
    cells.push(cell);
    for (let offset = 0; offset < cell.colspan; offset += 1) {
      slots[column + offset] = cell;
      if (cell.rowspan > 1) carried.set(column + offset, { cell, rowsLeft: cell.rowspan });
    }
    column += cell.colspan;
  }
  // Every row costs its width, holes included: what the grid holds in memory.
  budget.slots -= slots.length;
  if (budget.slots < 0) return undefined;
  for (const [column, carry] of carried) {
    carry.rowsLeft -= 1;
    if (carry.rowsLeft <= 0) carried.delete(column);
  }
  // Holes are allowed (ragged rows); keep them as `undefined`, not as missing array entries.
  return new GridRow(document, node, rowIndex, group, cells, Array.from(slots));
}

class GridRow implements TableRow {
  readonly #document: StorageDocument;

  constructor(
    document: StorageDocument,
    readonly node: NodeId,
    readonly index: number,
    readonly groupNode: NodeId,
    readonly cells: readonly TableCell[],
    readonly slots: readonly (TableCell | undefined)[],
  ) {
    this.#document = document;
  }

  get element(): StorageElement {
    return this.#document.element(this.node);
  }

  get group(): StorageElement {
    return this.#document.element(this.groupNode);
  }
}

/** A cell on the grid. Its content is read when first asked for: a sync reads few columns of a big table. */
class GridCell implements TableCell {
  readonly colspan: number;
  readonly rowspan: number;
  readonly #document: StorageDocument;
  #content: CellContent | undefined;

  constructor(
    document: StorageDocument,
    readonly node: NodeId,
    readonly tag: "th" | "td",
    readonly row: number,
    readonly column: number,
    rowsLeftInTable: number,
  ) {
    this.#document = document;
    this.colspan = span(document.attribute(node, "colspan"));
    // A rowspan past the table's last row spans to it, as in HTML.
    this.rowspan = Math.min(span(document.attribute(node, "rowspan")), Math.max(1, rowsLeftInTable));
  }

  get element(): StorageElement {
    return this.#document.element(this.node);
  }

  get content(): CellContent {
    this.#content ??= readNodeContent(this.#document, this.node);
    return this.#content;
  }
}

/** Kept alive so that these hidden classes, and the code optimised for them, survive between pages (see `EMPTY_STORAGE`). */
export const RESIDENT_TABLE: unknown = new FoundTable(EMPTY_STORAGE, {
  index: 0,
  node: NO_NODE,
  location: "",
  headerSource: "none",
  orientation: "rows",
  rows: [new GridRow(EMPTY_STORAGE, NO_NODE, 0, NO_NODE, [new GridCell(EMPTY_STORAGE, NO_NODE, "td", 0, 0, 1)], [])],
  bodyRows: [],
  headers: [],
  columnCount: 0,
});

function span(value: string | undefined): number {
  if (value === undefined) return 1;
  const parsed = Number.parseInt(value, 10);
  // HTML clamps colspan to 1..1000 and rowspan to 0..65534; 0 and junk behave as 1 here.
  return Number.isFinite(parsed) && parsed >= 1 ? Math.min(parsed, 1000) : 1;
}

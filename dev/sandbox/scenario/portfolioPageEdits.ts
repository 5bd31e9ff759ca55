import { PORTFOLIO_HEADERS, type PortfolioHeader, row } from "./sandboxPage";

/**
 * Edits to the portfolio page's storage the way a person makes them in the editor: change one cell's content, add a
 * row at the end of the table. Plain text surgery on the layout the page is known to have (one `<p>` per cell, the
 * portfolio table first), tolerant of the attributes Confluence adds on save (`ac:local-id`, `local-id`), which it
 * keeps; anything unexpected throws instead of guessing, so a changed page shape is noticed.
 */

/** An opening tag (not a self-closing one) with whatever attributes Confluence gave it. */
const open = (name: string): string => `<${name}(?:\\s[^>]*)?(?<!/)>`;
const ROW = new RegExp(`${open("tr")}[\\s\\S]*?</tr>`, "g");
const CELL = new RegExp(`${open("td")}[\\s\\S]*?</td>|<td(?:\\s[^>]*)?/>`, "g");
/** A row whose ID cell holds a number, and that number. */
const ROW_ID = new RegExp(`^${open("tr")}${open("td")}${open("p")}(\\d+)</p></td>`);
const CELL_CONTENT = new RegExp(
  `^${open("td")}(?:<p(?:\\s[^>]*)?/>|${open("p")}([\\s\\S]*)</p>)?</td>$|^<td(?:\\s[^>]*)?/>$`,
);

/** The portfolio table's `<tbody>…</tbody>` span: the first table after the "Portfolio" heading. */
function portfolioBody(storage: string): { start: number; end: number } {
  const heading = new RegExp(`${open("h2")}Portfolio</h2>`).exec(storage);
  const tbody = heading === null ? null : new RegExp(open("tbody"), "g");
  if (tbody !== null && heading !== null) tbody.lastIndex = heading.index;
  const body = tbody?.exec(storage) ?? null;
  const end = body === null ? -1 : storage.indexOf("</tbody>", body.index);
  if (body === null || end < 0) throw new Error("the portfolio page has no Portfolio table any more");
  return { start: body.index + body[0].length, end };
}

function rowId(row: string): number | undefined {
  const id = ROW_ID.exec(row)?.[1];
  return id === undefined ? undefined : Number(id);
}

/** Sets the content of one cell of the row whose ID cell holds `id`. */
export function setPortfolioCell(storage: string, id: number, header: PortfolioHeader, inner: string): string {
  const column = PORTFOLIO_HEADERS.indexOf(header);
  const { start, end } = portfolioBody(storage);
  const rows = [...storage.slice(start, end).matchAll(ROW)].filter((match) => rowId(match[0]) === id);
  if (rows.length !== 1) throw new Error(`expected one row with ID ${id} on the portfolio page, found ${rows.length}`);
  const found = rows[0]!;
  const cells = [...found[0].matchAll(CELL)];
  const target = cells[column];
  if (cells.length !== PORTFOLIO_HEADERS.length || target === undefined)
    throw new Error(`row ${id} has ${cells.length} cells, expected ${PORTFOLIO_HEADERS.length}`);
  const rowStart = start + found.index;
  const cellStart = rowStart + target.index;
  // The cell keeps its own start tag (and local id); its paragraph is new, as when a person retypes it.
  const cellOpen = /^<td(?:\s[^>]*)?>|^<td(?:\s[^>]*)?\/>/.exec(target[0])?.[0].replace(/\s*\/>$/, ">") ?? "<td>";
  const replacement = inner === "" ? `${cellOpen}<p /></td>` : `${cellOpen}<p>${inner}</p></td>`;
  return storage.slice(0, cellStart) + replacement + storage.slice(cellStart + target[0].length);
}

/** Adds a row at the end of the portfolio table. */
export function appendPortfolioRow(storage: string, cells: Record<PortfolioHeader, string>): string {
  const { end } = portfolioBody(storage);
  return storage.slice(0, end) + row(cells) + storage.slice(end);
}

/** The inner XHTML of a cell, or undefined when the row or cell is not there. */
export function portfolioCell(storage: string, id: number, header: PortfolioHeader): string | undefined {
  const { start, end } = portfolioBody(storage);
  const found = [...storage.slice(start, end).matchAll(ROW)].find((match) => rowId(match[0]) === id);
  const cell = found === undefined ? undefined : [...found[0].matchAll(CELL)][PORTFOLIO_HEADERS.indexOf(header)]?.[0];
  if (cell === undefined) return undefined;
  return CELL_CONTENT.exec(cell)?.[1] ?? "";
}

/** IDs of the table's rows, in order (`null` for rows whose ID cell is empty). */
export function portfolioRowIds(storage: string): (number | null)[] {
  const { start, end } = portfolioBody(storage);
  return [...storage.slice(start, end).matchAll(ROW)]
    .filter((match) => !new RegExp(`^${open("tr")}<th[\\s>]`).test(match[0]))
    .map((match) => rowId(match[0]) ?? null);
}

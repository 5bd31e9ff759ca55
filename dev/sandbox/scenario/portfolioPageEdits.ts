import { PORTFOLIO_HEADERS, type PortfolioHeader, row } from "./sandboxPage";

/**
 * Edits to the portfolio page's storage the way a person makes them in the editor: change one cell's content, add a
 * row at the end of the table. Plain text surgery on the layout the page is known to have (one `<p>` per cell, the
 * portfolio table first); anything unexpected throws instead of guessing, so a changed page shape is noticed.
 */

const ROW = /<tr>[\s\S]*?<\/tr>/g;
const CELL = /<td>[\s\S]*?<\/td>|<td\s*\/>|<td [^>]*>[\s\S]*?<\/td>/g;

/** The portfolio table's `<tbody>…</tbody>` span: the first table after the "Portfolio" heading. */
function portfolioBody(storage: string): { start: number; end: number } {
  const heading = storage.indexOf("<h2>Portfolio</h2>");
  const start = heading < 0 ? -1 : storage.indexOf("<tbody>", heading);
  const end = start < 0 ? -1 : storage.indexOf("</tbody>", start);
  if (start < 0 || end < 0) throw new Error("the portfolio page has no Portfolio table any more");
  return { start: start + "<tbody>".length, end };
}

/** Sets the content of one cell of the row whose ID cell holds `id`. */
export function setPortfolioCell(storage: string, id: number, header: PortfolioHeader, inner: string): string {
  const column = PORTFOLIO_HEADERS.indexOf(header);
  const { start, end } = portfolioBody(storage);
  const rows = [...storage.slice(start, end).matchAll(ROW)].filter((match) =>
    match[0].startsWith(`<tr><td><p>${id}</p></td>`),
  );
  if (rows.length !== 1) throw new Error(`expected one row with ID ${id} on the portfolio page, found ${rows.length}`);
  const found = rows[0]!;
  const cells = [...found[0].matchAll(CELL)];
  const target = cells[column];
  if (cells.length !== PORTFOLIO_HEADERS.length || target === undefined)
    throw new Error(`row ${id} has ${cells.length} cells, expected ${PORTFOLIO_HEADERS.length}`);
  const rowStart = start + found.index;
  const cellStart = rowStart + target.index;
  const replacement = inner === "" ? "<td><p /></td>" : `<td><p>${inner}</p></td>`;
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
  const found = [...storage.slice(start, end).matchAll(ROW)].find((match) =>
    match[0].startsWith(`<tr><td><p>${id}</p></td>`),
  );
  const cell = found === undefined ? undefined : [...found[0].matchAll(CELL)][PORTFOLIO_HEADERS.indexOf(header)]?.[0];
  if (cell === undefined) return undefined;
  return /^<td[^>]*>(?:<p\s*\/>|<p>([\s\S]*)<\/p>)?<\/td>$|^<td\s*\/>$/.exec(cell)?.[1] ?? "";
}

/** IDs of the table's rows, in order (`null` for rows whose ID cell is empty). */
export function portfolioRowIds(storage: string): (number | null)[] {
  const { start, end } = portfolioBody(storage);
  return [...storage.slice(start, end).matchAll(ROW)]
    .filter((match) => !match[0].startsWith("<tr><th>"))
    .map((match) => {
      const id = /^<tr><td><p>(\d+)<\/p><\/td>/.exec(match[0])?.[1];
      return id === undefined ? null : Number(id);
    });
}

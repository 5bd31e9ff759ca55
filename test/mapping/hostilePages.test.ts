import { describe, expect, it } from "vitest";
import {
  findTables,
  MAX_CONTENT_DEPTH,
  MAX_GRID_SLOTS,
  MAX_TABLE_NESTING,
  readTableRows,
  selectManagedTable,
} from "../../shared/mapping";
import { inspectPage } from "../../shared/mapping/pageInspection";
import { columns, field } from "./columns";
import { codecsFor, managed, parsed } from "./fixtures";

/**
 * Page content anyone who may edit the page can write, made to exhaust memory or the stack (docs/field-mapping.md
 * §"Reading cells"). The work is bounded structurally — a grid-slot budget, a reading depth, a nesting depth — and
 * each refusal names the page, table, row and column; the bounds are checked by the error codes and counts, never by
 * wall-clock time.
 */

const titleCodecs = () => codecsFor([field("Title")], [columns.title]);

/** ~13 KB of merged decoration cells asking for 40 rows × 8,000 columns × rowspan 1,000. */
function spanBomb(rows = 40): string {
  const cells = Array.from({ length: 8 }, () => '<td colspan="1000" rowspan="1000" />').join("");
  return `<table><tbody>${Array.from({ length: rows }, () => `<tr>${cells}</tr>`).join("")}</tbody></table>`;
}

const syncedTable =
  "<table><tbody><tr><th>ID</th><th>Title</th></tr><tr><td>1</td><td>Alpha</td></tr><tr><td>2</td><td>Beta</td></tr></tbody></table>";

describe("a table of huge colspan / rowspan", () => {
  it("is not laid out past the grid budget: no rows, and the row where it stopped", () => {
    const body = spanBomb();
    expect(body.length).toBeLessThan(14_000);
    const [table] = findTables(parsed(body));
    expect(table?.tooLarge).toEqual({ row: expect.any(Number), slots: MAX_GRID_SLOTS });
    expect(table?.rows).toEqual([]);
  });

  it("clamps a rowspan to the rows the table has, as HTML does", () => {
    const [table] = findTables(
      parsed('<table><tbody><tr><td rowspan="1000">a</td><td>b</td></tr><tr><td>c</td></tr></tbody></table>'),
    );
    expect(table?.rows[0]?.cells[0]?.rowspan).toBe(2);
    expect(table?.tooLarge).toBeUndefined();
  });

  it("as the profile's table: refused with TABLE_TOO_LARGE naming the page, the table and the row", () => {
    const result = selectManagedTable(
      parsed(spanBomb(), "4242"),
      { keyColumn: "ID", table: { index: 0 } },
      titleCodecs(),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors;
    expect(error?.code).toBe("TABLE_TOO_LARGE");
    expect(error?.location).toMatchObject({ pageId: "4242", table: 0, row: expect.any(Number) });
    expect(error?.message).toMatch(/^Confluence page 4242: table 1 spans more than 2,000,000 cells by row \d+/);
  });

  it("as a decoration elsewhere on the page: the synced table is found and read as usual", () => {
    const result = selectManagedTable(
      parsed(spanBomb() + syncedTable),
      { keyColumn: "ID", table: { headers: ["ID", "Title"] } },
      titleCodecs(),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.table.table.index).toBe(1);
    expect(readTableRows(result.table).map((row) => row.key)).toEqual([
      { kind: "item", id: "1" },
      { kind: "item", id: "2" },
    ]);
  });
});

describe("a synced cell nesting 10,000 elements", () => {
  const deep = `${"<span>".repeat(10_000)}x${"</span>".repeat(10_000)}`;

  it("is an error of that field naming the page, row and column; the other cells are read", () => {
    const table = managed(
      `<table><tbody><tr><th>ID</th><th>Title</th></tr><tr><td>1</td><td>${deep}</td></tr><tr><td>2</td><td>Beta</td></tr></tbody></table>`,
      titleCodecs(),
    );
    const [first, second] = readTableRows(table);
    const reading = first?.fields.Title;
    expect(reading?.ok).toBe(false);
    if (reading === undefined || reading.ok) return;
    expect(reading.error.code).toBe("CELL_TOO_DEEP");
    expect(reading.error.message).toContain(`more than ${MAX_CONTENT_DEPTH} deep`);
    expect(reading.error.message).toContain('column "Title"');
    expect(reading.error.message).toContain("row 2 (ID 1) of table 1 on page 123");
    expect(second?.fields.Title).toMatchObject({ ok: true });
  });

  it("in the key column: the row's key is invalid (reported, left alone), never a crash", () => {
    const table = managed(
      `<table><tbody><tr><th>ID</th><th>Title</th></tr><tr><td>${deep}</td><td>Alpha</td></tr></tbody></table>`,
      titleCodecs(),
    );
    expect(table.rows[0]?.key).toEqual({ kind: "invalid", text: expect.stringContaining("nested more than") });
  });
});

describe("1,000 tables nested in each other", () => {
  const nested = `${"<table><tbody><tr><td>".repeat(1000)}x${"</td></tr></tbody></table>".repeat(1000)}`;

  it(`lists tables ${MAX_TABLE_NESTING} levels deep, and says how many it did not look at`, () => {
    const tables = findTables(parsed(nested));
    expect(tables).toHaveLength(MAX_TABLE_NESTING + 1);
    expect(tables[MAX_TABLE_NESTING]?.nestedTooDeep).toBe(1000 - MAX_TABLE_NESTING - 1);
  });

  it("inspect-page describes them with a warning instead of crashing", () => {
    const inspection = inspectPage(parsed(nested));
    expect(inspection.tables).toHaveLength(MAX_TABLE_NESTING + 1);
    expect(inspection.tables[MAX_TABLE_NESTING]?.warnings).toContainEqual(
      expect.stringContaining(`tables inside it are not looked at`),
    );
  });
});

import { describe, expect, it } from "vitest";
import { type FieldCodecs, findTables, keyValueEntries, readTableRows, selectManagedTable } from "../../shared/mapping";
import { columns, field, people } from "./columns";
import { codecsFor, managed, parsed, readFixture } from "./fixtures";

const cloudFields = [
  field("Title"),
  field("Status", "Status", {
    kind: "status",
    colours: { Done: "Green", "In progress": "Blue" },
    defaultColour: "Grey",
  }),
  field("Due"),
  field("Owner", "Owner", { kind: "mention", accounts: { "alice@example.com": "557058:aaaa-1111" } }),
  field("Link"),
];
const cloudCodecs = (): FieldCodecs =>
  codecsFor(cloudFields, [columns.title, columns.status, columns.due, columns.owner, columns.link], {
    people,
    samples: [{ Link: { Url: "https://x", Description: "x" } }],
  });

describe("findTables", () => {
  it("finds tables in layouts, panels, details and expand macros and inside other tables, once each", () => {
    const tables = findTables(parsed(readFixture("layouts-panels-details-nested.xml")));
    expect(tables.map((t) => [t.index, t.location, t.parentTable])).toEqual([
      [0, 'layout section 1 (two_equal) › cell 1 › macro "info"', undefined],
      [1, 'layout section 1 (two_equal) › cell 2 › macro "details"', undefined],
      [2, 'layout section 2 (fixed-width) › cell 1 › macro "expand"', undefined],
      [3, 'layout section 2 (fixed-width) › cell 1 › macro "expand" › table 3 row 2 column 2', 2],
      [4, "layout section 2 (fixed-width) › cell 1 › panel node", undefined],
    ]);
    expect(tables[1]).toMatchObject({ orientation: "keyValue", headerSource: "none" });
    const entries = keyValueEntries(tables[1]!);
    expect(entries.map((entry) => [entry.key, entry.valueCell?.content.readings[0]?.kind])).toEqual([
      ["Owner", "mention"],
      ["Due", "date"],
      ["Checks", "task"],
    ]);
  });

  it("reads headers from <thead> (its last row), or a first row of <th>, and lays merged cells out on the grid", () => {
    const [table] = findTables(parsed(readFixture("thead-merged-entities.xml")));
    expect(table?.headerSource).toBe("thead");
    expect(table?.headers).toEqual(["Key", "Item", "Notes"]);
    const [first, second, third] = table?.bodyRows ?? [];
    expect(first?.slots.map((cell) => cell?.content.text.trim())).toEqual([
      "7",
      "Café & bar\u00a0refit",
      "shared note ‘quoted’ — ™",
    ]);
    // The rowspan from the row above covers column 3 of the next row.
    expect(second?.slots.map((cell) => cell?.column)).toEqual([0, 1, 2]);
    expect(second?.slots[2]).toBe(first?.slots[2]);
    expect(second?.slots[1]?.content.text.trim()).toBe("Terrace <raw> & text");
    expect(third?.slots[0]).toBe(third?.slots[1]);
  });

  it("gives each cell text and typed readings: status, date, mention, link; inline comment text kept", () => {
    const [table] = findTables(parsed(readFixture("cloud-managed-table.xml")));
    const [first, , added] = table?.bodyRows ?? [];
    expect(first?.cells.map((cell) => cell.content.readings)).toEqual([
      [],
      [],
      [{ kind: "status", title: "In progress", colour: "Blue", subtle: false }],
      [{ kind: "date", datetime: "2026-03-31" }],
      [{ kind: "mention", accountId: "557058:aaaa-1111" }],
      [{ kind: "link", text: "Ticket 1", target: { kind: "url", href: "https://example.com/tickets/1" } }],
    ]);
    expect(added?.cells[1]?.content.text).toBe("A row a person added with a comment");
  });
});

describe("selectManagedTable", () => {
  it("maps the key and every field to its column, case- and whitespace-insensitively, and reads each row", () => {
    const table = managed(readFixture("cloud-managed-table.xml"), cloudCodecs());
    expect(table.keyColumn).toBe(0);
    expect([...table.fieldColumns]).toEqual([
      ["Title", 1],
      ["Status", 2],
      ["Due", 3],
      ["Owner", 4],
      ["Link", 5],
    ]);
    expect(table.styleOf("Status")?.kind).toBe("status");
    const rows = readTableRows(table);
    expect(rows.map((row) => row.key)).toEqual([{ kind: "item", id: "1" }, { kind: "item", id: "2" }, { kind: "new" }]);
    const values = rows.map((row) =>
      Object.fromEntries(
        Object.entries(row.fields).map(([name, reading]) => [name, reading.ok ? reading.value : reading.error.code]),
      ),
    );
    expect(values).toEqual([
      {
        Title: "Migrate the wiki search",
        Status: "In progress",
        Due: "2026-03-31",
        Owner: "alice@example.com",
        Link: { url: "https://example.com/tickets/1", description: "Ticket 1" },
      },
      {
        Title: "Retire the old build agents — phase 2",
        Status: "Done",
        Due: "2026-01-15",
        Owner: "bob@example.com",
        Link: null,
      },
      { Title: "A row a person added with a comment", Status: "To do", Due: null, Owner: null, Link: null },
    ]);
  });

  it("picks the table by headers", () => {
    const document = parsed(readFixture("layouts-panels-details-nested.xml"));
    const codecs = codecsFor([field("Title", "B")], [columns.title]);
    const result = selectManagedTable(document, { keyColumn: "a", table: { headers: ["A", "B"] } }, codecs);
    expect(result.ok && result.table.table.index).toBe(3);
  });

  const errorCases: Array<[string, string, string, { column?: string; row?: number }]> = [
    ["no table", "<p>nothing here</p>", "TABLE_NOT_FOUND", {}],
    [
      "no key column",
      "<table><tbody><tr><th>Title</th></tr><tr><td>x</td></tr></tbody></table>",
      "KEY_COLUMN_MISSING",
      { column: "ID" },
    ],
    [
      "no header row",
      "<table><tbody><tr><td>1</td><td>x</td></tr></tbody></table>",
      "KEY_COLUMN_MISSING",
      { column: "ID" },
    ],
    [
      "a mapped column missing",
      "<table><tbody><tr><th>ID</th><th>Name</th></tr></tbody></table>",
      "COLUMN_MISSING",
      { column: "Title" },
    ],
    [
      "two columns with one header",
      "<table><tbody><tr><th>ID</th><th>Title</th><th> title </th></tr></tbody></table>",
      "COLUMN_AMBIGUOUS",
      { column: "Title" },
    ],
    [
      "duplicate keys",
      "<table><tbody><tr><th>ID</th><th>Title</th></tr><tr><td>4</td><td>a</td></tr><tr><td>5</td><td>b</td></tr><tr><td>004</td><td>c</td></tr></tbody></table>",
      "DUPLICATE_KEY",
      { column: "ID", row: 4 },
    ],
    [
      "a merged cell in a managed column",
      '<table><tbody><tr><th>ID</th><th>Title</th></tr><tr><td>1</td><td rowspan="2">a</td></tr><tr><td>2</td></tr></tbody></table>',
      "MERGED_CELL",
      { column: "Title", row: 2 },
    ],
    [
      "a colspan over the key",
      '<table><tbody><tr><th>ID</th><th>Title</th></tr><tr><td colspan="2">a</td></tr></tbody></table>',
      "MERGED_CELL",
      { column: "ID", row: 2 },
    ],
    [
      "a row without a cell in a managed column",
      "<table><tbody><tr><th>ID</th><th>Title</th></tr><tr><td>1</td></tr></tbody></table>",
      "CELL_MISSING",
      { column: "Title", row: 2 },
    ],
  ];
  it.each(errorCases)("refuses a page with %s, naming page, column and row", (_, source, code, location) => {
    const result = selectManagedTable(
      parsed(source, "777"),
      { keyColumn: "ID", table: { index: 0 } },
      codecsFor([field("Title")], [columns.title]),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const error = result.errors.find((candidate) => candidate.code === code);
    expect(error, result.errors.map((e) => e.message).join("\n")).toBeDefined();
    expect(error?.message).toContain("Confluence page 777");
    expect(error?.location).toMatchObject({ pageId: "777", ...location });
    if (location.column !== undefined) expect(error?.message).toContain(location.column);
  });

  it("allows merged cells outside the managed columns", () => {
    const source =
      '<table><tbody><tr><th>ID</th><th>Title</th><th>Notes</th></tr><tr><td>1</td><td>a</td><td rowspan="2">n</td></tr><tr><td>2</td><td>b</td></tr></tbody></table>';
    expect(
      selectManagedTable(
        parsed(source),
        { keyColumn: "ID", table: { index: 0 } },
        codecsFor([field("Title")], [columns.title]),
      ).ok,
    ).toBe(true);
  });

  it("reports a key that is not an item id for its row only, and bad values per field with the row", () => {
    const source =
      "<table><tbody><tr><th>ID</th><th>Amount</th></tr><tr><td>x1</td><td>5</td></tr><tr><td>3</td><td>abc</td></tr></tbody></table>";
    const rows = readTableRows(managed(source, codecsFor([field("Amount")], [columns.amount])));
    expect(rows[0]?.key).toEqual({ kind: "invalid", text: "x1" });
    const reading = rows[1]?.fields.Amount;
    expect(reading?.ok).toBe(false);
    if (reading?.ok !== false) return;
    expect(reading.error.code).toBe("FIELD_VALUE_INVALID");
    expect(reading.error.message).toBe(
      'field "Amount" of row 3 (ID 3) of table 1 on page 123 (Confluence): "abc" is not a number (write digits with a "." for decimals, e.g. 1234.5)',
    );
  });
});

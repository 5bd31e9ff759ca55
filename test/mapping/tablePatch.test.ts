import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applySplices,
  findTables,
  normaliseMultilineText,
  normaliseText,
  patchTable,
  readTableRows,
  selectManagedTable,
  type TableEdit,
} from "../../shared/mapping";
import { columns, field } from "./columns";
import { codecsFor, managed, parsed, readFixture } from "./fixtures";

const textCodecs = () => codecsFor([field("Title"), field("Notes")], [columns.title, columns.notes]);

/** A random managed table with ID, Title, Notes and an unmapped column, in one of the shapes pages really have. */
const tablePage = fc
  .record({
    rows: fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), fc.string({ maxLength: 6 })), {
      minLength: 1,
      maxLength: 6,
    }),
    paragraphs: fc.boolean(),
    indent: fc.constantFrom("", "\n  ", "\n\t\t"),
    before: fc.constantFrom(
      "",
      "<p>Intro &amp; more&nbsp;text</p>",
      '<ac:layout><ac:layout-section ac:type="single"><ac:layout-cell><p>x</p></ac:layout-cell></ac:layout-section></ac:layout>',
    ),
    after: fc.constantFrom("", "<p>after</p>", "<table><tbody><tr><td>other</td></tr></tbody></table>"),
  })
  .map(({ rows, paragraphs, indent, before, after }) => {
    const cell = (tag: string, text: string, attributes = ""): string => {
      const escaped = text
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/[^\u0020-\uD7FF\uE000-\uFFFD]/g, "?");
      return `<${tag}${attributes}>${paragraphs ? (escaped === "" ? "<p />" : `<p>${escaped}</p>`) : escaped}</${tag}>`;
    };
    const header = `<tr>${cell("th", "ID")}${cell("th", "Title")}${cell("th", "Notes")}${cell("th", "Other")}</tr>`;
    const body = rows.map(
      ([title, notes, other], index) =>
        `<tr>${cell("td", String(index + 1))}${cell("td", title, ' data-highlight-colour="#deebff"')}${cell("td", notes)}${cell("td", other)}</tr>`,
    );
    const table = `<table data-layout="default" ac:local-id="t1"><colgroup><col style="width: 80.0px;" /></colgroup><tbody>${[header, ...body].map((row) => indent + row).join("")}${indent}</tbody></table>`;
    return { source: before + table + after, rowCount: rows.length };
  });

describe("patchTable", () => {
  it("changes only the chosen cells: undoing them restores the page byte for byte", () => {
    const cellEdits = fc.array(
      fc.record({
        row: fc.nat(),
        field: fc.constantFrom("Title", "Notes"),
        value: fc.oneof(fc.constant(null), fc.string({ maxLength: 15 })),
      }),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(tablePage, cellEdits, ({ source, rowCount }, rawEdits) => {
        const table = managed(source, textCodecs());
        // One update per row (patchTable refuses two edits of one row): merge the random edits by row.
        const byRow = new Map<number, Record<string, string | null>>();
        for (const edit of rawEdits)
          byRow.set(edit.row % rowCount, {
            ...byRow.get(edit.row % rowCount),
            [edit.field]: edit.value === null ? null : edit.value.replace(/[^\u0020-\uD7FF\uE000-\uFFFD]/g, "") || null,
          });
        const edits: TableEdit[] = [...byRow].map(([row, values]) => ({ kind: "update", row, values }));
        const result = patchTable(table, edits);
        if (!result.ok) throw result.error;
        expect(result.rejected).toEqual([]);

        const after = parsed(result.storage);
        const [patched] = findTables(after);
        if (patched === undefined) throw new Error("table lost");
        // Put back the original content of every changed cell: the result must be the original page exactly.
        const undo = [...byRow].flatMap(([row, values]) =>
          Object.keys(values).map((name) => {
            const column = name === "Title" ? 1 : 2;
            const now = patched.bodyRows[row]?.slots[column]?.element;
            const before = table.table.bodyRows[row]?.slots[column]?.element;
            if (now === undefined || before === undefined) throw new Error("cell lost");
            return { start: now.start, end: now.end, text: source.slice(before.start, before.end) };
          }),
        );
        const restored = applySplices(result.storage, undo);
        expect(restored.ok && restored.text).toBe(source);

        // And the changed cells read back as the values written.
        const rows = readTableRows(managed(result.storage, textCodecs()));
        for (const [row, values] of byRow) {
          for (const [name, value] of Object.entries(values)) {
            const reading = rows[row]?.fields[name];
            const expected =
              value === null ? null : (name === "Title" ? normaliseText(value) : normaliseMultilineText(value)) || null;
            expect(reading?.ok && reading.value).toBe(expected);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("appends rows shaped like the last row and removes rows, leaving the other rows as they were", () => {
    fc.assert(
      fc.property(
        tablePage,
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 10 }),
        ({ source, rowCount }, removeAt, title) => {
          const safeTitle = title.replace(/[^\u0021-\uD7FF\uE000-\uFFFD]/g, "x");
          const table = managed(source, textCodecs());
          const removed = removeAt % rowCount;
          const result = patchTable(table, [
            { kind: "remove", row: removed },
            { kind: "append", key: "99", values: { Title: safeTitle } },
          ]);
          if (!result.ok) throw result.error;
          const before = table.table.bodyRows.map((row) => source.slice(row.element.start, row.element.end));
          const patched = findTables(parsed(result.storage))[0];
          const after = patched?.bodyRows.map((row) => result.storage.slice(row.element.start, row.element.end)) ?? [];
          expect(after.slice(0, -1)).toEqual(before.filter((_, index) => index !== removed));
          const rows = readTableRows(managed(result.storage, textCodecs()));
          expect(rows.at(-1)).toMatchObject({
            key: { kind: "item", id: "99" },
            fields: { Title: { ok: true, value: safeTitle }, Notes: { ok: true, value: null } },
          });
          // Everything before and after the table is untouched.
          expect(result.storage.slice(0, table.table.element.start)).toBe(source.slice(0, table.table.element.start));
          expect(result.storage.endsWith(source.slice(table.table.element.end))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("renders values as their column shows them: status with the mapped colour, <time>, links, mentions, escaped text", () => {
    const codecs = codecsFor(
      [
        field("Title"),
        field("Status", "Status", { kind: "status", colours: { Done: "Green" }, defaultColour: "Yellow" }),
        field("Due"),
        field("Owner", "Owner", { kind: "mention", accounts: { "alice@example.com": "557058:aaaa-1111" } }),
        field("Link", "Link", { kind: "link" }),
      ],
      [columns.title, columns.status, columns.due, columns.owner, columns.link],
      {
        people: [
          { lookupId: "10", email: "alice@example.com" },
          { lookupId: "11", email: "bob@example.com" },
        ],
      },
    );
    const table = managed(readFixture("cloud-managed-table.xml"), codecs);
    const result = patchTable(table, [
      {
        kind: "update",
        row: 0,
        values: {
          Title: "Fish & <chips>",
          Status: "Done",
          Due: "2026-04-01",
          Owner: "bob@example.com",
          Link: { url: "https://example.com/a?b=1&c=2", description: "A & B" },
        },
      },
      { kind: "update", row: 2, key: "3", values: { Status: "In progress" } },
      {
        kind: "append",
        key: "4",
        values: { Title: "New", Status: "To do", Due: null, Owner: "alice@example.com", Link: null },
      },
    ]);
    if (!result.ok) throw result.error;
    const storage = result.storage;
    expect(storage).toContain("<td><p>Fish &amp; &lt;chips&gt;</p></td>");
    expect(storage).toContain(
      '<ac:parameter ac:name="title">Done</ac:parameter><ac:parameter ac:name="colour">Green</ac:parameter>',
    );
    expect(storage).toContain('<td><p><time datetime="2026-04-01" /></p></td>');
    expect(storage).toContain("<td><p>bob@example.com</p></td>");
    expect(storage).toContain('<td><p><a href="https://example.com/a?b=1&amp;c=2">A &amp; B</a></p></td>');
    // Row 3 was added by a person: its id is written back; the status keeps its macro, coloured from the profile.
    expect(storage).toContain(
      '<tr><td><p>3</p></td><td><p>A row a person added <ac:inline-comment-marker ac:ref="c0ffee">with a comment</ac:inline-comment-marker></p></td>',
    );
    expect(storage).toContain(
      '<ac:parameter ac:name="title">In progress</ac:parameter><ac:parameter ac:name="colour">Yellow</ac:parameter>',
    );
    // The appended row copies the last row's shape (wrappers) and renders like the column.
    expect(storage).toContain(
      '<tr><td><p>4</p></td><td><p>New</p></td><td><p><ac:structured-macro ac:name="status" ac:schema-version="1"><ac:parameter ac:name="title">To do</ac:parameter><ac:parameter ac:name="colour">Yellow</ac:parameter></ac:structured-macro></p></td><td><p /></td><td><p><ac:link><ri:user ri:account-id="557058:aaaa-1111" /></ac:link></p></td><td><p /></td></tr></tbody>',
    );
    const rows = readTableRows(managed(storage, codecs));
    expect(rows.map((row) => row.key)).toEqual([
      { kind: "item", id: "1" },
      { kind: "item", id: "2" },
      { kind: "item", id: "3" },
      { kind: "item", id: "4" },
    ]);
  });

  it("without a format, a new value in a status column becomes a status lozenge in the colour the column uses", () => {
    const table = managed(readFixture("cloud-managed-table.xml"), codecsFor([field("Status")], [columns.status]));
    const result = patchTable(table, [{ kind: "append", key: "5", values: { Status: "Done" } }]);
    expect(result.ok && result.storage).toContain(
      '<ac:parameter ac:name="title">Done</ac:parameter><ac:parameter ac:name="colour">Green</ac:parameter>',
    );
  });

  it("keeps bare cells bare, fills self-closing cells, and does not copy unique ids into new rows", () => {
    const source =
      '<table><tbody><tr><th>ID</th><th>Title</th><th>Notes</th></tr><tr ac:local-id="r1"><td>1</td><td />\n<td>old</td></tr></tbody></table>';
    const table = managed(source, textCodecs());
    const result = patchTable(table, [
      { kind: "update", row: 0, values: { Title: "t", Notes: "line 1\nline 2" } },
      { kind: "append", key: "2", values: { Title: "x" } },
    ]);
    expect(result.ok && result.storage).toBe(
      '<table><tbody><tr><th>ID</th><th>Title</th><th>Notes</th></tr><tr ac:local-id="r1"><td>1</td><td>t</td>\n<td>line 1<br />line 2</td></tr><tr><td>2</td><td>x</td>\n<td></td></tr></tbody></table>',
    );
  });

  it("keeps a pretty-printed older-editor table tidy: indentation, row attributes and bare cells", () => {
    const source = readFixture("sample-15-storage-layout-status-thead.xml");
    const codecs = codecsFor([field("Title", "Desktop Min")], [columns.title]);
    const result = selectManagedTable(
      parsed(source),
      { keyColumn: "Design System", table: { headers: ["Design System", "Desktop Min"] } },
      codecs,
    );
    if (!result.ok) throw result.errors[0];
    const patch = patchTable(result.table, [
      { kind: "update", row: 0, values: { Title: "770px & up" } },
      { kind: "remove", row: 1 },
      { kind: "append", key: "42", values: { Title: "new" } },
    ]);
    if (!patch.ok) throw patch.error;
    const indent = "\n          ";
    const expected = source
      .replace("<td>768px</td>", "<td>770px &amp; up</td>")
      .replace(
        `${indent}<tr class="">\n            <td>Tailwind CSS</td>\n            <td>639px</td>\n            <td>640px</td>\n          </tr>`,
        "",
      )
      .replace(
        `<td>1056px</td>\n          </tr>`,
        `<td>1056px</td>\n          </tr>${indent}<tr class="">\n            <td>42</td>\n            <td></td>\n            <td>new</td>\n          </tr>`,
      );
    expect(patch.storage).toBe(expected);
  });

  it("puts the first rows of a table with only a header into its body, shaped like the header cells", () => {
    const bare = "<table><thead><tr><th>ID</th><th>Title</th><th>Notes</th></tr></thead></table>";
    const first = patchTable(managed(bare, textCodecs()), [{ kind: "append", key: "1", values: { Title: "first" } }]);
    expect(first.ok && first.storage).toBe(
      "<table><thead><tr><th>ID</th><th>Title</th><th>Notes</th></tr></thead><tbody><tr><td>1</td><td>first</td><td></td></tr></tbody></table>",
    );
    const header =
      "<tr><th><p><strong>ID</strong></p></th><th><p><strong>Title</strong></p></th><th><p>Notes</p></th></tr>";
    const second = patchTable(managed(`<table><tbody>${header}</tbody></table>`, textCodecs()), [
      { kind: "append", key: "1", values: { Title: "first" } },
    ]);
    expect(second.ok && second.storage).toBe(
      `<table><tbody>${header}<tr><td><p>1</p></td><td><p>first</p></td><td><p /></td></tr></tbody></table>`,
    );
  });

  it("rejects values the page cannot show and leaves those cells alone, applying the rest", () => {
    const table = managed(
      readFixture("cloud-managed-table.xml"),
      codecsFor([field("Title"), field("Status")], [columns.title, columns.status]),
    );
    const result = patchTable(table, [
      { kind: "update", row: 0, values: { Title: "ok", Status: ["not", "a choice"] } },
    ]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rejected.map((r) => [r.edit, r.field, r.error.code])).toEqual([[0, "Status", "FIELD_VALUE_INVALID"]]);
    expect(result.storage).toContain("<td><p>ok</p></td>");
    expect(result.storage).toContain("In progress");
  });

  it.each<[string, TableEdit[]]>([
    ["a row that is not there", [{ kind: "update", row: 9, values: {} }]],
    [
      "two edits of one row",
      [
        { kind: "update", row: 0, values: {} },
        { kind: "remove", row: 0 },
      ],
    ],
    ["a field the profile does not map", [{ kind: "update", row: 0, values: { Nope: "x" } }]],
  ])("refuses a patch with %s", (_, edits) => {
    const result = patchTable(managed(readFixture("cloud-managed-table.xml"), textCodecsForCloud()), edits);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe("PATCH_INVALID");
  });
});

function textCodecsForCloud() {
  return codecsFor([field("Title")], [columns.title]);
}

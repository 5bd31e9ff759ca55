import { describe, expect, it } from "vitest";
import type { ColumnDefinition } from "../../shared/mapping";
import { harnessColumns } from "../helpers/syncHarness";
import { expectQuietRun, harnessPerTest } from "../helpers/syncTestRuns";

/**
 * Against the Confluence emulator's default, realistic normaliser (docs/emulators.md#confluence-settings): every
 * stored body gains `ac:local-id`s on table parts and `local-id`s on paragraphs, marks are split around links, styles
 * are rewritten. The sync must stay echo-free there, and its patches must never copy a local id: a page with two
 * blocks of the same id is one Confluence's editor no longer addresses reliably.
 */

const start = harnessPerTest();

function localIdCounts(body: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of body.matchAll(/\s(?:ac:)?local-id="([^"]+)"/g))
    counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
  return counts;
}

function duplicateLocalIds(body: string): string[] {
  return [...localIdCounts(body)].filter(([, count]) => count > 1).map(([id]) => id);
}

const columns: ColumnDefinition[] = [
  ...harnessColumns,
  { name: "Notes", displayName: "Notes", text: { allowMultipleLines: true, textType: "plain" } },
];

describe("a page as Confluence stores it", () => {
  it("every body the emulator stores carries local ids on table parts and paragraphs", async () => {
    const h = await start({ rows: [["1", "Alpha", "Open", "1"]] });
    const body = h.pageBody();
    expect(body).toMatch(/<table ac:local-id="[^"]+"><tbody><tr ac:local-id="[^"]+"><th ac:local-id="[^"]+">ID<\/th>/);
    expect(body).toMatch(/<p local-id="[^"]+">Project list/);
    expect(duplicateLocalIds(body)).toEqual([]);
  });

  it("appended rows and multi-paragraph values never copy a local id", async () => {
    const h = await start({
      columns,
      headers: ["ID", "Title", "Notes"],
      profile: {
        fields: [
          { sharePoint: "Title", confluence: "Title" },
          { sharePoint: "Notes", confluence: "Notes" },
        ],
      },
      items: [
        { id: "1", fields: { Title: "Alpha", Notes: "one" } },
        { id: "2", fields: { Title: "Beta", Notes: "first line\nsecond line\nthird line" } },
        { id: "3", fields: { Title: "Gamma", Notes: "three" } },
      ],
    });
    // The editor's shape: every cell holds a paragraph (each given its own local id on save).
    await h.savePage(
      "<table><tbody><tr><th><p><strong>ID</strong></p></th><th><p><strong>Title</strong></p></th><th><p><strong>Notes</strong></p></th></tr>" +
        "<tr><td><p>1</p></td><td><p>Alpha</p></td><td><p>one</p></td></tr></tbody></table>",
    );
    await h.sync();
    const body = h.pageBody();
    expect(h.pageRows()).toEqual([
      ["1", "Alpha", "one"],
      ["2", "Beta", "first line\nsecond line\nthird line"],
      ["3", "Gamma", "three"],
    ]);
    expect(duplicateLocalIds(body)).toEqual([]);

    // An update of a multi-line value in an existing row.
    await h.editItem("1", { Notes: "uno\ndos" });
    await h.sync();
    expect(h.rowOf("1")?.Notes).toBe("uno\ndos");
    expect(duplicateLocalIds(h.pageBody())).toEqual([]);
    await expectQuietRun(h);
  });

  it("marks split around links and rewritten styles do not read as edits (echo-free)", async () => {
    const h = await start({
      items: [{ id: "1", fields: { Title: "Alpha", Status: "Open", Amount: 1 } }],
    });
    await h.savePage(
      '<table><tbody><tr><th>ID</th><th>Title</th><th>Status</th><th>Amount</th></tr><tr><td>1</td><td><strong>Al<a href="https://a.example">ph</a>a</strong></td><td><span style="color:rgb(255,0,0)">Open</span></td><td>1</td></tr></tbody></table>',
    );
    expect(h.pageBody()).toContain(
      '<strong>Al</strong><a href="https://a.example"><strong>ph</strong></a><strong>a</strong>',
    );
    expect(h.pageBody()).toContain('<span style="color: #ff0000;">Open</span>');
    await h.sync();
    expect(h.writes()).toEqual({ graph: [], confluence: [] });
    await expectQuietRun(h);
  });
});

describe("hostile page content", () => {
  it("a synced cell nesting 10,000 elements is one field's error naming page, row and column; the run goes on", async () => {
    const h = await start({
      items: [
        { id: "1", fields: { Title: "Alpha", Status: "Open", Amount: 1 } },
        { id: "2", fields: { Title: "Beta", Status: "Open", Amount: 2 } },
      ],
      rows: [
        ["1", "Alpha", "Open", "1"],
        ["2", "Beta", "Open", "2"],
      ],
    });
    await h.sync();
    const deep = `${"<span>".repeat(10_000)}Alphabet${"</span>".repeat(10_000)}`;
    await h.savePage(
      `<table><tbody><tr><th>ID</th><th>Title</th><th>Status</th><th>Amount</th></tr><tr><td>1</td><td>${deep}</td><td>Open</td><td>1</td></tr><tr><td>2</td><td>Beta</td><td>Done</td><td>2</td></tr></tbody></table>`,
    );
    const report = await h.sync();
    expect(report.outcome).toBe("completedWithErrors");
    expect(report.items.find((item) => item.sharePointId === "1")?.errors).toEqual([
      expect.objectContaining({
        field: "Title",
        code: "CELL_TOO_DEEP",
        message: expect.stringMatching(/row 2 \(ID 1\) of table 1 on page 98306.*column "Title"/),
      }),
    ]);
    expect((await h.listItems()).get("2")?.Status).toBe("Done");
    expect((await h.listItems()).get("1")?.Title).toBe("Alpha");
  });
});

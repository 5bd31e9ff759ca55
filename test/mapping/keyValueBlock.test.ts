import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildFieldCodecs, type FieldCodecs, parseStorage } from "../../shared/mapping";
import {
  findBlockTable,
  type PageBlock,
  patchPageBlock,
  placeholderCells,
  readPageBlock,
  selectPageBlock,
} from "../../shared/mapping/keyValueBlock";
import { columns, field } from "./columns";

function codecs(): FieldCodecs {
  const built = buildFieldCodecs(
    [
      field("Title", "Customer"),
      field("Status", "Status", {
        kind: "status",
        colours: { "In progress": "Yellow", Done: "Green" },
        defaultColour: "Grey",
      }),
      field("Amount"),
      field("Due", "Go-live", { kind: "date" }),
    ],
    [columns.title, columns.status, columns.amount, columns.due],
  );
  if (!built.ok) throw built.errors[0];
  return built.codecs;
}

const status = (title: string, colour: string) =>
  `<ac:structured-macro ac:name="status" ac:schema-version="1" ac:macro-id="m1"><ac:parameter ac:name="colour">${colour}</ac:parameter><ac:parameter ac:name="title">${title}</ac:parameter></ac:structured-macro>`;

/** A page with an unrelated table first, then a details block whose keys come in both shapes Cloud stores. */
function page(values: { customer: string; status: string; amount: string; due: string; gate?: string }): string {
  return (
    `<p>Intro</p><table><tbody><tr><th>Other</th><td>table</td></tr></tbody></table>` +
    `<ac:structured-macro ac:name="details" ac:schema-version="1" data-layout="default" ac:local-id="d1"><ac:parameter ac:name="id">confluencesync</ac:parameter><ac:rich-text-body>` +
    `<table data-layout="default" ac:local-id="t1"><colgroup><col style="width: 99.0px;" /><col /></colgroup><tbody>` +
    `<tr ac:local-id="r1"><th><p><strong>Customer</strong></p></th><td><p local-id="p1">${values.customer}</p></td><td>legend: the customer's name</td></tr>` +
    `<tr><td><p><strong>Status</strong></p></td><td><p>${values.status}</p></td></tr>` +
    `<tr><th><p><strong> amount </strong></p></th><td>${values.amount}</td></tr>` +
    `<tr><th><p><strong>Go-live</strong></p></th><td><p>${values.due}</p></td></tr>` +
    `<tr><th><p><strong>Owner</strong></p></th><td><p>not mapped: never touched</p></td></tr>` +
    (values.gate === undefined ? "" : `<tr><th><p>Sync to SharePoint</p></th><td><p>${values.gate}</p></td></tr>`) +
    `</tbody></table></ac:rich-text-body></ac:structured-macro><p>Outro &amp; notes</p>`
  );
}

const TEMPLATE = page({
  customer: "<ac:placeholder>Name</ac:placeholder>",
  status: status("SELECT", "Grey"),
  amount: "<p>TBD</p>",
  due: "<ac:placeholder>Pick a date</ac:placeholder>",
  gate: "Yes",
});

function block(body: string, gateKey?: string): PageBlock {
  const parsed = parseStorage(body, { pageId: "4231790671" });
  if (!parsed.ok) throw parsed.error;
  const selected = selectPageBlock(parsed.document, { detailsId: "confluencesync" }, codecs(), { gateKey });
  if (!selected.ok) throw selected.errors[0];
  return selected.block;
}

const placeholders = placeholderCells(block(TEMPLATE));

describe("the key/value block of an item page", () => {
  it("is the details macro with our id, not the first table; keys match in either cell shape and any case", () => {
    const read = readPageBlock(
      block(
        page({
          customer: "Contoso",
          status: status("Done", "Green"),
          amount: "<p>1 500</p>",
          due: '<time datetime="2026-05-04" />',
          gate: "No",
        }),
        "sync to sharepoint",
      ),
      placeholders,
    );
    expect(read.fields.Title).toMatchObject({ ok: true, value: "Contoso" });
    expect(read.fields.Status).toMatchObject({ ok: true, value: "Done" });
    expect(read.fields.Due).toMatchObject({ ok: true, value: "2026-05-04" });
    expect(read.fields.Amount).toMatchObject({ ok: false });
    expect(read.gate).toEqual({ kind: "closed" });
  });

  it("reads a cell that still shows the template's placeholder as unset, not as text", () => {
    const read = readPageBlock(block(TEMPLATE), placeholders);
    expect(read.fields).toMatchObject({
      Title: { ok: true, value: null },
      Status: { ok: true, value: null },
      Amount: { ok: true, value: null },
      Due: { ok: true, value: null },
    });
    // The same page read without the template's cells: the grey lozenge is no choice.
    const naive = readPageBlock(block(TEMPLATE));
    expect(naive.fields.Status).toMatchObject({ ok: false });
  });

  it("takes a template cell holding a real value for a default, not a placeholder: the value reads as itself", () => {
    const withDefault = page({
      customer: "<ac:placeholder>Name</ac:placeholder>",
      status: status("Done", "Green"),
      amount: "<p>0</p>",
      due: "",
    });
    const defaults = placeholderCells(block(withDefault));
    expect([...defaults.keys()].sort()).toEqual(["Due", "Title"]);
    const read = readPageBlock(block(withDefault), defaults);
    expect(read.fields).toMatchObject({ Status: { value: "Done" }, Amount: { value: "0" } });
  });

  it("reads a retitled lozenge by its colour when one choice has that colour; otherwise it is an error", () => {
    const amber = readPageBlock(
      block(page({ customer: "A", status: status("Amber", "Yellow"), amount: "1", due: "" })),
    );
    expect(amber.fields.Status).toMatchObject({ ok: true, value: "In progress" });
    const purple = readPageBlock(
      block(page({ customer: "A", status: status("Maybe", "Purple"), amount: "1", due: "" })),
    );
    expect(purple.fields.Status).toMatchObject({ ok: false, error: { code: "FIELD_CHOICE_UNKNOWN" } });
  });

  it("names the page and key of a missing or repeated mapped key, and a missing block", () => {
    const parsed = parseStorage(TEMPLATE.replace("Go-live", "Go live date").replace(">Customer<", ">Status<"), {
      pageId: "7",
    });
    if (!parsed.ok) throw parsed.error;
    const selected = selectPageBlock(parsed.document, { detailsId: "confluencesync" }, codecs(), {});
    expect(selected.ok).toBe(false);
    if (selected.ok) return;
    expect(selected.errors.map((error) => error.code).sort()).toEqual([
      "BLOCK_KEY_DUPLICATE",
      "BLOCK_KEY_MISSING",
      "BLOCK_KEY_MISSING",
    ]);
    expect(selected.errors[0]?.message).toMatch(/^Confluence page 7: /);
    const other = parseStorage(TEMPLATE, { pageId: "7" });
    if (!other.ok) throw other.error;
    expect(selectPageBlock(other.document, { detailsId: "elsewhere" }, codecs()).ok).toBe(false);
  });

  it("falls back to the first details table, then to the first key/value table", () => {
    const parsed = parseStorage(TEMPLATE, {});
    if (!parsed.ok) throw parsed.error;
    expect(findBlockTable(parsed.document, {})?.index).toBe(1);
    const plain = parseStorage("<table><tbody><tr><th>A</th><td>1</td></tr></tbody></table>", {});
    if (!plain.ok) throw plain.error;
    expect(findBlockTable(plain.document, {})?.index).toBe(0);
  });

  it("patches only the value cells it writes, in the cell's own wrapper and rendering", () => {
    const before = page({
      customer: "Contoso",
      status: status("Done", "Green"),
      amount: "<p>10</p>",
      due: "",
      gate: "Yes",
    });
    const patched = patchPageBlock(block(before), { Status: "In progress", Amount: "12.5" }, placeholders);
    if (!patched.ok) throw patched.error;
    expect(patched.rejected).toEqual([]);
    const after = readPageBlock(block(patched.storage), placeholders);
    expect(after.fields).toMatchObject({
      Title: { value: "Contoso" },
      Status: { value: "In progress" },
      Amount: { value: "12.5" },
    });
    // Everything but the two cells is byte for byte as it was (the legend column and the unmapped row included).
    const diff = [...patched.storage].filter((_, index) => patched.storage[index] !== before[index]).length;
    expect(patched.storage).toContain("legend: the customer's name");
    expect(patched.storage).toContain("not mapped: never touched");
    expect(patched.storage.startsWith(before.slice(0, before.indexOf("<tr><td><p><strong>Status")))).toBe(true);
    expect(patched.storage.endsWith(before.slice(before.indexOf("<tr><th><p><strong>Go-live")))).toBe(true);
    expect(diff).toBeGreaterThan(0);
  });

  it("writes an unset value back as the template's cell, which then reads unset again (property)", () => {
    fc.assert(
      fc.property(
        fc.record({
          Title: fc.option(
            fc
              .array(fc.stringMatching(/^[A-Za-z0-9&<>'"]{1,8}$/), { minLength: 1, maxLength: 4 })
              .map((words) => words.join(" ")),
            { nil: null },
          ),
          Status: fc.option(fc.constantFrom("To do", "In progress", "Done"), { nil: null }),
          Amount: fc.option(fc.integer({ min: -1000, max: 100000 }).map(String), { nil: null }),
          Due: fc.option(
            fc
              .date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true })
              .map((d) => d.toISOString().slice(0, 10)),
            { nil: null },
          ),
        }),
        (values) => {
          const patched = patchPageBlock(block(TEMPLATE), values, placeholders);
          if (!patched.ok) throw patched.error;
          const read = readPageBlock(block(patched.storage), placeholders);
          for (const [key, value] of Object.entries(values))
            expect(read.fields[key], key).toMatchObject({ ok: true, value });
        },
      ),
      { numRuns: 200 },
    );
  });
});

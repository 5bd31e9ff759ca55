import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FieldMapping } from "../../shared/config/profile";
import {
  buildFieldCodecs,
  type CellContent,
  type ColumnDefinition,
  type FieldCodec,
  type FieldCodecOptions,
  type FieldReading,
  parseStorage,
  readCellContent,
  readSharePointItem,
  type StorageElement,
  toSharePointPatch,
} from "../../shared/mapping";
import type { CanonicalValue } from "../../shared/sync/canonicalValue";
import { fieldHash } from "../../shared/sync/fieldHash";
import { columns, field, people, projectEntries } from "./columns";
import { codecsFor } from "./fixtures";

function codec(column: ColumnDefinition, format?: FieldMapping["format"], options: FieldCodecOptions = {}): FieldCodec {
  const codecs = codecsFor([field(column.name, column.name, format)], [column], {
    people,
    lookups: { Project: projectEntries, Projects: projectEntries },
    ...options,
  });
  const found = codecs.get(column.name);
  if (found === undefined) throw new Error("codec missing");
  return found;
}

/** A cell holding `inner`, read as the table reader reads it. */
function cell(inner: string): CellContent {
  const parsed = parseStorage(`<td>${inner}</td>`);
  if (!parsed.ok) throw parsed.error;
  return readCellContent(parsed.document.children[0] as StorageElement);
}

function value(reading: FieldReading): CanonicalValue {
  if (!reading.ok) throw reading.error;
  return reading.value;
}

function code(reading: { ok: boolean; error?: { code: string } }): string | undefined {
  return reading.ok ? undefined : reading.error?.code;
}

/** SharePoint value → canonical → Confluence cell (as the patch writes it, wrapped or bare) → canonical → SharePoint → canonical. */
function roundTrip(
  subject: FieldCodec,
  fields: Record<string, unknown>,
  wrapped: boolean,
): { fromSharePoint: CanonicalValue; fromConfluence: CanonicalValue; backInSharePoint: CanonicalValue } {
  const fromSharePoint = value(subject.readSharePoint(fields));
  const rendered = subject.renderConfluence(fromSharePoint);
  if (!rendered.ok) throw rendered.error;
  const blocks = rendered.value.blocks;
  const inner = wrapped
    ? blocks.map((block) => (block === "" ? "<p />" : `<p>${block}</p>`)).join("")
    : blocks.join("<br />");
  const fromConfluence = value(subject.readConfluence(cell(inner)));
  const written = subject.writeSharePoint(fromConfluence);
  if (!written.ok) throw written.error;
  // What Graph returns for what was written: the same shapes, with people and lookups as `{Name}LookupId` ids.
  const stored: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(written.value)) if (!key.includes("@odata.type")) stored[key] = item;
  const backInSharePoint = value(subject.readSharePoint(stored));
  return { fromSharePoint, fromConfluence, backInSharePoint };
}

// Text as people type it: any Unicode a page can hold (XML 1.0 characters).
const storableText = (options: { maxLength?: number } = {}) =>
  fc
    .string({ unit: "grapheme", maxLength: options.maxLength ?? 40 })
    .map((text) => text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, ""));

const dateArbitrary = fc
  .date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2199-12-31T00:00:00Z"), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));
const timeZones = fc.constantFrom(
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "Asia/Kolkata",
  "Pacific/Apia",
  "America/Santiago",
  "Australia/Lord_Howe",
);

const identityCases: Array<{ name: string; subject: () => FieldCodec; fields: fc.Arbitrary<Record<string, unknown>> }> =
  [
    {
      name: "text",
      subject: () => codec(columns.title),
      fields: storableText({ maxLength: 255 }).map((Title) => ({ Title })),
    },
    {
      name: "text as status",
      subject: () => codec(columns.title, { kind: "status", colours: {}, defaultColour: "Blue" }),
      fields: storableText().map((Title) => ({ Title })),
    },
    {
      name: "note",
      subject: () => codec(columns.notes),
      fields: fc.array(storableText(), { maxLength: 5 }).map((lines) => ({ Notes: lines.join("\n") })),
    },
    {
      name: "rich-text note",
      subject: () => codec(columns.richNotes),
      fields: fc
        .array(
          storableText().map((t) => t.replace(/[<>&]/g, "")),
          { maxLength: 4 },
        )
        .map((lines) => ({
          RichNotes: `<div class="ExternalClassX">${lines.map((l) => `<p>${l}</p>`).join("")}</div>`,
        })),
    },
    {
      name: "number",
      subject: () => codec(columns.amount),
      fields: fc.double({ noNaN: true, noDefaultInfinity: true }).map((Amount) => ({ Amount })),
    },
    {
      name: "percentage",
      subject: () => codec(columns.ratio),
      fields: fc.double({ min: 0, max: 1, noNaN: true }).map((Ratio) => ({ Ratio })),
    },
    {
      name: "currency",
      subject: () => codec(columns.cost),
      fields: fc.integer({ min: -1e9, max: 1e9 }).map((cents) => ({ Cost: cents / 100 })),
    },
    { name: "boolean", subject: () => codec(columns.done), fields: fc.option(fc.boolean()).map((Done) => ({ Done })) },
    {
      name: "choice",
      subject: () => codec(columns.status),
      fields: fc.option(fc.constantFrom("To do", "In progress", "Done")).map((Status) => ({ Status })),
    },
    {
      name: "choice as status",
      subject: () => codec(columns.status, { kind: "status", colours: { Done: "Green" }, defaultColour: "Grey" }),
      fields: fc.constantFrom("To do", "In progress", "Done").map((Status) => ({ Status })),
    },
    {
      name: "multi-choice",
      subject: () => codec(columns.tags),
      fields: fc.subarray(["red", "green", "blue"]).map((Tags) => ({ Tags })),
    },
    {
      name: "multi-choice as status",
      subject: () => codec(columns.tags, { kind: "status", colours: {}, defaultColour: "Grey" }),
      fields: fc.subarray(["red", "green", "blue", "a, b"]).map((Tags) => ({ Tags })),
    },
    {
      name: "date and time",
      subject: () => codec(columns.starts),
      fields: fc
        .integer({ min: -2e9, max: 6e9 })
        .map((seconds) => ({ Starts: new Date(seconds * 1000).toISOString().replace(".000Z", "Z") })),
    },
    {
      name: "person",
      subject: () => codec(columns.owner),
      fields: fc.option(fc.constantFrom("10", "11", "12")).map((id) => (id === null ? {} : { OwnerLookupId: id })),
    },
    {
      name: "person as mention",
      subject: () => codec(columns.owner, { kind: "mention", accounts: { "alice@example.com": "557058:a" } }),
      fields: fc.constantFrom("10", "11").map((OwnerLookupId) => ({ OwnerLookupId })),
    },
    {
      name: "people",
      subject: () => codec(columns.reviewers),
      fields: fc.subarray(people).map((chosen) => ({
        Reviewers: chosen.map((p) => ({
          LookupId: Number(p.lookupId),
          LookupValue: p.displayName,
          ...(p.email === undefined ? {} : { Email: p.email }),
        })),
      })),
    },
    {
      name: "lookup",
      subject: () => codec(columns.project),
      fields: fc.option(fc.constantFrom("1", "2")).map((id) => (id === null ? {} : { ProjectLookupId: id })),
    },
    {
      name: "lookups",
      subject: () => codec(columns.projects),
      fields: fc
        .subarray(["1", "2"])
        .map((ids) => ({ Projects: ids.map((id) => ({ LookupId: Number(id), LookupValue: id })) })),
    },
    {
      name: "hyperlink",
      subject: () => codec(columns.link, { kind: "link" }),
      fields: fc
        .record({
          Url: fc.webUrl({ withQueryParameters: true }).filter((url) => url.length <= 255),
          Description: storableText(),
        })
        .map((Link) => ({ Link })),
    },
  ];

describe("field codecs: SharePoint → Confluence → SharePoint is the identity on canonical values", () => {
  for (const { name, subject, fields } of identityCases) {
    it(name, () => {
      const codecUnderTest = subject();
      fc.assert(
        fc.property(fields, fc.boolean(), (raw, wrapped) => {
          const trip = roundTrip(codecUnderTest, raw, wrapped);
          expect(trip.fromConfluence).toEqual(trip.fromSharePoint);
          expect(trip.backInSharePoint).toEqual(trip.fromSharePoint);
        }),
        { numRuns: 150 },
      );
    });
  }

  it("date-only, in any site time zone: the date never moves", () => {
    fc.assert(
      fc.property(dateArbitrary, timeZones, (date, siteTimeZone) => {
        const subject = codec(columns.due, undefined, { siteTimeZone });
        const written = subject.writeSharePoint(date);
        if (!written.ok) throw written.error;
        const trip = roundTrip(subject, written.value, true);
        expect([trip.fromSharePoint, trip.fromConfluence, trip.backInSharePoint]).toEqual([date, date, date]);
      }),
      { numRuns: 300 },
    );
  });
});

describe("reading any cell", () => {
  it("never throws: every codec returns a value or a typed error, whatever the cell holds", () => {
    const subjects = identityCases
      .map((testCase) => testCase.subject())
      .concat([codec(columns.due), codec(columns.owner, { kind: "mention", accounts: { "a@b.c": "x" } })]);
    const fragment = fc.array(
      fc.oneof(
        fc.constantFrom(
          "<p>",
          "</p>",
          "<br />",
          "<strong>",
          "</strong>",
          '<time datetime="2024-02-30" />',
          '<time datetime="x" />',
          '<a href="nope">',
          "</a>",
          '<ac:structured-macro ac:name="status"><ac:parameter ac:name="title">Done</ac:parameter></ac:structured-macro>',
          '<ac:link><ri:user ri:account-id="x" /></ac:link>',
          '<ac:link><ri:page ri:content-title="T" /></ac:link>',
          '<ac:emoticon ac:name="smile" />',
          "<ac:task-list><ac:task><ac:task-status>complete</ac:task-status><ac:task-body>t</ac:task-body></ac:task></ac:task-list>",
          "1,5",
          "-0",
          "1e5",
          "25%",
          "yes",
          "a@b.c",
          "https://x.example",
          ", ",
          "&amp;",
          "&nbsp;",
        ),
        fc.string({ maxLength: 6 }).map((text) => text.replace(/[<&]/g, "")),
      ),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(fragment, (parts) => {
        const source = `<td>${parts.join("")}</td>`;
        const parsedCell = parseStorage(source);
        if (!parsedCell.ok) return; // unbalanced fragments are not cells
        const content = readCellContent(parsedCell.document.children[0] as StorageElement);
        for (const subject of subjects) {
          const reading = subject.readConfluence(content);
          if (!reading.ok) expect(reading.error.code).toMatch(/^FIELD_/);
          else expect(reading.hash).toBe(fieldHash(reading.value));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("canonical values", () => {
  it("hash equal values equally whichever side they come from, and differently when they differ", () => {
    const subject = codec(columns.title);
    const fromSharePoint = subject.readSharePoint({ Title: "  Cafe\u0301 au  lait " });
    const fromConfluence = subject.readConfluence(cell("<p><strong>Café</strong>&nbsp;au lait</p>"));
    expect(fromSharePoint).toEqual(fromConfluence);
    expect(fromSharePoint.ok && fromSharePoint.hash).toBe(fieldHash("Café au lait"));
    expect(subject.readConfluence(cell("<p>Cafe au lait</p>"))).not.toEqual(fromSharePoint);
  });

  it.each<[string, () => FieldCodec, Record<string, unknown>, CanonicalValue]>([
    ["trimmed, NFC, single-spaced text", () => codec(columns.title), { Title: " a\u00a0\tb\n c " }, "a b c"],
    ["empty text as null", () => codec(columns.title), { Title: "   " }, null],
    ["note lines", () => codec(columns.notes), { Notes: "\r\n one \r\n\r\n two  \n\n" }, "one\n\ntwo"],
    ["decimals as strings", () => codec(columns.amount), { Amount: 0.1 }, "0.1"],
    ["large numbers without exponent", () => codec(columns.amount), { Amount: 1e21 }, "1000000000000000000000"],
    ["small numbers without exponent", () => codec(columns.amount), { Amount: -1.5e-7 }, "-0.00000015"],
    ["negative zero as 0", () => codec(columns.amount), { Amount: -0 }, "0"],
    ["numbers sent as strings", () => codec(columns.cost), { Cost: "12.50" }, "12.5"],
    ["multi-choice as a sorted set", () => codec(columns.tags), { Tags: ["red", "blue", "red"] }, ["blue", "red"]],
    ["an empty multi-choice as null", () => codec(columns.tags), { Tags: [] }, null],
    ["dateTime as UTC", () => codec(columns.starts), { Starts: "2024-03-01T16:30:00+02:00" }, "2024-03-01T14:30:00Z"],
    ["people as lower-cased e-mails", () => codec(columns.owner), { OwnerLookupId: "10" }, "alice@example.com"],
    ["groups by their claims", () => codec(columns.owner), { OwnerLookupId: 12 }, "team owners"],
    [
      "several people as a sorted set",
      () => codec(columns.reviewers),
      {
        Reviewers: [
          { LookupId: 11, Email: "BOB@example.com" },
          { LookupId: 10, Email: "alice@example.com" },
        ],
      },
      ["alice@example.com", "bob@example.com"],
    ],
    ["lookups by id", () => codec(columns.project), { ProjectLookupId: "2" }, "2"],
    [
      "several lookups in numeric order",
      () => codec(columns.projects),
      {
        Projects: [
          { LookupId: 10, LookupValue: "x" },
          { LookupId: 9, LookupValue: "y" },
        ],
      },
      ["9", "10"],
    ],
    [
      "hyperlinks with the URL as default description",
      () => codec(columns.link, { kind: "link" }),
      { Link: { Url: "https://a.example/x", Description: "" } },
      { url: "https://a.example/x", description: "https://a.example/x" },
    ],
  ])("SharePoint gives %s", (_, subject, fields, expected) => {
    expect(value(subject().readSharePoint(fields))).toEqual(expected);
  });

  it("date-only values are the site's calendar date, never shifted by a time zone", () => {
    expect(
      value(
        codec(columns.due, undefined, { siteTimeZone: "Europe/Berlin" }).readSharePoint({
          Due: "2024-02-29T23:00:00Z",
        }),
      ),
    ).toBe("2024-03-01");
    expect(
      value(
        codec(columns.due, undefined, { siteTimeZone: "America/New_York" }).readSharePoint({
          Due: "2024-03-01T05:00:00Z",
        }),
      ),
    ).toBe("2024-03-01");
    expect(codec(columns.due, undefined, { siteTimeZone: "Europe/Berlin" }).writeSharePoint("2024-07-01")).toEqual({
      ok: true,
      value: { Due: "2024-06-30T22:00:00Z" },
    });
    expect(codec(columns.due).writeSharePoint("2024-07-01")).toEqual({
      ok: true,
      value: { Due: "2024-07-01T00:00:00Z" },
    });
  });
});

describe("reading Confluence cells", () => {
  it.each<[string, () => FieldCodec, string, CanonicalValue]>([
    [
      "a status lozenge's title as a choice",
      () => codec(columns.status),
      '<p><ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">done</ac:parameter></ac:structured-macro></p>',
      "Done",
    ],
    [
      "multi-choice text split on commas",
      () => codec(columns.tags),
      "<p>green, red;blue</p>",
      ["blue", "green", "red"],
    ],
    [
      "multi-choice lozenges",
      () => codec(columns.tags),
      '<p><ac:structured-macro ac:name="status"><ac:parameter ac:name="title">a, b</ac:parameter></ac:structured-macro> <ac:structured-macro ac:name="status"><ac:parameter ac:name="title">red</ac:parameter></ac:structured-macro></p>',
      ["a, b", "red"],
    ],
    ["a percentage", () => codec(columns.ratio), "<p>12.5 %</p>", "0.125"],
    ["yes/no words", () => codec(columns.done), "<p>YES</p>", true],
    [
      "a task checkbox as yes/no",
      () => codec(columns.done),
      "<ac:task-list><ac:task><ac:task-status>complete</ac:task-status><ac:task-body>shipped</ac:task-body></ac:task></ac:task-list>",
      true,
    ],
    ["a <time> as a date", () => codec(columns.due), '<p><time datetime="2026-05-01" /></p>', "2026-05-01"],
    ["a typed date", () => codec(columns.due), "<p> 2026-05-01 </p>", "2026-05-01"],
    [
      "a date and time with an offset",
      () => codec(columns.starts),
      "<p>2026-05-01T09:00:00-04:00</p>",
      "2026-05-01T13:00:00Z",
    ],
    [
      "a mapped mention",
      () => codec(columns.owner, { kind: "mention", accounts: { "Alice@Example.com": "557058:a" } }),
      '<p><ac:link><ri:user ri:account-id="557058:a" /></ac:link></p>',
      "alice@example.com",
    ],
    ["an e-mail", () => codec(columns.owner), "<p>Bob@Example.com</p>", "bob@example.com"],
    ["claims", () => codec(columns.owner), "<p>i:0#.f|membership|bob@example.com</p>", "bob@example.com"],
    [
      "mentions and e-mails together",
      () => codec(columns.reviewers, { kind: "mention", accounts: { "alice@example.com": "557058:a" } }),
      '<p><ac:link><ri:user ri:account-id="557058:a" /><ac:link-body>Alice</ac:link-body></ac:link>, bob@example.com</p>',
      ["alice@example.com", "bob@example.com"],
    ],
    ["a lookup by its value", () => codec(columns.project), "<p>Gemini</p>", "2"],
    [
      "a link",
      () => codec(columns.link, { kind: "link" }),
      '<p><a href="https://x.example/a">The &amp; A</a></p>',
      { url: "https://x.example/a", description: "The & A" },
    ],
    [
      "a bare URL",
      () => codec(columns.link, { kind: "link" }),
      "<p>https://x.example/a</p>",
      { url: "https://x.example/a", description: "https://x.example/a" },
    ],
    ["an empty cell as null", () => codec(columns.amount), "<p />", null],
  ])("reads %s", (_, subject, inner, expected) => {
    expect(value(subject().readConfluence(cell(inner)))).toEqual(expected);
  });

  it.each<[string, () => FieldCodec, string, string]>([
    ["abc in a number column", () => codec(columns.amount), "<p>abc</p>", "FIELD_VALUE_INVALID"],
    ["a grouped number (locale unknown)", () => codec(columns.amount), "<p>1,234</p>", "FIELD_VALUE_INVALID"],
    ["a percentage without %", () => codec(columns.ratio), "<p>0.5</p>", "FIELD_VALUE_INVALID"],
    ["an unknown choice", () => codec(columns.status), "<p>Blocked</p>", "FIELD_CHOICE_UNKNOWN"],
    ["an unknown value among several", () => codec(columns.tags), "<p>red, purple</p>", "FIELD_CHOICE_UNKNOWN"],
    ["maybe as yes/no", () => codec(columns.done), "<p>maybe</p>", "FIELD_VALUE_INVALID"],
    ["an impossible date", () => codec(columns.due), "<p>2026-02-30</p>", "FIELD_VALUE_INVALID"],
    ["a local date format", () => codec(columns.due), "<p>01/05/2026</p>", "FIELD_VALUE_INVALID"],
    ["a time without a zone", () => codec(columns.starts), "<p>2026-05-01 09:00</p>", "FIELD_VALUE_INVALID"],
    [
      "a date in a date-and-time column",
      () => codec(columns.starts),
      '<p><time datetime="2026-05-01" /></p>',
      "FIELD_VALUE_INVALID",
    ],
    ["a display name instead of an e-mail", () => codec(columns.owner), "<p>Alice Smith</p>", "FIELD_VALUE_INVALID"],
    [
      "two people in a single-person column",
      () => codec(columns.owner),
      "<p>a@x.example, b@x.example</p>",
      "FIELD_VALUE_INVALID",
    ],
    [
      "a mention the profile does not map",
      () => codec(columns.owner),
      '<p><ac:link><ri:user ri:account-id="557058:zz" /></ac:link></p>',
      "FIELD_REFERENCE_UNRESOLVED",
    ],
    [
      "a lookup value that is not in the list",
      () => codec(columns.project),
      "<p>Voyager</p>",
      "FIELD_REFERENCE_UNRESOLVED",
    ],
    ["a lookup value two items share", () => codec(columns.project), "<p>Mercury</p>", "FIELD_VALUE_INVALID"],
    [
      "a link to a Confluence page in a hyperlink column",
      () => codec(columns.link, { kind: "link" }),
      '<p><ac:link><ri:page ri:content-title="Home" /></ac:link></p>',
      "FIELD_VALUE_NOT_REPRESENTABLE",
    ],
    [
      "text that is not a URL",
      () => codec(columns.link, { kind: "link" }),
      "<p>see the wiki</p>",
      "FIELD_VALUE_INVALID",
    ],
  ])("refuses %s with a typed error", (_, subject, inner, expected) => {
    const reading = subject().readConfluence(cell(inner));
    expect(code(reading)).toBe(expected);
    if (!reading.ok) expect(reading.error.message).toMatch(/^field "\w+" \(Confluence\): /);
  });
});

describe("writing SharePoint values in the shapes Graph expects", () => {
  it.each<[string, () => FieldCodec, CanonicalValue, Record<string, unknown>]>([
    ["a number", () => codec(columns.amount), "1234.5", { Amount: 1234.5 }],
    ["a person by lookup id", () => codec(columns.owner), "bob@example.com", { OwnerLookupId: 11 }],
    ["no person", () => codec(columns.owner), null, { OwnerLookupId: null }],
    [
      "people with the collection annotation",
      () => codec(columns.reviewers),
      ["alice@example.com", "team owners"],
      { "ReviewersLookupId@odata.type": "Collection(Edm.Int32)", ReviewersLookupId: [10, 12] },
    ],
    ["a lookup by id", () => codec(columns.project), "2", { ProjectLookupId: 2 }],
    [
      "lookups with the collection annotation",
      () => codec(columns.projects),
      ["1", "2"],
      { "ProjectsLookupId@odata.type": "Collection(Edm.Int32)", ProjectsLookupId: [1, 2] },
    ],
    [
      "multi-choice with the collection annotation",
      () => codec(columns.tags),
      ["blue", "red"],
      { "Tags@odata.type": "Collection(Edm.String)", Tags: ["blue", "red"] },
    ],
    [
      "cleared multi-choice",
      () => codec(columns.tags),
      null,
      { "Tags@odata.type": "Collection(Edm.String)", Tags: [] },
    ],
    ["a dateTime as ISO UTC", () => codec(columns.starts), "2024-03-01T14:30:00Z", { Starts: "2024-03-01T14:30:00Z" }],
    [
      "a hyperlink as an object (sent with Prefer: apiversion=2.1)",
      () => codec(columns.link, { kind: "link" }),
      { url: "https://a.example/", description: "A" },
      { Link: { Url: "https://a.example/", Description: "A" } },
    ],
    [
      "a hyperlink as SharePoint text when configured",
      () => codec(columns.link, { kind: "link" }, { hyperlinkWriteShape: "text" }),
      { url: "https://a.example/", description: "A" },
      { Link: "https://a.example/, A" },
    ],
    [
      "rich text as paragraphs",
      () => codec(columns.richNotes),
      "a < b\n\nc",
      { RichNotes: "<p>a &lt; b</p><p>&#160;</p><p>c</p>" },
    ],
  ])("writes %s", (_, subject, canonical, expected) => {
    expect(subject().writeSharePoint(canonical)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, () => FieldCodec, CanonicalValue, string]>([
    [
      "more digits than a double keeps",
      () => codec(columns.amount),
      "0.1000000000000000055511151231257827",
      "FIELD_VALUE_NOT_REPRESENTABLE",
    ],
    ["a value above the column's maximum", () => codec(columns.ratio), "1.5", "FIELD_VALUE_NOT_REPRESENTABLE"],
    [
      "text longer than the column allows",
      () => codec(columns.title),
      "x".repeat(256),
      "FIELD_VALUE_NOT_REPRESENTABLE",
    ],
    ["a person the site does not know", () => codec(columns.owner), "carol@example.com", "FIELD_REFERENCE_UNRESOLVED"],
    ["fractions of a second", () => codec(columns.starts), "2024-03-01T14:30:00.250Z", "FIELD_VALUE_NOT_REPRESENTABLE"],
    [
      "a URL SharePoint would split, in the text form",
      () => codec(columns.link, { kind: "link" }, { hyperlinkWriteShape: "text" }),
      { url: "https://a.example/a, b", description: "x" },
      "FIELD_VALUE_NOT_REPRESENTABLE",
    ],
    ["a value of the wrong shape", () => codec(columns.done), "yes", "FIELD_VALUE_INVALID"],
  ])("refuses %s", (_, subject, canonical, expected) => {
    expect(code(subject().writeSharePoint(canonical))).toBe(expected);
  });

  it("builds a patch from several fields and reports the refused ones by item", () => {
    const codecs = codecsFor(
      [field("Title"), field("Amount"), field("Owner")],
      [columns.title, columns.amount, columns.owner],
      { people },
    );
    const patch = toSharePointPatch(codecs, { Title: "t", Amount: "abc", Owner: "bob@example.com" }, "item 7");
    expect(patch.fields).toEqual({ Title: "t", OwnerLookupId: 11 });
    expect(patch.errors.map((error) => error.message)).toEqual([
      'field "Amount" of item 7 (SharePoint): "abc" is not a canonical decimal',
    ]);
    const readings = readSharePointItem(codecs, { Title: "t", Amount: "x", OwnerLookupId: "99" }, "item 7");
    expect(
      Object.fromEntries(Object.entries(readings).map(([name, reading]) => [name, code(reading) ?? "ok"])),
    ).toEqual({ Title: "ok", Amount: "FIELD_VALUE_INVALID", Owner: "FIELD_REFERENCE_UNRESOLVED" });
  });
});

describe("rendering refusals", () => {
  it.each<[string, () => FieldCodec, CanonicalValue, string]>([
    ["a choice the column no longer lists", () => codec(columns.status), "Legacy", "FIELD_VALUE_NOT_REPRESENTABLE"],
    [
      "a multi-choice value containing the separator, as text",
      () => codec(columns.tags),
      ["a, b"],
      "FIELD_VALUE_NOT_REPRESENTABLE",
    ],
    ["a lookup whose value two items share", () => codec(columns.project), "3", "FIELD_VALUE_NOT_REPRESENTABLE"],
    ["text a page cannot store", () => codec(columns.title), "a\u0001b", "FIELD_VALUE_NOT_REPRESENTABLE"],
  ])("refuses %s", (_, subject, canonical, expected) => {
    expect(code(subject().renderConfluence(canonical))).toBe(expected);
  });

  it("refuses formatted rich text instead of flattening it", () => {
    expect(
      code(codec(columns.richNotes).readSharePoint({ RichNotes: "<div><p>plain <strong>bold</strong></p></div>" })),
    ).toBe("FIELD_VALUE_NOT_REPRESENTABLE");
    expect(
      value(
        codec(columns.richNotes).readSharePoint({
          RichNotes: '<div class="ExternalClassA"><p>one&#160;line</p><p>two<br>three</p></div>',
        }),
      ),
    ).toBe("one line\ntwo\nthree");
  });
});

describe("hyperlink schemes", () => {
  const link = () => codec(columns.link, { kind: "link" });
  const refused = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<b>x</b>",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
    "ftp://files.example/a",
  ];

  it.each(refused)("refuses %s from SharePoint, from a page and on the way out", (url) => {
    expect(code(link().readSharePoint({ Link: { Url: url, Description: "click" } }))).toBe("FIELD_VALUE_INVALID");
    expect(code(link().readSharePoint({ Link: `${url}, click` }))).toBe("FIELD_VALUE_INVALID");
    const href = url.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    expect(code(link().readConfluence(cell(`<p><a href="${href}">click</a></p>`)))).toBe("FIELD_VALUE_INVALID");
    expect(code(link().writeSharePoint({ url, description: "click" }))).toBe("FIELD_VALUE_INVALID");
    expect(code(link().renderConfluence({ url, description: "click" }))).toBe("FIELD_VALUE_INVALID");
  });

  it("keeps http, https and mailto links", () => {
    for (const url of ["http://a.example/", "https://a.example/x?y=1", "mailto:team@contoso.example"]) {
      expect(value(link().readSharePoint({ Link: { Url: url, Description: "d" } }))).toEqual({ url, description: "d" });
      expect(link().renderConfluence({ url, description: "d" }).ok).toBe(true);
    }
  });

  it("refuses every scheme but http, https and mailto (property)", () => {
    const scheme = fc.stringMatching(/^[a-z][a-z0-9+.-]{0,9}$/).filter((s) => !["http", "https", "mailto"].includes(s));
    fc.assert(
      fc.property(scheme, fc.webSegment(), (name, rest) => {
        const url = `${name}:${rest}`;
        fc.pre(URL.canParse(url));
        expect(code(link().readSharePoint({ Link: { Url: url, Description: "" } }))).toBe("FIELD_VALUE_INVALID");
        expect(code(link().renderConfluence({ url, description: url }))).toBe("FIELD_VALUE_INVALID");
      }),
    );
  });
});

describe("buildFieldCodecs", () => {
  it("tells every column type from its definition, and hyperlinks from a sample value", () => {
    const fields = Object.values(columns)
      .filter((c) => c.name !== "Total")
      .map((c) => field(c.name));
    const result = buildFieldCodecs(fields, Object.values(columns), {
      samples: [{ Link: { Url: "https://x.example", Description: "x" } }, { Tags: ["red"] }],
    });
    if (!result.ok) throw result.errors[0];
    expect(Object.fromEntries([...result.codecs].map(([name, c]) => [name, c.kind]))).toEqual({
      Title: "text",
      Notes: "note",
      RichNotes: "note",
      Amount: "number",
      Ratio: "number",
      Cost: "currency",
      Done: "boolean",
      Status: "choice",
      Tags: "multiChoice",
      Due: "dateOnly",
      Starts: "dateTime",
      Owner: "person",
      Reviewers: "personMulti",
      Project: "lookup",
      Projects: "lookupMulti",
      Link: "hyperlink",
    });
    expect(result.codecs.get("Owner")?.sharePointKeys).toEqual(["OwnerLookupId"]);
  });

  it("reports every field it cannot map, each with a stable code", () => {
    const result = buildFieldCodecs(
      [
        field("Nope"),
        field("Link"),
        field("Total"),
        field("Starts", "Starts", { kind: "date" }),
        field("Due"),
        field("Due date"),
      ],
      [...Object.values(columns), { name: "Due_x0020_date", displayName: "Due date", text: {} }],
      { siteTimeZone: "Mars/Olympus" },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((error) => [error.field, error.code])).toEqual([
      ["Nope", "FIELD_COLUMN_NOT_FOUND"],
      ["Link", "FIELD_TYPE_UNKNOWN"],
      ["Total", "FIELD_TYPE_UNSUPPORTED"],
      ["Starts", "FIELD_FORMAT_MISMATCH"],
      ["Due", "FIELD_TYPE_UNSUPPORTED"],
      ["Due date", "FIELD_COLUMN_NOT_FOUND"],
    ]);
    expect(result.errors[5]?.message).toContain('its internal name is "Due_x0020_date"');
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseStorage, type StorageElement } from "../../shared/mapping";
import { fixtureNames, readFixture } from "./fixtures";

describe("parseStorage", () => {
  it("keeps exact source positions for elements and their content, with prefixes, CDATA and entities", () => {
    const source = '<p>caf&eacute;&nbsp;😀</p><ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[a <b> & c]]></ac:plain-text-body></ac:structured-macro><td />';
    const result = parseStorage(source);
    if (!result.ok) throw result.error;
    const [p, macro, td] = result.document.children as StorageElement[];
    expect(source.slice(p!.start, p!.end)).toBe("<p>caf&eacute;&nbsp;😀</p>");
    expect(source.slice(p!.innerStart, p!.innerEnd)).toBe("caf&eacute;&nbsp;😀");
    expect(p!.children[0]).toMatchObject({ type: "text", text: "café\u00a0😀", cdata: false });
    const attribute = parseStorage('<p title="&rsquo;&AMP;&#x41;">x</p>');
    expect(attribute.ok && (attribute.document.children[0] as StorageElement).attributes.title).toBe("’&A");
    expect(macro!.name).toBe("ac:structured-macro");
    expect(macro!.attributes["ac:name"]).toBe("code");
    const body = macro!.children[0] as StorageElement;
    expect(body.children[0]).toMatchObject({ type: "text", text: "a <b> & c", cdata: true });
    expect(td).toMatchObject({ name: "td", selfClosing: true, innerStart: td!.end, innerEnd: td!.end });
  });

  it("finds the end of a start tag past a > inside an attribute value", () => {
    const source = '<td title="a > b">x</td>';
    const result = parseStorage(source);
    if (!result.ok) throw result.error;
    const td = result.document.children[0] as StorageElement;
    expect(source.slice(td.innerStart, td.innerEnd)).toBe("x");
  });

  it.each([
    ["<p>unclosed", "unclosed tag: p", 1],
    ["<p>a</p></td>", "", 1],
    ["<p>fish & chips</p>", "", 1],
    ["<p>&notanentity;</p>", "undefined entity", 1],
    ["<p>&constructor;</p>", "undefined entity", 1],
    ['<p class="a"b>x</p>', "", 1],
    ["<table>\n<tr><td>1</td></tr>\n<tr><td>2</tr>\n</table>", "", 3],
    ["<p>a\u0001b</p>", "", 1],
  ])("reports malformed storage %j as STORAGE_MALFORMED with its position", (source, reason, line) => {
    const result = parseStorage(source, { pageId: "42" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("STORAGE_MALFORMED");
    expect(result.error.message).toContain("Confluence page 42");
    expect(result.error.message).toContain(reason);
    expect(result.error.location.line).toBe(line);
  });

  it("parses every storage fixture, including the reference samples", () => {
    for (const name of fixtureNames()) expect(parseStorage(readFixture(name)).ok, name).toBe(true);
  });

  it("never throws, whatever the input", () => {
    const storageish = fc.array(
      fc.oneof(
        fc.constantFrom("<p>", "</p>", "<td>", "</td>", "<table>", "</table>", "<tr>", "</tr>", "<br />", "&nbsp;", "&amp;", "&", "<![CDATA[", "]]>", "<ac:link>", "</ac:link>", '<ri:user ri:account-id="x" />', "<!--", "-->", "<?x?>", "<!DOCTYPE x>", '"', ">", "<"),
        fc.string({ unit: "binary", maxLength: 8 }),
      ),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), storageish.map((parts) => parts.join(""))), (source) => {
        const result = parseStorage(source);
        if (!result.ok) expect(result.error.code).toBe("STORAGE_MALFORMED");
      }),
      { numRuns: 2000 },
    );
  });
});

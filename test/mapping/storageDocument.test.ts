import { decodeHTMLStrict } from "entities";
import fc from "fast-check";
import { SaxesParser } from "saxes";
import { describe, expect, it } from "vitest";
import { parseStorage, type StorageElement, type StorageNode } from "../../shared/mapping";
import { fixtureNames, readFixture } from "./fixtures";

/**
 * The page as saxes itself reads it, built the plain way (an object per node, text and attributes from saxes' events,
 * offsets found around saxes' positions): what the node table, with its text and attributes read back from the source,
 * must agree with exactly.
 */
type ReferenceNode =
  | { kind: "text"; text: string; cdata: boolean }
  | {
      kind: "element";
      name: string;
      attributes: Record<string, string>;
      start: number;
      end: number;
      innerStart: number;
      innerEnd: number;
      selfClosing: boolean;
      children: ReferenceNode[];
    };

function saxesReading(source: string): ReferenceNode[] | undefined {
  const parser = new SaxesParser({ fragment: true, xmlns: false, position: true });
  parser.ENTITIES = new Proxy({} as Record<string, string>, {
    get: (_target, name) => {
      if (typeof name !== "string" || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) return undefined;
      const decoded = decodeHTMLStrict(`&${name};`);
      return decoded === `&${name};` ? undefined : decoded;
    },
  });
  const top: ReferenceNode[] = [];
  const open: Array<Extract<ReferenceNode, { kind: "element" }>> = [];
  const add = (node: ReferenceNode): void => void (open.at(-1)?.children ?? top).push(node);
  parser.on("opentag", (tag) => {
    const element = {
      kind: "element" as const,
      name: tag.name,
      attributes: { ...tag.attributes },
      start: source.lastIndexOf("<", parser.position - 1),
      end: 0,
      innerStart: parser.position,
      innerEnd: 0,
      selfClosing: tag.isSelfClosing,
      children: [],
    };
    add(element);
    open.push(element);
  });
  parser.on("closetag", () => {
    const element = open.pop();
    if (element === undefined) return;
    element.end = parser.position;
    if (element.selfClosing) element.innerStart = element.end;
    element.innerEnd = element.selfClosing ? element.end : source.lastIndexOf("</", element.end - 1);
  });
  parser.on("text", (text) => add({ kind: "text", text, cdata: false }));
  parser.on("cdata", (text) => add({ kind: "text", text, cdata: true }));
  parser.on("error", (error) => {
    throw error;
  });
  try {
    parser.write(source).close();
  } catch {
    return undefined;
  }
  return top;
}

function viewOf(nodes: readonly StorageNode[]): ReferenceNode[] {
  return nodes.map((node) =>
    node.kind === "text"
      ? { kind: "text", text: node.text, cdata: node.cdata }
      : {
          kind: "element",
          name: node.name,
          attributes: { ...node.attributes },
          start: node.start,
          end: node.end,
          innerStart: node.innerStart,
          innerEnd: node.innerEnd,
          selfClosing: node.selfClosing,
          children: viewOf(node.children),
        },
  );
}

const pieceOfText = fc.oneof(
  fc.constantFrom(
    "x",
    " a  b ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "&amp;",
    "&lt;",
    "&nbsp;",
    "&mdash;",
    "&#x41;",
    "&#65;",
    "&#13;",
    "&#x1F600;",
    "caf&eacute;",
    "]]",
    "😀",
    "\u00a0",
    "\uFEFF",
  ),
  fc.stringMatching(/^[a-z ]{0,4}$/),
);
const attributeValue = fc.constantFrom(
  '"a"',
  "'b'",
  '"x &amp; y"',
  '"a\nb"',
  '"a\tb\r\nc\rd"',
  '"&#x9;&#10;&nbsp;"',
  '">"',
  '""',
  '"a=b"',
  "'say \"hi\"'",
);
const attribute = fc
  .tuple(
    fc.constantFrom("colspan", "title", "ac:name", "href", "ri:account-id", "data-x"),
    fc.constantFrom("=", " = ", "\n=\t"),
    attributeValue,
  )
  .map(([name, equals, value]) => ({ name, text: ` ${name}${equals}${value}` }));
const markup = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    { weight: 3, arbitrary: pieceOfText },
    { weight: 3, arbitrary: tie("element") },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "<![CDATA[a <b> & c\r\n]]>",
        "<![CDATA[]]>",
        "<![CDATA[x]]]>",
        "<!-- c -->",
        "<!---->",
        "<?pi x?>",
        "<!-- a\r\nb -->",
      ),
    },
  ),
  element: fc
    .record({
      name: fc.constantFrom("p", "td", "table", "tr", "ac:structured-macro", "ri:user", "br"),
      attributes: fc.uniqueArray(attribute, { maxLength: 3, selector: (a) => a.name }),
      children: fc.array(tie("node"), { maxLength: 4 }),
      selfClosing: fc.boolean(),
      space: fc.constantFrom("", " ", "\n"),
    })
    .map(({ name, attributes, children, selfClosing, space }) => {
      const start = `<${name}${attributes.map((a) => a.text).join("")}${space}`;
      return selfClosing && children.length === 0 ? `${start}/>` : `${start}>${children.join("")}</${name}${space}>`;
    }),
}));

describe("parseStorage", () => {
  it("keeps exact source positions for elements and their content, with prefixes, CDATA and entities", () => {
    const source =
      '<p>caf&eacute;&nbsp;😀</p><ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[a <b> & c]]></ac:plain-text-body></ac:structured-macro><td />';
    const result = parseStorage(source);
    if (!result.ok) throw result.error;
    const [p, macro, td] = result.document.children as StorageElement[];
    expect(source.slice(p!.start, p!.end)).toBe("<p>caf&eacute;&nbsp;😀</p>");
    expect(source.slice(p!.innerStart, p!.innerEnd)).toBe("caf&eacute;&nbsp;😀");
    expect(p!.children[0]).toMatchObject({ kind: "text", text: "café\u00a0😀", cdata: false });
    const attribute = parseStorage('<p title="&rsquo;&AMP;&#x41;">x</p>');
    expect(attribute.ok && (attribute.document.children[0] as StorageElement).attributes.title).toBe("’&A");
    expect(macro!.name).toBe("ac:structured-macro");
    expect(macro!.attributes["ac:name"]).toBe("code");
    const body = macro!.children[0] as StorageElement;
    expect(body.children[0]).toMatchObject({ kind: "text", text: "a <b> & c", cdata: true });
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

  it("reads every page exactly as saxes does: same nodes, text, attributes and offsets", () => {
    const page = fc.array(markup.node, { maxLength: 6 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(page, (source) => {
        const reference = saxesReading(source);
        const result = parseStorage(source);
        expect(result.ok).toBe(reference !== undefined);
        if (result.ok && reference !== undefined) expect(viewOf(result.document.children)).toEqual(reference);
      }),
      { numRuns: 1500 },
    );
    for (const name of fixtureNames()) {
      const result = parseStorage(readFixture(name));
      expect(result.ok && viewOf(result.document.children), name).toEqual(saxesReading(readFixture(name)));
    }
  });

  it("grows its node table for a page of many tiny nodes, and recovers after refusing a page", () => {
    const source = `<p>${"<br/>x".repeat(3000)}</p>`;
    expect(parseStorage("<p>unclosed").ok).toBe(false);
    const result = parseStorage(source);
    if (!result.ok) throw result.error;
    expect(result.document.nodeCount).toBe(1 + 6000);
    expect(viewOf(result.document.children)).toEqual(saxesReading(source));
  });

  it("never throws, whatever the input", () => {
    const storageish = fc.array(
      fc.oneof(
        fc.constantFrom(
          "<p>",
          "</p>",
          "<td>",
          "</td>",
          "<table>",
          "</table>",
          "<tr>",
          "</tr>",
          "<br />",
          "&nbsp;",
          "&amp;",
          "&",
          "<![CDATA[",
          "]]>",
          "<ac:link>",
          "</ac:link>",
          '<ri:user ri:account-id="x" />',
          "<!--",
          "-->",
          "<?x?>",
          "<!DOCTYPE x>",
          '"',
          ">",
          "<",
        ),
        fc.string({ unit: "binary", maxLength: 8 }),
      ),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary" }),
          storageish.map((parts) => parts.join("")),
        ),
        (source) => {
          const result = parseStorage(source);
          if (!result.ok) expect(result.error.code).toBe("STORAGE_MALFORMED");
        },
      ),
      { numRuns: 2000 },
    );
  });
});

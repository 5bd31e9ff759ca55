import { randomUUID } from "node:crypto";
import { SaxesParser } from "saxes";
import { storageXhtmlEntities } from "./storageXhtml";

/** Elements the Cloud editor gives an `ac:local-id`, and those it gives a plain `local-id`. */
const AC_LOCAL_ID = new Set(["table", "tr", "th", "td"]);
const LOCAL_ID = new Set(["p", "h1", "h2", "h3", "h4", "h5", "h6", "li"]);
/** Inline marks the editor splits around a link, so the link is never inside one. */
const MARKS = new Set(["strong", "em", "u", "s", "sub", "sup", "code"]);

/**
 * What Confluence does to storage XHTML when it saves it (docs/references.md#what-confluence-changes-on-save), the
 * default of the `storageNormalization` seed setting (`confluence`), so every test and the demo run against a service
 * that does not hand back the bytes it was given:
 * - macros gain `ac:schema-version="1"` and an `ac:macro-id`;
 * - `table`, `tr`, `th` and `td` gain an `ac:local-id`, paragraphs, headings and list items a `local-id` (ids already
 *   there are kept, as the editor keeps them; so a client that copies one leaves a duplicate on the page);
 * - marks are split around links: `<strong>a <a>b</a></strong>` is stored `<strong>a </strong><a><strong>b</strong></a>`;
 * - `style` attributes are rewritten: declarations trimmed, `; `-separated and `;`-terminated, `rgb()` colours as hex;
 * - the document is re-serialised: self-closing tags as `<br />`, attributes double-quoted;
 * - `<b>` → `<strong>`, `<i>` → `<em>`;
 * - entities are decoded, no-break spaces come back as `&nbsp;`, other characters as themselves.
 * CDATA sections and comments are kept verbatim. Expects a body that storageXhtmlError accepted.
 */
export function normalizeStorageLikeConfluence(value: string): string {
  const parser = new SaxesParser({ fragment: true });
  parser.ENTITIES = storageXhtmlEntities();
  const renamed: Record<string, string> = { b: "strong", i: "em" };
  // Open elements, with the marks a link re-opened inside itself (closed again at its end).
  const open: Array<{ name: string; startTag: string; innerMarks: string[] }> = [];
  let out = "";
  parser.on("opentag", (tag) => {
    const name = renamed[tag.name] ?? tag.name;
    const attributes = { ...(tag.attributes as Record<string, string>) };
    if (name === "ac:structured-macro") {
      attributes["ac:schema-version"] ??= "1";
      attributes["ac:macro-id"] ??= randomUUID();
    }
    if (AC_LOCAL_ID.has(name)) attributes["ac:local-id"] ??= randomUUID();
    if (LOCAL_ID.has(name)) attributes["local-id"] ??= randomUUID();
    if (attributes.style !== undefined) attributes.style = rewriteStyle(attributes.style);
    const rendered = Object.entries(attributes)
      .map(([key, v]) => ` ${key}="${escapeAttribute(v)}"`)
      .join("");
    const startTag = `<${name}${rendered}`;
    if (tag.isSelfClosing) {
      out += `${startTag} />`;
      return;
    }
    let innerMarks: string[] = [];
    if (name === "a") {
      const marks = enclosingMarks(open);
      for (const mark of [...marks].reverse()) out += `</${mark.name}>`;
      out += `${startTag}>`;
      for (const mark of marks) out += `${mark.startTag}>`;
      innerMarks = marks.map((mark) => mark.name);
    } else out += `${startTag}>`;
    open.push({ name, startTag, innerMarks });
  });
  parser.on("closetag", (tag) => {
    if (tag.isSelfClosing) return;
    const element = open.pop();
    const name = renamed[tag.name] ?? tag.name;
    if (element === undefined || element.innerMarks.length === 0) {
      out += `</${name}>`;
      return;
    }
    for (const mark of [...element.innerMarks].reverse()) out += `</${mark}>`;
    out += `</${name}>`;
    for (const mark of enclosingMarks(open)) out += `${mark.startTag}>`;
  });
  parser.on("text", (text) => {
    out += escapeText(text);
  });
  parser.on("cdata", (cdata) => {
    out += `<![CDATA[${cdata}]]>`;
  });
  parser.on("comment", (comment) => {
    out += `<!--${comment}-->`;
  });
  parser.write(value).close();
  return dropEmptyMarks(out);
}

/** The marks open right around the current position (up to the nearest element that is not a mark). */
function enclosingMarks(
  open: ReadonlyArray<{ name: string; startTag: string }>,
): Array<{ name: string; startTag: string }> {
  const marks: Array<{ name: string; startTag: string }> = [];
  for (let index = open.length - 1; index >= 0; index -= 1) {
    const element = open[index]!;
    if (!MARKS.has(element.name)) break;
    marks.unshift(element);
  }
  return marks;
}

/** Splitting around a link can leave `<strong></strong>` behind; the editor does not store empty marks. */
function dropEmptyMarks(text: string): string {
  let previous: string;
  let current = text;
  do {
    previous = current;
    current = current.replace(/<(strong|em|u|s|sub|sup|code)(?:\s[^>]*)?><\/\1>/g, "");
  } while (current !== previous);
  return current;
}

function rewriteStyle(style: string): string {
  const declarations = style
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part.includes(":"))
    .map((part) => {
      const colon = part.indexOf(":");
      const property = part.slice(0, colon).trim().toLowerCase();
      const value = part
        .slice(colon + 1)
        .trim()
        .replace(
          /rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)/gi,
          (_, r, g, b) =>
            `#${[r, g, b].map((c: string) => Math.min(255, Number(c)).toString(16).padStart(2, "0")).join("")}`,
        );
      return `${property}: ${value};`;
    });
  return declarations.join(" ");
}

function escapeText(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\u00a0/g, "&nbsp;");
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
}

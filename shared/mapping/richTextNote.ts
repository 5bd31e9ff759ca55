import { decodeHTML } from "entities";
import { escapeText } from "./cellRendering";

/**
 * SharePoint rich-text notes hold HTML. The sync carries their text, so it accepts only HTML that *is* plain text laid
 * out in paragraphs (`div`, `p`, `br`, unstyled `span`): anything that formats (bold, links, lists, colours) would be
 * lost on the way to a Confluence text cell, and is refused instead.
 */
export type RichTextReading = { ok: true; lines: string[] } | { ok: false; element: string };

const TAG = /<(\/?)([A-Za-z][A-Za-z0-9]*)([^>]*)>/g;
const PARAGRAPHS = new Set(["div", "p"]);

export function readRichTextLines(html: string): RichTextReading {
  const lines: string[] = [];
  const opened: number[] = []; // lines count when each open paragraph started
  let buffer = "";
  let last = 0;
  const flushIfText = (): void => {
    if (buffer.trim() !== "") lines.push(buffer);
    buffer = "";
  };
  for (const match of html.matchAll(TAG)) {
    buffer += decodeHTML(html.slice(last, match.index)).replace(/[\t\n\r ]+/g, " ");
    last = match.index + match[0].length;
    const [, closing, rawName = "", attributes = ""] = match;
    const name = rawName.toLowerCase();
    if (name === "br") {
      lines.push(buffer);
      buffer = "";
    } else if (PARAGRAPHS.has(name)) {
      if (/\bstyle\s*=/.test(attributes) && !/style\s*=\s*["']\s*["']/.test(attributes))
        return { ok: false, element: `${name} style` };
      if (closing === "") {
        flushIfText();
        opened.push(lines.length);
      } else {
        const linesAtOpen = opened.pop() ?? lines.length;
        if (buffer.trim() !== "" || lines.length === linesAtOpen) lines.push(buffer);
        buffer = "";
      }
    } else if (name === "span") {
      if (/\bstyle\s*=/.test(attributes)) return { ok: false, element: "span style" };
    } else {
      return { ok: false, element: name };
    }
  }
  buffer += decodeHTML(html.slice(last)).replace(/[\t\n\r ]+/g, " ");
  flushIfText();
  return { ok: true, lines };
}

/** Lines as SharePoint rich text: one paragraph each; an empty line is a paragraph holding a no-break space. */
export function writeRichTextLines(lines: readonly string[]): string {
  return lines.map((line) => `<p>${line === "" ? "&#160;" : escapeText(line)}</p>`).join("");
}

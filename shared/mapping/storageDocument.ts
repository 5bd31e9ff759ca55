import { parseXml, XmlCdata, XmlElement, XmlError, XmlText, type XmlNode } from "@rgrove/parse-xml";
import { decodeHTMLStrict } from "entities";
import { StoragePageError } from "./storagePageError";

/**
 * A Confluence page body in storage format, parsed into a tree that remembers where every node sits in the source.
 * The source is kept verbatim: patches splice new text into it at those offsets, so every byte outside the changed
 * ranges stays as Confluence stored it.
 */
export interface StorageDocument {
  /** The page id, when known: errors and reports name it. */
  readonly pageId?: string;
  /** The storage XHTML exactly as read. Offsets below are UTF-16 code-unit indexes into it. */
  readonly source: string;
  /** Top-level nodes (storage is a fragment: there is no single root). */
  readonly children: readonly StorageNode[];
}

export type StorageNode = StorageElement | StorageText;

export interface StorageElement {
  readonly type: "element";
  /** Qualified name as written, prefix included: `td`, `ac:structured-macro`, `ri:user`. */
  readonly name: string;
  /** Attribute values with entities decoded. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly StorageNode[];
  /** `source.slice(start, end)` is the whole element, tags included. */
  readonly start: number;
  readonly end: number;
  /** `source.slice(innerStart, innerEnd)` is the content between the tags; both equal `end` when self-closing. */
  readonly innerStart: number;
  readonly innerEnd: number;
  readonly selfClosing: boolean;
}

export interface StorageText {
  readonly type: "text";
  /** Decoded text: entities resolved, CDATA unwrapped. */
  readonly text: string;
  readonly cdata: boolean;
  readonly start: number;
  readonly end: number;
}

export type StorageParseResult = { ok: true; document: StorageDocument } | { ok: false; error: StoragePageError };

// Storage is a fragment with undeclared `ac:`/`ri:`/`at:` prefixes: wrap it in one root that declares them. The
// wrapper sits on the first line, so only columns on line 1 shift, by its length.
const ROOT_OPEN =
  '<storage-root xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier" xmlns:at="http://atlassian.com/template">';
const ROOT_CLOSE = "</storage-root>";

/**
 * Parses a storage-format body. Well-formedness is checked as strictly as Confluence checks it on save (unclosed or
 * mismatched tags, bare `&`, `<` in attribute values, unknown entities): such a body yields `STORAGE_MALFORMED` with
 * the line and column, never a silently repaired tree. HTML named entities (`&nbsp;`, `&rsquo;`, …), which plain XML
 * does not define, are resolved from the HTML5 entity table. Never throws.
 */
export function parseStorage(source: string, options: { pageId?: string } = {}): StorageParseResult {
  const { pageId } = options;
  let root: XmlElement | null;
  try {
    root = parseXml(ROOT_OPEN + source + ROOT_CLOSE, {
      includeOffsets: true,
      preserveCdata: true,
      resolveUndefinedEntity: resolveHtmlEntity,
    }).root;
  } catch (error) {
    return { ok: false, error: malformed(error, source, pageId) };
  }
  if (root === null) return { ok: false, error: new StoragePageError("STORAGE_MALFORMED", "the body has no content root", { pageId }) };
  const children = convertChildren(root, source, ROOT_OPEN.length);
  return { ok: true, document: pageId === undefined ? { source, children } : { pageId, source, children } };
}

function resolveHtmlEntity(reference: string): string | null {
  // `reference` is the whole `&name;`; the strict decoder leaves unknown names untouched.
  const decoded = decodeHTMLStrict(reference);
  return decoded === reference ? null : decoded;
}

function malformed(error: unknown, source: string, pageId: string | undefined): StoragePageError {
  if (!(error instanceof XmlError)) {
    return new StoragePageError("STORAGE_MALFORMED", `the body cannot be parsed: ${String(error)}`, { pageId }, { cause: error });
  }
  // XmlError's message repeats the position and an excerpt of the wrapped text; keep only the reason.
  const offset = error.pos - ROOT_OPEN.length;
  let reason = error.message.replace(/\s*\(line \d+, column \d+\)[\s\S]*$/, "");
  // An end tag with no open element closes our wrapper as far as the parser knows; say what it is in the page.
  if (reason.includes("storage-root")) reason = `end tag ${/^<\/[^>]*>/.exec(source.slice(offset))?.[0] ?? ""} has no matching start tag`.replace("  ", " ");
  if (offset >= source.length) {
    return new StoragePageError("STORAGE_MALFORMED", `not well-formed storage XHTML: ${reason} (at the end of the body)`, { pageId }, { cause: error });
  }
  const { line, column } = lineAndColumn(source, Math.max(0, offset));
  return new StoragePageError(
    "STORAGE_MALFORMED",
    `not well-formed storage XHTML: ${reason} (line ${line}, column ${column})`,
    { pageId, line, lineColumn: column },
    { cause: error },
  );
}

function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = source.indexOf("\n"); index !== -1 && index < offset; index = source.indexOf("\n", index + 1)) {
    line += 1;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function convertChildren(parent: XmlElement, source: string, shift: number): StorageNode[] {
  const nodes: StorageNode[] = [];
  for (const child of parent.children) {
    const node = convertNode(child, source, shift);
    if (node !== undefined) nodes.push(node);
  }
  return nodes;
}

function convertNode(node: XmlNode, source: string, shift: number): StorageNode | undefined {
  if (node instanceof XmlElement) {
    const start = node.start - shift;
    const end = node.end - shift;
    const tagEnd = startTagEnd(source, start);
    const selfClosing = source.charCodeAt(tagEnd - 2) === 0x2f; // "/>"
    return {
      type: "element",
      name: node.name,
      attributes: node.attributes,
      children: convertChildren(node, source, shift),
      start,
      end,
      innerStart: selfClosing ? end : tagEnd,
      // The end tag is the last `</` of the element: an end tag holds no other `<`.
      innerEnd: selfClosing ? end : source.lastIndexOf("</", end - 1),
      selfClosing,
    };
  }
  // XmlCdata extends XmlText: test it first.
  if (node instanceof XmlCdata) return { type: "text", text: node.text, cdata: true, start: node.start - shift, end: node.end - shift };
  if (node instanceof XmlText) return { type: "text", text: node.text, cdata: false, start: node.start - shift, end: node.end - shift };
  return undefined; // comments and processing instructions carry no content
}

/** Offset just past the `>` of the start tag beginning at `start`. Attribute values may contain `>`, so skip quotes. */
function startTagEnd(source: string, start: number): number {
  let quote = 0;
  for (let index = start + 1; index < source.length; index += 1) {
    const code = source.charCodeAt(index);
    if (quote !== 0) {
      if (code === quote) quote = 0;
    } else if (code === 0x22 || code === 0x27) {
      quote = code;
    } else if (code === 0x3e) {
      return index + 1;
    }
  }
  return source.length;
}

/** The element children of a node, in order. */
export function childElements(node: { readonly children: readonly StorageNode[] }): StorageElement[] {
  return node.children.filter((child): child is StorageElement => child.type === "element");
}

/** The raw start tag of an element, e.g. `<td data-highlight-colour="#deebff">` (self-closing tags end in `/>`). */
export function startTagSource(document: StorageDocument, element: StorageElement): string {
  return document.source.slice(element.start, element.selfClosing ? element.end : element.innerStart);
}

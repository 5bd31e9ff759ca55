import { decodeHTMLStrict } from "entities";
import { SaxesParser } from "saxes";
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
}

export type StorageParseResult = { ok: true; document: StorageDocument } | { ok: false; error: StoragePageError };

type MutableElement = { -readonly [K in keyof StorageElement]: K extends "children" ? StorageNode[] : StorageElement[K] };

/**
 * Parses a storage-format body. Well-formedness is checked as strictly as Confluence checks it on save (unclosed or
 * mismatched tags, bare `&`, `<` in attribute values, duplicate attributes, characters XML forbids, unknown
 * entities): such a body yields `STORAGE_MALFORMED` with the line and column, never a silently repaired tree. HTML
 * named entities (`&nbsp;`, `&rsquo;`, …), which plain XML does not define, are resolved from the HTML5 entity table.
 * The body is a fragment (many top-level nodes, undeclared `ac:`/`ri:` prefixes), parsed as such. Never throws.
 */
export function parseStorage(source: string, options: { pageId?: string } = {}): StorageParseResult {
  const { pageId } = options;
  const parser = new SaxesParser({ fragment: true, xmlns: false, position: true });
  parser.ENTITIES = HTML_ENTITIES;
  const top: StorageNode[] = [];
  const open: MutableElement[] = [];
  const add = (node: StorageNode): void => {
    (open[open.length - 1]?.children ?? top).push(node);
  };
  // saxes reports positions just past the `>` of the tag it has read, as code-unit indexes into the source.
  parser.on("opentag", (tag) => {
    const innerStart = parser.position;
    // `<` cannot occur inside attribute values, so the last one before the `>` opens this tag.
    const element: MutableElement = {
      type: "element",
      name: tag.name,
      attributes: tag.attributes,
      children: [],
      start: source.lastIndexOf("<", innerStart - 1),
      end: innerStart,
      innerStart,
      innerEnd: innerStart,
      selfClosing: tag.isSelfClosing,
    };
    add(element);
    open.push(element);
  });
  parser.on("closetag", () => {
    const element = open.pop();
    if (element === undefined) return;
    element.end = parser.position;
    if (element.selfClosing) element.innerStart = element.end;
    // The end tag is the last `</` of the element: an end tag holds no other `<`.
    element.innerEnd = element.selfClosing ? element.end : source.lastIndexOf("</", element.end - 1);
  });
  parser.on("text", (text) => add({ type: "text", text, cdata: false }));
  parser.on("cdata", (text) => add({ type: "text", text, cdata: true }));
  parser.on("error", (error) => {
    throw error;
  });
  try {
    parser.write(source).close();
  } catch (error) {
    return { ok: false, error: malformed(error, parser.line, parser.column, pageId) };
  }
  return { ok: true, document: pageId === undefined ? { source, children: top } : { pageId, source, children: top } };
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const resolvedEntities = new Map<string, string | undefined>();

/**
 * The named entities a page may use: XML's five plus every HTML5 name (`&nbsp;`, `&rsquo;`, …), resolved when the
 * parser meets one. saxes looks entities up by property, so a proxy answers for the whole HTML table without copying
 * it; unknown names (and names like `constructor`) stay undefined, which saxes reports as an error.
 */
const HTML_ENTITIES: Record<string, string> = new Proxy(
  {},
  {
    get(_target, name): string | undefined {
      if (typeof name !== "string") return undefined;
      if (Object.hasOwn(XML_ENTITIES, name)) return XML_ENTITIES[name];
      if (!resolvedEntities.has(name)) {
        const reference = `&${name};`;
        const decoded = /^[A-Za-z][A-Za-z0-9]*$/.test(name) ? decodeHTMLStrict(reference) : reference;
        resolvedEntities.set(name, decoded === reference ? undefined : decoded);
      }
      return resolvedEntities.get(name);
    },
  },
);

function malformed(error: unknown, line: number, column: number, pageId: string | undefined): StoragePageError {
  const reason = (error instanceof Error ? error.message : String(error)).replace(/^\d+:\d+:\s*/, "").replace(/\.$/, "");
  // saxes counts lines from 1 and columns from 0.
  return new StoragePageError(
    "STORAGE_MALFORMED",
    `not well-formed storage XHTML: ${reason} (line ${line}, column ${column + 1})`,
    { ...(pageId === undefined ? {} : { pageId }), line, lineColumn: column + 1 },
    { cause: error },
  );
}

/** The element children of a node, in order. */
export function childElements(node: { readonly children: readonly StorageNode[] }): StorageElement[] {
  return node.children.filter((child): child is StorageElement => child.type === "element");
}

/** The raw start tag of an element, e.g. `<td data-highlight-colour="#deebff">` (self-closing tags end in `/>`). */
export function startTagSource(document: StorageDocument, element: StorageElement): string {
  return document.source.slice(element.start, element.selfClosing ? element.end : element.innerStart);
}

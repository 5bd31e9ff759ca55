import { SaxesParser, type SaxesTagPlain } from "saxes";
import { decodeCharacterData, normaliseLineEnds, resolveNamedEntity } from "./storageEntities";
import { StoragePageError } from "./storagePageError";

/**
 * Index of a node in its document's node table. Nodes are numbered in document order (an element before its
 * content), so an element's descendants are the nodes after it up to `subtreeEnd`.
 */
export type NodeId = number;

/** "No such node", as `firstChild` / `nextSibling` / `parent` answer it. */
export const NO_NODE: NodeId = -1;

/**
 * A Confluence page body in storage format, parsed into a table of nodes that remembers where every node sits in the
 * source. The source is kept verbatim: patches splice new text into it at those offsets, so every byte outside the
 * changed ranges stays as Confluence stored it.
 *
 * The table is flat (typed arrays of offsets, interned names): a 2,000-row page has ~120,000 nodes, and one object per
 * node made parsing mostly garbage collection. Text is decoded when asked for, from its source range. Object views
 * (`children`, `element`) are made on demand for callers that want a tree.
 */
export interface StorageDocument {
  /** The page id, when known: errors and reports name it. */
  readonly pageId?: string;
  /** The storage XHTML exactly as read. Offsets are UTF-16 code-unit indexes into it. */
  readonly source: string;
  /** Top-level nodes (storage is a fragment: there is no single root), as object views. */
  readonly children: readonly StorageNode[];
  /** How many nodes the page has; ids run from 0 to `nodeCount - 1`. */
  readonly nodeCount: number;
  isElement(node: NodeId): boolean;
  /** Whether a text node came from a CDATA section (its text is taken literally). */
  isCdata(node: NodeId): boolean;
  /** Qualified element name as written, prefix included (`td`, `ac:structured-macro`); `""` for text. */
  name(node: NodeId): string;
  /** Attribute values with entities decoded (an element without attributes shares one empty record). */
  attributes(node: NodeId): Readonly<Record<string, string>>;
  /** Decoded text of a text node: entities resolved, line ends normalised, CDATA unwrapped. `""` for elements. */
  text(node: NodeId): string;
  /** `source.slice(start, end)` is the whole element, tags included, or a text node's raw source. */
  start(node: NodeId): number;
  end(node: NodeId): number;
  /** `source.slice(innerStart, innerEnd)` is the content between the tags; both equal `end` when self-closing. */
  innerStart(node: NodeId): number;
  innerEnd(node: NodeId): number;
  selfClosing(node: NodeId): boolean;
  parent(node: NodeId): NodeId;
  firstChild(node: NodeId): NodeId;
  nextSibling(node: NodeId): NodeId;
  /** The id after the node's last descendant: its descendants are `node + 1 … subtreeEnd(node) - 1`. */
  subtreeEnd(node: NodeId): NodeId;
  /** The first top-level node, or `NO_NODE` for an empty page. */
  readonly firstTopLevel: NodeId;
  /** The object view of a node; the same object each time it is asked for. */
  node(node: NodeId): StorageNode;
  element(node: NodeId): StorageElement;
  /** Ids of every `<table>` element, in document order. */
  readonly tableNodes: readonly NodeId[];
}

export type StorageNode = StorageElement | StorageText;

/** Object view of an element of a parsed page. */
export interface StorageElement {
  readonly type: "element";
  /** The element's id in its document's node table. */
  readonly node: NodeId;
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly StorageNode[];
  readonly start: number;
  readonly end: number;
  readonly innerStart: number;
  readonly innerEnd: number;
  readonly selfClosing: boolean;
}

/** Object view of a text node. */
export interface StorageText {
  readonly type: "text";
  readonly node: NodeId;
  /** Decoded text: entities resolved, CDATA unwrapped. */
  readonly text: string;
  readonly cdata: boolean;
}

export type StorageParseResult = { ok: true; document: StorageDocument } | { ok: false; error: StoragePageError };

/**
 * Parses a storage-format body. Well-formedness is checked as strictly as Confluence checks it on save (unclosed or
 * mismatched tags, bare `&`, `<` in attribute values, duplicate attributes, characters XML forbids, unknown
 * entities): such a body yields `STORAGE_MALFORMED` with the line and column, never a silently repaired tree. HTML
 * named entities (`&nbsp;`, `&rsquo;`, …), which plain XML does not define, are resolved from the HTML5 entity table.
 * The body is a fragment (many top-level nodes, undeclared `ac:`/`ri:` prefixes), parsed as such. Never throws.
 */
export function parseStorage(source: string, options: { pageId?: string } = {}): StorageParseResult {
  sharedTokenizer ??= new StorageTokenizer();
  const result = sharedTokenizer.parse(source, options.pageId);
  // A parser stopped mid-document keeps that document's state; the next page gets a fresh one.
  if (!result.ok) sharedTokenizer = undefined;
  return result;
}

let sharedTokenizer: StorageTokenizer | undefined;

const KIND_ELEMENT = 0;
const KIND_TEXT = 1;
const KIND_CDATA = 2;
const FLAG_SELF_CLOSING = 1;
// Prototype-free, like saxes' own records, so a lookup of `constructor` or `toString` finds nothing.
const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);
const LESS_THAN = "<";

/**
 * Fills a node table from saxes' markup events. Only markup is listened to: with no text handler saxes still checks
 * text (entities, forbidden characters, `]]>`) but builds no strings, and a text node is the gap between two pieces
 * of markup (text holds no raw `<`, so the next markup starts at the first `<` after the previous one ended).
 *
 * One tokenizer (one saxes parser, one set of handlers) serves every page; `close()` resets the parser. A parser per
 * page added its handlers as new properties each time, and the objects of one parse all died before the next: once a
 * full garbage collection had dropped their hidden classes, V8 discarded its optimised tokenizer code, and after a
 * few such rounds stopped optimising it at all (parsing 4–5× slower for the life of the process). A long-lived
 * tokenizer keeps those shapes alive.
 */
class StorageTokenizer {
  readonly #parser = new SaxesParser({ fragment: true, xmlns: false, position: true });
  /** The last tag saxes reported, kept only so that its hidden class outlives the parse (see above). */
  #lastTag: SaxesTagPlain | undefined;
  #source = "";
  #count = 0;
  #kinds = new Uint8Array(0);
  #flags = new Uint8Array(0);
  #starts = new Int32Array(0);
  #ends = new Int32Array(0);
  #innerStarts = new Int32Array(0);
  #innerEnds = new Int32Array(0);
  #parents = new Int32Array(0);
  #subtreeEnds = new Int32Array(0);
  #nameIds = new Int32Array(0);
  #attributes: Array<Readonly<Record<string, string>>> = [];
  #names: string[] = [];
  #nameIndex = new Map<string, number>();
  #tables: NodeId[] = [];
  #open: NodeId[] = [];
  /** Source offset just past the last markup read. */
  #markupEnd = 0;

  constructor() {
    const parser = this.#parser;
    // saxes reports positions just past the last character it has read, as code-unit indexes into the source.
    parser.on("opentag", (tag) => this.#openElement(tag, parser.position));
    parser.on("closetag", () => this.#closeElement(parser.position));
    parser.on("cdata", () => this.#cdata(parser.position));
    // Reported on reading the `--` of `-->`; saxes fails on anything but the `>` that must follow.
    parser.on("comment", () => this.#skipMarkup(parser.position + 1));
    parser.on("processinginstruction", () => this.#skipMarkup(parser.position));
    parser.on("error", (error) => {
      throw error;
    });
  }

  parse(source: string, pageId: string | undefined): StorageParseResult {
    this.#begin(source);
    const parser = this.#parser;
    parser.ENTITIES = HTML_ENTITIES;
    try {
      parser.write(source).close();
    } catch (error) {
      this.#begin("");
      return { ok: false, error: malformed(error, parser.line, parser.column, pageId) };
    }
    return { ok: true, document: this.#finish(pageId) };
  }

  #begin(source: string): void {
    this.#source = source;
    this.#count = 0;
    // Markup and text alternate, and the shortest tag is 3 characters: a rough first guess, grown on demand.
    const capacity = source === "" ? 0 : Math.max(16, source.length >> 4);
    this.#kinds = new Uint8Array(capacity);
    this.#flags = new Uint8Array(capacity);
    this.#starts = new Int32Array(capacity);
    this.#ends = new Int32Array(capacity);
    this.#innerStarts = new Int32Array(capacity);
    this.#innerEnds = new Int32Array(capacity);
    this.#parents = new Int32Array(capacity);
    this.#subtreeEnds = new Int32Array(capacity);
    this.#nameIds = new Int32Array(capacity);
    this.#attributes = [];
    this.#names = [""];
    this.#nameIndex = new Map();
    this.#tables = [];
    this.#open = [];
    this.#markupEnd = 0;
  }

  #finish(pageId: string | undefined): StorageDocument {
    this.#text(this.#markupEnd, this.#source.length);
    const count = this.#count;
    const document = new ParsedStorage({
      ...(pageId === undefined ? {} : { pageId }),
      source: this.#source,
      count,
      kinds: this.#kinds.subarray(0, count),
      flags: this.#flags.subarray(0, count),
      starts: this.#starts.subarray(0, count),
      ends: this.#ends.subarray(0, count),
      innerStarts: this.#innerStarts.subarray(0, count),
      innerEnds: this.#innerEnds.subarray(0, count),
      parents: this.#parents.subarray(0, count),
      subtreeEnds: this.#subtreeEnds.subarray(0, count),
      nameIds: this.#nameIds.subarray(0, count),
      names: this.#names,
      attributes: this.#attributes,
      tables: this.#tables,
    });
    // The document owns the table now; drop the tokenizer's references to it.
    this.#begin("");
    return document;
  }

  #openElement(tag: SaxesTagPlain, position: number): void {
    this.#lastTag = tag;
    const start = this.#nextMarkup();
    const node = this.#add(KIND_ELEMENT, start, position);
    this.#innerStarts[node] = position;
    this.#innerEnds[node] = position;
    if (tag.isSelfClosing) this.#flags[node] = FLAG_SELF_CLOSING;
    const { name } = tag;
    let nameId = this.#nameIndex.get(name);
    if (nameId === undefined) {
      nameId = this.#names.length;
      this.#names.push(name);
      this.#nameIndex.set(name, nameId);
    }
    this.#nameIds[node] = nameId;
    if (name === "table") this.#tables.push(node);
    // Most elements have no attributes: share one empty record rather than keep saxes' per-tag dictionary.
    this.#attributes[node] = hasAttributes(this.#source, start + 1 + name.length, position) ? tag.attributes : NO_ATTRIBUTES;
    this.#open.push(node);
    this.#markupEnd = position;
  }

  #closeElement(position: number): void {
    const node = this.#open[this.#open.length - 1];
    if (node === undefined) return;
    if (this.#flags[node] !== FLAG_SELF_CLOSING) {
      // The end tag is the first markup after the content, whose last text is still the element's child. (Read the
      // offset before storing it: recording that text may grow, and so replace, the arrays.)
      const innerEnd = this.#nextMarkup();
      this.#innerEnds[node] = innerEnd;
    }
    this.#open.pop();
    this.#ends[node] = position;
    this.#subtreeEnds[node] = this.#count;
    this.#markupEnd = position;
  }

  #cdata(position: number): void {
    const start = this.#nextMarkup();
    // `<![CDATA[` is 9 characters and `]]>` 3: the node's range is the section's content.
    this.#add(KIND_CDATA, start + 9, position - 3);
    this.#markupEnd = position;
  }

  /** Comments and processing instructions are not nodes, but they end the text before them. */
  #skipMarkup(end: number): void {
    this.#nextMarkup();
    this.#markupEnd = end;
  }

  /** Records the text before the next markup and returns where that markup starts. */
  #nextMarkup(): number {
    const start = this.#source.indexOf(LESS_THAN, this.#markupEnd);
    this.#text(this.#markupEnd, start);
    return start;
  }

  #text(start: number, end: number): void {
    if (end > start) this.#add(KIND_TEXT, start, end);
  }

  #add(kind: number, start: number, end: number): NodeId {
    const node = this.#count;
    if (node === this.#kinds.length) this.#grow();
    this.#count = node + 1;
    this.#kinds[node] = kind;
    this.#starts[node] = start;
    this.#ends[node] = end;
    this.#parents[node] = this.#open[this.#open.length - 1] ?? NO_NODE;
    this.#subtreeEnds[node] = node + 1;
    if (kind !== KIND_ELEMENT) {
      this.#innerStarts[node] = start;
      this.#innerEnds[node] = end;
      this.#attributes[node] = NO_ATTRIBUTES;
    }
    return node;
  }

  #grow(): void {
    const capacity = this.#kinds.length * 2;
    const grown = <T extends Uint8Array | Int32Array>(array: T, make: (size: number) => T): T => {
      const next = make(capacity);
      next.set(array);
      return next;
    };
    this.#kinds = grown(this.#kinds, (size) => new Uint8Array(size));
    this.#flags = grown(this.#flags, (size) => new Uint8Array(size));
    this.#starts = grown(this.#starts, (size) => new Int32Array(size));
    this.#ends = grown(this.#ends, (size) => new Int32Array(size));
    this.#innerStarts = grown(this.#innerStarts, (size) => new Int32Array(size));
    this.#innerEnds = grown(this.#innerEnds, (size) => new Int32Array(size));
    this.#parents = grown(this.#parents, (size) => new Int32Array(size));
    this.#subtreeEnds = grown(this.#subtreeEnds, (size) => new Int32Array(size));
    this.#nameIds = grown(this.#nameIds, (size) => new Int32Array(size));
  }
}

/** Whether the rest of a start tag (after its name, up to its end) holds an attribute: every attribute has an `=`. */
function hasAttributes(source: string, from: number, tagEnd: number): boolean {
  for (let index = from; index < tagEnd; index += 1) if (source.charCodeAt(index) === 0x3d) return true;
  return false;
}

interface NodeTable {
  readonly pageId?: string;
  readonly source: string;
  readonly count: number;
  readonly kinds: Uint8Array;
  readonly flags: Uint8Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly innerStarts: Int32Array;
  readonly innerEnds: Int32Array;
  readonly parents: Int32Array;
  readonly subtreeEnds: Int32Array;
  readonly nameIds: Int32Array;
  readonly names: readonly string[];
  readonly attributes: ReadonlyArray<Readonly<Record<string, string>>>;
  readonly tables: readonly NodeId[];
}

class ParsedStorage implements StorageDocument {
  readonly pageId?: string;
  readonly source: string;
  readonly nodeCount: number;
  readonly tableNodes: readonly NodeId[];
  readonly #table: NodeTable;
  readonly #views: Array<StorageNode | undefined> = [];
  #children: StorageNode[] | undefined;

  constructor(table: NodeTable) {
    if (table.pageId !== undefined) this.pageId = table.pageId;
    this.source = table.source;
    this.nodeCount = table.count;
    this.tableNodes = table.tables;
    this.#table = table;
  }

  get children(): readonly StorageNode[] {
    this.#children ??= this.childViews(NO_NODE);
    return this.#children;
  }

  get firstTopLevel(): NodeId {
    return this.nodeCount > 0 ? 0 : NO_NODE;
  }

  isElement(node: NodeId): boolean {
    return this.#table.kinds[node] === KIND_ELEMENT;
  }

  isCdata(node: NodeId): boolean {
    return this.#table.kinds[node] === KIND_CDATA;
  }

  name(node: NodeId): string {
    return this.#table.names[this.#table.nameIds[node] ?? 0] ?? "";
  }

  attributes(node: NodeId): Readonly<Record<string, string>> {
    return this.#table.attributes[node] ?? NO_ATTRIBUTES;
  }

  text(node: NodeId): string {
    const kind = this.#table.kinds[node];
    if (kind === KIND_ELEMENT) return "";
    const raw = this.source.slice(this.start(node), this.end(node));
    return kind === KIND_CDATA ? normaliseLineEnds(raw) : decodeCharacterData(raw);
  }

  start(node: NodeId): number {
    return this.#table.starts[node] ?? 0;
  }

  end(node: NodeId): number {
    return this.#table.ends[node] ?? 0;
  }

  innerStart(node: NodeId): number {
    return this.#table.innerStarts[node] ?? 0;
  }

  innerEnd(node: NodeId): number {
    return this.#table.innerEnds[node] ?? 0;
  }

  selfClosing(node: NodeId): boolean {
    return this.#table.flags[node] === FLAG_SELF_CLOSING;
  }

  parent(node: NodeId): NodeId {
    return this.#table.parents[node] ?? NO_NODE;
  }

  subtreeEnd(node: NodeId): NodeId {
    return this.#table.subtreeEnds[node] ?? node + 1;
  }

  firstChild(node: NodeId): NodeId {
    return this.subtreeEnd(node) > node + 1 ? node + 1 : NO_NODE;
  }

  nextSibling(node: NodeId): NodeId {
    const parent = this.parent(node);
    const next = this.subtreeEnd(node);
    return next < (parent === NO_NODE ? this.nodeCount : this.subtreeEnd(parent)) ? next : NO_NODE;
  }

  node(node: NodeId): StorageNode {
    let view = this.#views[node];
    if (view === undefined) {
      view = this.isElement(node) ? new ElementView(this, node) : { type: "text", node, text: this.text(node), cdata: this.isCdata(node) };
      this.#views[node] = view;
    }
    return view;
  }

  element(node: NodeId): StorageElement {
    const view = this.node(node);
    if (view.type !== "element") throw new Error(`invariant: node ${node} is text, not an element`);
    return view;
  }

  /** Views of the children of a node (of the top level for `NO_NODE`). */
  childViews(parent: NodeId): StorageNode[] {
    const views: StorageNode[] = [];
    for (let child = parent === NO_NODE ? this.firstTopLevel : this.firstChild(parent); child !== NO_NODE; child = this.nextSibling(child)) views.push(this.node(child));
    return views;
  }
}

class ElementView implements StorageElement {
  readonly type = "element";
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly start: number;
  readonly end: number;
  readonly innerStart: number;
  readonly innerEnd: number;
  readonly selfClosing: boolean;
  readonly #document: ParsedStorage;
  #children: StorageNode[] | undefined;

  constructor(
    document: ParsedStorage,
    readonly node: NodeId,
  ) {
    this.#document = document;
    this.name = document.name(node);
    this.attributes = document.attributes(node);
    this.start = document.start(node);
    this.end = document.end(node);
    this.innerStart = document.innerStart(node);
    this.innerEnd = document.innerEnd(node);
    this.selfClosing = document.selfClosing(node);
  }

  get children(): readonly StorageNode[] {
    this.#children ??= this.#document.childViews(this.node);
    return this.#children;
  }

  /** The document an element view belongs to. */
  static documentOf(element: StorageElement): StorageDocument {
    if (!(element instanceof ElementView)) throw new TypeError("not an element of a parsed page");
    return element.#document;
  }
}

/**
 * Hidden classes outlive a parse only while an instance does. A page's node table, tables, cells and readers all die
 * between two sync runs; once a full garbage collection has dropped their hidden classes, V8 discards the optimised
 * code of every function that used them, and the next page is read by cold code (select + check of a 2,000-row
 * table took 5× as long). One instance of each hot class is therefore kept for the life of the process: this empty
 * page, and the `RESIDENT_*` instances beside the classes in `storageTable.ts` and `cellContent.ts`.
 */
export const EMPTY_STORAGE: StorageDocument = new ParsedStorage({
  source: "",
  count: 0,
  kinds: new Uint8Array(0),
  flags: new Uint8Array(0),
  starts: new Int32Array(0),
  ends: new Int32Array(0),
  innerStarts: new Int32Array(0),
  innerEnds: new Int32Array(0),
  parents: new Int32Array(0),
  subtreeEnds: new Int32Array(0),
  nameIds: new Int32Array(0),
  names: [""],
  attributes: [],
  tables: [],
});

/** The document an element view came from, for reading it by node id. */
export function documentOf(element: StorageElement): StorageDocument {
  return ElementView.documentOf(element);
}

/**
 * The named entities a page may use: XML's five plus every HTML5 name (`&nbsp;`, `&rsquo;`, …). saxes looks entities
 * up by property, so a proxy answers for the whole HTML table without copying it; unknown names (and names like
 * `constructor`) stay undefined, which saxes reports as an error.
 */
const HTML_ENTITIES: Record<string, string> = new Proxy(
  {},
  {
    get(_target, name): string | undefined {
      return typeof name === "string" ? resolveNamedEntity(name) : undefined;
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
export function startTagSource(document: StorageDocument, element: NodeId): string {
  return document.source.slice(document.start(element), document.selfClosing(element) ? document.end(element) : document.innerStart(element));
}

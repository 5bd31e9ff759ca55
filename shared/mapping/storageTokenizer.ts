import { SaxesParser, type SaxesTagPlain } from "saxes";
import type { NodeId, StorageDocument } from "./storageDocument";
import { resolveNamedEntity } from "./storageEntities";
import { NODE_STRIDE, NodeField, NodeInfo, ParsedStorage } from "./storageNodeTable";

/** Why saxes refused a page, and where (line from 1, column from 0, as saxes counts). */
export interface TokenizerFailure {
  readonly error: unknown;
  readonly line: number;
  readonly column: number;
}

const NO_NODE = -1;
const LESS_THAN = "<";
const NAME_CACHE_SIZE = 64;

/**
 * Builds a page's node table from saxes' markup events. Only markup is listened to: with no text handler saxes still
 * checks text (entities, forbidden characters, `]]>`) but builds no strings, and a text node is the gap between two
 * pieces of markup (text holds no raw `<`, so the next markup starts at the first `<` after the previous one ended).
 * Attributes are not kept either: saxes checks them, the node table notes that a tag has some, and they are read back
 * from the source when asked for.
 *
 * One tokenizer (one saxes parser, one set of handlers) serves every page; `close()` resets the parser. A parser per
 * page added its handlers as new properties each time, and the objects of one parse all died before the next: once a
 * full garbage collection had dropped their hidden classes, V8 discarded its optimised tokenizer code, and after a
 * few such rounds stopped optimising it at all (parsing 4–5× slower for the life of the process). A long-lived
 * tokenizer keeps those shapes alive.
 */
export class StorageTokenizer {
  readonly #parser = new SaxesParser({ fragment: true, xmlns: false, position: true });
  /** The last tag saxes reported, kept only so that its hidden class outlives the parse (see above). */
  #source = "";
  #count = 0;
  #rows = new Int32Array(0);
  #names: string[] = [];
  #nameIds = new Map<string, number>();
  #nameCache = new Int32Array(NAME_CACHE_SIZE);
  #tables: NodeId[] = [];
  #open: NodeId[] = [];
  /** Source offset just past the last markup read. */
  #markupEnd = 0;
  /** While resetting after a refused page: saxes' further complaints about it are not news. */
  #quiet = false;
  #broken = false;

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
      // The first error ends the parse (saxes would go on reading a page that is refused anyway).
      if (!this.#quiet) throw error;
    });
  }

  /** The page's node table, or why saxes refused it. */
  parse(
    source: string,
    pageId: string | undefined,
  ): { ok: true; document: StorageDocument } | { ok: false; failure: TokenizerFailure } {
    this.#begin(source);
    const parser = this.#parser;
    parser.ENTITIES = HTML_ENTITIES;
    try {
      parser.write(source).close();
    } catch (error) {
      const failure = { error, line: parser.line, column: parser.column };
      this.#abandon();
      return { ok: false, failure };
    }
    this.#text(this.#markupEnd, source.length);
    const count = this.#count;
    // Hand over exactly the rows used: a page is held for a whole sync run.
    const rows = this.#rows.length > count * NODE_STRIDE ? this.#rows.slice(0, count * NODE_STRIDE) : this.#rows;
    const document = new ParsedStorage({
      ...(pageId === undefined ? {} : { pageId }),
      source,
      count,
      rows,
      names: this.#names,
      tables: this.#tables,
    });
    this.#begin("");
    return { ok: true, document };
  }

  /** False once the parser could not be reset after a refused page: it must then be replaced. */
  get reusable(): boolean {
    return !this.#broken;
  }

  /**
   * Resets the parser after a refused page, keeping it (a new parser per refused page would bring back the lost
   * optimisations described above): `close()` ends the abandoned document, with its remaining complaints ignored.
   */
  #abandon(): void {
    this.#begin("");
    this.#quiet = true;
    try {
      this.#parser.close();
    } catch {
      this.#broken = true;
    } finally {
      this.#quiet = false;
    }
  }

  #begin(source: string): void {
    this.#source = source;
    this.#count = 0;
    // Room for a node per 8 characters, grown on demand: tables of short cells come close to that.
    this.#rows = new Int32Array(source === "" ? 0 : Math.max(16, source.length >> 3) * NODE_STRIDE);
    this.#names = [""];
    this.#nameIds = new Map();
    this.#nameCache.fill(0);
    this.#tables = [];
    this.#open = [];
    this.#markupEnd = 0;
  }

  #openElement(tag: SaxesTagPlain, position: number): void {
    const start = this.#nextMarkup();
    const node = this.#add(start, position);
    const { name } = tag;
    const nameId = this.#nameId(name);
    if (name === "table") this.#tables.push(node);
    let info = nameId << NodeInfo.NameShift;
    if (tag.isSelfClosing) info |= NodeInfo.SelfClosing;
    if (hasAttributes(this.#source, start + 1 + name.length, position)) info |= NodeInfo.HasAttributes;
    const row = node * NODE_STRIDE;
    const rows = this.#rows;
    rows[row + NodeField.InnerStart] = position;
    rows[row + NodeField.InnerEnd] = position;
    rows[row + NodeField.Info] = info;
    this.#open.push(node);
    this.#markupEnd = position;
  }

  #closeElement(position: number): void {
    const node = this.#open[this.#open.length - 1];
    if (node === undefined) return;
    const row = node * NODE_STRIDE;
    // The end tag is the first markup after the content, whose last text is still the element's child. (Read the
    // offset before indexing the rows: recording that text may grow, and so replace, them.)
    if ((this.#rows[row + NodeField.Info] ?? 0) & NodeInfo.SelfClosing) {
      // `<x/>`: no end tag, and the content is empty at the end of the tag (set when it opened).
    } else {
      const innerEnd = this.#nextMarkup();
      this.#rows[row + NodeField.InnerEnd] = innerEnd;
    }
    this.#open.pop();
    const rows = this.#rows;
    rows[row + NodeField.End] = position;
    rows[row + NodeField.SubtreeEnd] = this.#count;
    this.#markupEnd = position;
  }

  #cdata(position: number): void {
    const start = this.#nextMarkup();
    // `<![CDATA[` is 9 characters and `]]>` 3: the node's range is the section's content.
    this.#addText(start + 9, position - 3, NodeInfo.Cdata);
    this.#markupEnd = position;
  }

  /** Comments and processing instructions are not nodes, but they end the text before them. */
  #skipMarkup(end: number): void {
    this.#nextMarkup();
    this.#markupEnd = end;
  }

  /**
   * The name's id on this page. A page uses few names, over and over: a small cache keyed on the name's length and end
   * characters answers most tags with one string comparison, before the map (which hashes the whole, fresh string).
   */
  #nameId(name: string): number {
    const slot = (name.length * 7 + name.charCodeAt(0) * 3 + name.charCodeAt(name.length - 1)) & (NAME_CACHE_SIZE - 1);
    const cached = this.#nameCache[slot] ?? 0;
    if (this.#names[cached] === name) return cached;
    let nameId = this.#nameIds.get(name);
    if (nameId === undefined) {
      nameId = this.#names.length;
      this.#names.push(name);
      this.#nameIds.set(name, nameId);
    }
    this.#nameCache[slot] = nameId;
    return nameId;
  }

  /** Records the text before the next markup and returns where that markup starts. */
  #nextMarkup(): number {
    const from = this.#markupEnd;
    // Markup often follows markup directly: look at the next character before searching.
    const start = this.#source.charCodeAt(from) === 0x3c /* < */ ? from : this.#source.indexOf(LESS_THAN, from);
    this.#text(from, start);
    return start;
  }

  #text(start: number, end: number): void {
    if (end > start) this.#addText(start, end, NodeInfo.Text);
  }

  #addText(start: number, end: number, kind: NodeInfo.Text | NodeInfo.Cdata): void {
    const row = this.#add(start, end) * NODE_STRIDE;
    const rows = this.#rows;
    rows[row + NodeField.InnerStart] = start;
    rows[row + NodeField.InnerEnd] = end;
    rows[row + NodeField.Info] = kind;
  }

  /** A new row with its position in the tree; the caller fills in the rest. */
  #add(start: number, end: number): NodeId {
    const node = this.#count;
    const row = node * NODE_STRIDE;
    if (row + NODE_STRIDE > this.#rows.length) {
      const grown = new Int32Array(Math.max(16 * NODE_STRIDE, this.#rows.length * 2));
      grown.set(this.#rows);
      this.#rows = grown;
    }
    this.#count = node + 1;
    const rows = this.#rows;
    rows[row + NodeField.Start] = start;
    rows[row + NodeField.End] = end;
    rows[row + NodeField.Parent] = this.#open[this.#open.length - 1] ?? NO_NODE;
    rows[row + NodeField.SubtreeEnd] = node + 1;
    return node;
  }
}

/** Whether the rest of a start tag (after its name, up to its end) holds an attribute: every attribute has an `=`. */
function hasAttributes(source: string, from: number, tagEnd: number): boolean {
  for (let index = from; index < tagEnd; index += 1) if (source.charCodeAt(index) === 0x3d /* = */) return true;
  return false;
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

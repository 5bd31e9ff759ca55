import { attributeValue, startTagAttributes } from "./startTagAttributes";
import type { NodeId, StorageDocument, StorageElement, StorageNode } from "./storageDocument";
import { decodeCharacterData, normaliseLineEnds } from "./storageEntities";

/**
 * The parsed form of a page: one row of 32-bit integers per node, in document order, and the source it points into.
 * A 2,000-row table is ~100,000 nodes; one object per node made parsing mostly garbage collection, while these rows
 * are a few megabytes the collector never scans. Text and attribute values are decoded from the source when asked for.
 */
// biome-ignore lint/suspicious/noConstEnum: inlined as numbers in the parser's hot loop; never crosses a module boundary at run time
export const enum NodeField {
  /** `source.slice(start, end)` is the whole element, tags included; for text, its raw source (CDATA: the content). */
  Start = 0,
  End = 1,
  /** The content between the tags; both equal `End` when self-closing. For text, the same as `Start`/`End`. */
  InnerStart = 2,
  InnerEnd = 3,
  Parent = 4,
  /** The id after the node's last descendant. */
  SubtreeEnd = 5,
  /** Kind and flags in the low bits (`NodeInfo`), the element's name id above them. */
  Info = 6,
}

export const NODE_STRIDE = 7;

// biome-ignore lint/suspicious/noConstEnum: as NodeField
export const enum NodeInfo {
  Text = 1,
  Cdata = 2,
  KindMask = 3,
  SelfClosing = 4,
  HasAttributes = 8,
  // biome-ignore lint/suspicious/noDuplicateEnumValues: a shift count, not a flag: it equals SelfClosing by chance
  NameShift = 4,
}

/** The parts a tokenizer hands over. `rows` may be longer than `count * NODE_STRIDE`. */
export interface NodeTableParts {
  readonly pageId?: string;
  readonly source: string;
  readonly count: number;
  readonly rows: Int32Array;
  /** Element names by name id (id 0 is `""`, for text). */
  readonly names: readonly string[];
  readonly tables: readonly NodeId[];
}

const NO_NODE = -1;
// Prototype-free, like saxes' records, so a lookup of `constructor` or `toString` finds nothing.
const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);

export class ParsedStorage implements StorageDocument {
  readonly pageId?: string;
  readonly source: string;
  readonly nodeCount: number;
  readonly tableNodes: readonly NodeId[];
  readonly #rows: Int32Array;
  readonly #names: readonly string[];
  readonly #views: Array<StorageNode | undefined> = [];
  #children: StorageNode[] | undefined;

  constructor(parts: NodeTableParts) {
    if (parts.pageId !== undefined) this.pageId = parts.pageId;
    this.source = parts.source;
    this.nodeCount = parts.count;
    this.tableNodes = parts.tables;
    this.#rows = parts.rows;
    this.#names = parts.names;
  }

  get children(): readonly StorageNode[] {
    this.#children ??= this.childViews(NO_NODE);
    return this.#children;
  }

  get firstTopLevel(): NodeId {
    return this.nodeCount > 0 ? 0 : NO_NODE;
  }

  isElement(node: NodeId): boolean {
    return (this.#info(node) & NodeInfo.KindMask) === 0;
  }

  isCdata(node: NodeId): boolean {
    return (this.#info(node) & NodeInfo.KindMask) === NodeInfo.Cdata;
  }

  name(node: NodeId): string {
    return this.#names[this.#info(node) >>> NodeInfo.NameShift] ?? "";
  }

  attributes(node: NodeId): Readonly<Record<string, string>> {
    if ((this.#info(node) & NodeInfo.HasAttributes) === 0) return NO_ATTRIBUTES;
    const [from, to] = this.#attributeRange(node);
    return startTagAttributes(this.source, from, to);
  }

  attribute(node: NodeId, name: string): string | undefined {
    if ((this.#info(node) & NodeInfo.HasAttributes) === 0) return undefined;
    const [from, to] = this.#attributeRange(node);
    return attributeValue(this.source, from, to, name);
  }

  text(node: NodeId): string {
    const kind = this.#info(node) & NodeInfo.KindMask;
    if (kind === 0) return "";
    const raw = this.source.slice(this.start(node), this.end(node));
    return kind === NodeInfo.Cdata ? normaliseLineEnds(raw) : decodeCharacterData(raw);
  }

  start(node: NodeId): number {
    return this.#field(node, NodeField.Start);
  }

  end(node: NodeId): number {
    return this.#field(node, NodeField.End);
  }

  innerStart(node: NodeId): number {
    return this.#field(node, NodeField.InnerStart);
  }

  innerEnd(node: NodeId): number {
    return this.#field(node, NodeField.InnerEnd);
  }

  selfClosing(node: NodeId): boolean {
    return (this.#info(node) & NodeInfo.SelfClosing) !== 0;
  }

  parent(node: NodeId): NodeId {
    return node >= 0 && node < this.nodeCount ? this.#field(node, NodeField.Parent) : NO_NODE;
  }

  subtreeEnd(node: NodeId): NodeId {
    return node >= 0 && node < this.nodeCount ? this.#field(node, NodeField.SubtreeEnd) : node + 1;
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
      if (node < 0 || node >= this.nodeCount) throw new RangeError(`no node ${node} on this page`);
      view = this.isElement(node)
        ? new ElementView(this, node)
        : { kind: "text", node, text: this.text(node), cdata: this.isCdata(node) };
      this.#views[node] = view;
    }
    return view;
  }

  element(node: NodeId): StorageElement {
    const view = this.node(node);
    if (view.kind !== "element") throw new TypeError(`node ${node} is text, not an element`);
    return view;
  }

  /** Views of the children of a node (of the top level for `NO_NODE`). */
  childViews(parent: NodeId): StorageNode[] {
    const views: StorageNode[] = [];
    for (
      let child = parent === NO_NODE ? this.firstTopLevel : this.firstChild(parent);
      child !== NO_NODE;
      child = this.nextSibling(child)
    )
      views.push(this.node(child));
    return views;
  }

  #field(node: NodeId, field: NodeField): number {
    return this.#rows[node * NODE_STRIDE + field] ?? 0;
  }

  #info(node: NodeId): number {
    return node >= 0 && node < this.nodeCount ? this.#field(node, NodeField.Info) : NodeInfo.Text;
  }

  /** The part of the start tag after its name: `<name` + this + `>` (or `/>`). */
  #attributeRange(node: NodeId): [number, number] {
    const from = this.start(node) + 1 + this.name(node).length;
    return [from, this.selfClosing(node) ? this.end(node) : this.innerStart(node)];
  }
}

class ElementView implements StorageElement {
  readonly kind = "element";
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

  static documentOf(element: StorageElement): StorageDocument {
    if (!(element instanceof ElementView)) throw new TypeError("not an element of a parsed page");
    return element.#document;
  }
}

/** The document an element view came from, for reading it by node id. */
export function documentOf(element: StorageElement): StorageDocument {
  return ElementView.documentOf(element);
}

/**
 * Hidden classes outlive a parse only while an instance does. A page's node table, tables, cells and readers all die
 * between two sync runs; once a full garbage collection has dropped their hidden classes, V8 discards the optimised
 * code of every function that used them, and the next page is read by cold code (select + check of a 2,000-row
 * table took several times as long). One instance of each hot class is therefore kept for the life of the process:
 * this empty page, and the `RESIDENT_*` instances beside the classes in `storageTable.ts` and `cellContent.ts`.
 */
export const EMPTY_STORAGE: StorageDocument = new ParsedStorage({
  source: "",
  count: 0,
  rows: new Int32Array(0),
  names: [""],
  tables: [],
});

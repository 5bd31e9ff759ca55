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
 * Nodes are addressed by id (see `storageNodeTable.ts` for why the table is flat); text and attribute values are
 * decoded from the source when asked for. Object views (`children`, `node`, `element`) are made on demand for callers
 * that want a tree.
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
  /** Attribute values with entities decoded, in source order; a new record each call (read from the source). */
  attributes(node: NodeId): Readonly<Record<string, string>>;
  /** One attribute's decoded value, or `undefined`: cheaper than `attributes` when one is wanted. */
  attribute(node: NodeId, name: string): string | undefined;
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
  readonly kind: "element";
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
  readonly kind: "text";
  readonly node: NodeId;
  /** Decoded text: entities resolved, CDATA unwrapped. */
  readonly text: string;
  readonly cdata: boolean;
}

/** The element children of a node, in order. */
export function childElements(node: { readonly children: readonly StorageNode[] }): StorageElement[] {
  return node.children.filter((child): child is StorageElement => child.kind === "element");
}

/** The child elements of a node whose names are among `names`, in order. */
export function childElementsNamed(document: StorageDocument, parent: NodeId, ...names: string[]): NodeId[] {
  const found: NodeId[] = [];
  for (let child = document.firstChild(parent); child !== NO_NODE; child = document.nextSibling(child)) {
    if (document.isElement(child) && names.includes(document.name(child))) found.push(child);
  }
  return found;
}

/** The first child element of a node whose name is among `names`, or `NO_NODE`. */
export function firstChildNamed(document: StorageDocument, parent: NodeId, ...names: string[]): NodeId {
  for (let child = document.firstChild(parent); child !== NO_NODE; child = document.nextSibling(child)) {
    if (document.isElement(child) && names.includes(document.name(child))) return child;
  }
  return NO_NODE;
}

/** The raw start tag of an element, e.g. `<td data-highlight-colour="#deebff">` (self-closing tags end in `/>`). */
export function startTagSource(document: StorageDocument, element: NodeId): string {
  return document.source.slice(
    document.start(element),
    document.selfClosing(element) ? document.end(element) : document.innerStart(element),
  );
}

import type { StatusColour } from "./fieldFormat";
import {
  childElementsNamed,
  firstChildNamed,
  NO_NODE,
  type NodeId,
  type StorageDocument,
  type StorageElement,
} from "./storageDocument";
import { documentOf, EMPTY_STORAGE } from "./storageNodeTable";

/**
 * What a table cell says, read the way a person reads the rendered page: its text, and the typed things in it.
 * Macros' metadata, `ac:adf-fallback` copies and template placeholders are not content; inline-comment markers are
 * transparent (their text is kept).
 */
export interface CellContent {
  /**
   * The cell's text, one line per paragraph / list item / task / `<br />`; inline formatting flattened. Not yet
   * normalised: codecs apply their own canonical rules.
   */
  readonly text: string;
  /** The same text without the mentions' display text: what remains to read as e-mail addresses. */
  readonly textOutsideMentions: string;
  /** Typed readings in document order. */
  readonly readings: readonly CellReading[];
  /**
   * Set when the content nests elements deeper than `MAX_CONTENT_DEPTH`: what is deeper was not read, so text and
   * readings are incomplete. No person's cell nests that deep; a page edited to exhaust the stack does (a hostile
   * edit must cost one field, named, never the run: docs/field-mapping.md#reading-cells).
   */
  readonly tooDeep?: true;
}

/** How deep a cell's elements are read; real cells nest a few levels (a list in a panel in a table). */
export const MAX_CONTENT_DEPTH = 100;

export type CellReading =
  | {
      readonly kind: "status";
      readonly title: string;
      readonly colour: StatusColour | string;
      readonly subtle: boolean;
    }
  | { readonly kind: "mention"; readonly accountId: string; readonly text?: string }
  | { readonly kind: "date"; readonly datetime: string }
  | { readonly kind: "link"; readonly text: string; readonly target: LinkTarget }
  | { readonly kind: "task"; readonly complete: boolean; readonly text: string }
  | { readonly kind: "emoticon"; readonly name: string; readonly text: string };

export type LinkTarget =
  | { readonly kind: "url"; readonly href: string }
  | { readonly kind: "page"; readonly title: string; readonly spaceKey?: string }
  | { readonly kind: "attachment"; readonly filename: string }
  | { readonly kind: "anchor"; readonly anchor: string }
  | { readonly kind: "other"; readonly resource: string };

const BLOCK_ELEMENTS = new Set([
  "p",
  "div",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "li",
  "ul",
  "ol",
  "dl",
  "dt",
  "dd",
  "blockquote",
  "pre",
  "hr",
  "table",
  "thead",
  "tbody",
  "tfoot",
  "tr",
  "td",
  "th",
  "caption",
  "ac:task-list",
  "ac:task",
  "ac:rich-text-body",
  "ac:plain-text-body",
  "ac:layout",
  "ac:layout-section",
  "ac:layout-cell",
  "ac:adf-extension",
  "ac:adf-node",
  "ac:adf-content",
  "ac:structured-macro",
]);

/** Elements whose content is never page text: metadata, placeholders, the ADF renderer's duplicate. */
const SKIPPED_ELEMENTS = new Set([
  "ac:adf-fallback",
  "ac:adf-attribute",
  "ac:parameter",
  "ac:placeholder",
  "ac:task-id",
  "ac:task-uuid",
  "ac:task-status",
  "ac:image",
  "colgroup",
  "col",
  "ri:attachment",
  "ri:page",
  "ri:url",
  "ri:space",
  "ri:blog-post",
  "ri:content-entity",
  "ri:shortcut",
]);

/** Reads a cell (or any element) as text plus typed readings. Pure; linear in the size of the subtree. */
export function readCellContent(cell: StorageElement): CellContent {
  return readNodeContent(documentOf(cell), cell.node);
}

/** `readCellContent` by node id, for callers that walk the node table. */
export function readNodeContent(document: StorageDocument, cell: NodeId): CellContent {
  const reader = new ContentReader(document, true, 0);
  reader.children(cell);
  return reader.finish();
}

class ContentReader {
  readonly readings: CellReading[] = [];
  readonly #document: StorageDocument;
  readonly #collectReadings: boolean;
  #lines: string[] = [];
  #buffer = "";
  // The same text with mention text left out, kept line for line with the above once the first mention is met; until
  // then it is the same as the text.
  #plainLines: string[] | undefined;
  #plainBuffer = "";
  /** How many elements deep the reader is (the recursion depth, bounded by MAX_CONTENT_DEPTH). */
  #depth: number;
  tooDeep = false;

  constructor(document: StorageDocument, collectReadings: boolean, depth: number) {
    this.#document = document;
    this.#collectReadings = collectReadings;
    this.#depth = depth;
  }

  children(parent: NodeId): void {
    if (this.#depth >= MAX_CONTENT_DEPTH) {
      this.tooDeep = true;
      return;
    }
    this.#depth += 1;
    const document = this.#document;
    for (let node = document.firstChild(parent); node !== NO_NODE; node = document.nextSibling(node)) this.node(node);
    this.#depth -= 1;
  }

  node(node: NodeId): void {
    const document = this.#document;
    if (!document.isElement(node)) {
      const text = document.text(node);
      this.#append(document.isCdata(node) ? text : collapseWhitespace(text));
      return;
    }
    const name = document.name(node);
    if (SKIPPED_ELEMENTS.has(name)) return;
    switch (name) {
      case "br":
        this.#pushLine();
        return;
      case "time": {
        const datetime = document.attribute(node, "datetime") ?? "";
        this.#reading({ kind: "date", datetime });
        this.#append(datetime);
        return;
      }
      case "a":
        this.#anchor(node);
        return;
      case "ac:link":
        this.#link(node);
        return;
      case "ri:user": {
        // A bare user reference (not wrapped in ac:link) is still a mention.
        this.#mention(node, undefined, document.attribute(node, "data-display-name"));
        return;
      }
      case "ac:emoticon": {
        const attributes = document.attributes(node);
        const text =
          attributes["ac:emoji-fallback"] ??
          attributes["ac:emoji-shortname"] ??
          `:${attributes["ac:name"] ?? "emoticon"}:`;
        this.#reading({
          kind: "emoticon",
          name: attributes["ac:emoji-shortname"] ?? attributes["ac:name"] ?? "",
          text,
        });
        this.#append(text);
        return;
      }
      case "ac:structured-macro":
        this.#macro(node);
        return;
      case "ac:task":
        this.#task(node);
        return;
    }
    if (!BLOCK_ELEMENTS.has(name)) {
      this.children(node);
      return;
    }
    const block = this.#startBlock();
    this.children(node);
    this.#endBlock(block);
  }

  finish(): CellContent {
    const text = this.finishLines().join("\n");
    return {
      text,
      textOutsideMentions: this.#plainLines === undefined ? text : this.#plainLines.join("\n"),
      readings: this.readings,
      ...(this.tooDeep ? { tooDeep: true as const } : {}),
    };
  }

  /** Text of an inline subtree (a link body, a task body) on one line, readings not collected. */
  inlineText(node: NodeId): string {
    const reader = new ContentReader(this.#document, false, this.#depth);
    reader.children(node);
    if (reader.tooDeep) this.tooDeep = true;
    return reader.finishLines().join(" ");
  }

  finishLines(): string[] {
    if (this.#buffer.trim() !== "") this.#pushLine();
    return this.#lines;
  }

  /**
   * A block starts on its own line and ends one. An empty block (`<p />`, `<p><br /></p>`) is one empty line; nested
   * blocks (`<li><p>x</p></li>`) make one line, not two. `#startBlock` returns what `#endBlock` needs to tell them apart.
   */
  #startBlock(): number {
    this.#endLine();
    return this.#lines.length;
  }

  #endBlock(linesBefore: number): void {
    if (this.#buffer.trim() !== "" || this.#lines.length === linesBefore) this.#pushLine();
    else this.#clearBuffer();
  }

  #anchor(node: NodeId): void {
    if (this.#collectReadings)
      this.readings.push({
        kind: "link",
        text: this.inlineText(node),
        target: { kind: "url", href: this.#document.attribute(node, "href") ?? "" },
      });
    this.children(node);
  }

  #link(node: NodeId): void {
    const document = this.#document;
    const user = firstChildNamed(document, node, "ri:user");
    const body = firstChildNamed(document, node, "ac:link-body", "ac:plain-text-link-body");
    const bodyText = body === NO_NODE ? undefined : this.inlineText(body);
    if (user !== NO_NODE) {
      this.#mention(user, bodyText, document.attribute(node, "data-display-name"));
      return;
    }
    const target = linkTarget(document, node);
    const text = bodyText ?? defaultLinkText(target);
    this.#reading({ kind: "link", text, target });
    if (body !== NO_NODE) this.children(body);
    else this.#append(text);
  }

  #mention(user: NodeId, bodyText: string | undefined, displayName: string | undefined): void {
    const attributes = this.#document.attributes(user);
    const accountId = attributes["ri:account-id"] ?? attributes["ri:userkey"] ?? attributes["ri:username"] ?? "";
    const shown = bodyText ?? displayName ?? attributes["data-display-name"];
    this.#reading(shown === undefined ? { kind: "mention", accountId } : { kind: "mention", accountId, text: shown });
    // Mentions render the person's current display name; with no name stored, show the account id. From here on the
    // text outside mentions differs from the text.
    if (this.#plainLines === undefined) {
      this.#plainLines = [...this.#lines];
      this.#plainBuffer = this.#buffer;
    }
    this.#buffer += shown ?? `@${accountId}`;
  }

  #macro(node: NodeId): void {
    const document = this.#document;
    const macroName = document.attribute(node, "ac:name");
    if (macroName === "status" || macroName === "jira") {
      const parameters = macroParameters(document, node);
      if (macroName === "status") {
        const title = parameters.get("title") ?? "";
        this.#reading({
          kind: "status",
          title,
          colour: parameters.get("colour") ?? "Grey",
          subtle: parameters.get("subtle") === "true",
        });
        this.#append(title);
        return;
      }
      if (parameters.has("key")) {
        this.#append(parameters.get("key") ?? "");
        return;
      }
    }
    // Other macros show their body (panels, expand, details); parameter-only macros show nothing.
    const bodies = childElementsNamed(document, node, "ac:rich-text-body", "ac:plain-text-body");
    if (bodies.length === 0) return;
    const block = this.#startBlock();
    for (const body of bodies) this.node(body);
    this.#endBlock(block);
  }

  #task(node: NodeId): void {
    const document = this.#document;
    const status = firstChildNamed(document, node, "ac:task-status");
    const body = firstChildNamed(document, node, "ac:task-body");
    let complete = false;
    if (status !== NO_NODE) {
      for (let part = document.firstChild(status); part !== NO_NODE; part = document.nextSibling(part)) {
        if (!document.isElement(part) && document.text(part).trim() === "complete") complete = true;
      }
    }
    const text = body === NO_NODE ? "" : this.inlineText(body).trim();
    this.#reading({ kind: "task", complete, text });
    this.#endLine();
    this.#append(complete ? "[x] " : "[ ] ");
    if (body !== NO_NODE) this.children(body);
    this.#pushLine();
  }

  #reading(reading: CellReading): void {
    if (this.#collectReadings) this.readings.push(reading);
  }

  /** Ends the line in progress if it holds text; whitespace between blocks is not a line. */
  #endLine(): void {
    if (this.#buffer.trim() !== "") this.#pushLine();
    else this.#clearBuffer();
  }

  #append(text: string): void {
    this.#buffer += text;
    if (this.#plainLines !== undefined) this.#plainBuffer += text;
  }

  #pushLine(): void {
    this.#lines.push(this.#buffer);
    this.#plainLines?.push(this.#plainBuffer);
    this.#clearBuffer();
  }

  #clearBuffer(): void {
    this.#buffer = "";
    this.#plainBuffer = "";
  }
}

/** Kept alive so that the reader's hidden class, and the code optimised for it, survive between pages (see `EMPTY_STORAGE`). */
export const RESIDENT_READER: unknown = new ContentReader(EMPTY_STORAGE, false, 0);

/** Markup whitespace (space, tab, line ends) as one space; other spaces (no-break) are content and stay. */
function collapseWhitespace(text: string): string {
  return /[\t\n\r]| {2}/.test(text) ? text.replace(/[\t\n\r ]+/g, " ") : text;
}

function macroParameters(document: StorageDocument, macro: NodeId): Map<string, string> {
  const parameters = new Map<string, string>();
  for (let part = document.firstChild(macro); part !== NO_NODE; part = document.nextSibling(part)) {
    if (!document.isElement(part) || document.name(part) !== "ac:parameter") continue;
    let value = "";
    for (let child = document.firstChild(part); child !== NO_NODE; child = document.nextSibling(child))
      value += document.text(child);
    parameters.set(document.attribute(part, "ac:name") ?? "", value.trim());
  }
  return parameters;
}

function linkTarget(document: StorageDocument, link: NodeId): LinkTarget {
  for (let part = document.firstChild(link); part !== NO_NODE; part = document.nextSibling(part)) {
    if (!document.isElement(part)) continue;
    const name = document.name(part);
    const attributes = document.attributes(part);
    switch (name) {
      case "ri:page":
      case "ri:blog-post": {
        const title = attributes["ri:content-title"] ?? "";
        const spaceKey = attributes["ri:space-key"];
        return spaceKey === undefined ? { kind: "page", title } : { kind: "page", title, spaceKey };
      }
      case "ri:attachment":
        return { kind: "attachment", filename: attributes["ri:filename"] ?? "" };
      case "ri:url":
        return { kind: "url", href: attributes["ri:value"] ?? "" };
      default:
        if (name.startsWith("ri:")) return { kind: "other", resource: name.slice(3) };
    }
  }
  const anchor = document.attribute(link, "ac:anchor");
  return anchor === undefined ? { kind: "other", resource: "none" } : { kind: "anchor", anchor };
}

function defaultLinkText(target: LinkTarget): string {
  switch (target.kind) {
    case "url":
      return target.href;
    case "page":
      return target.title;
    case "attachment":
      return target.filename;
    case "anchor":
      return target.anchor;
    case "other":
      return "";
  }
}

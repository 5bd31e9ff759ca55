import type { StatusColour } from "../config/fieldFormat";
import { childElements, type StorageElement, type StorageNode } from "./storageDocument";

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
}

export type CellReading =
  | { readonly kind: "status"; readonly title: string; readonly colour: StatusColour | string; readonly subtle: boolean }
  | { readonly kind: "mention"; readonly accountId: string; readonly text?: string }
  | { readonly kind: "date"; readonly datetime: string }
  | { readonly kind: "link"; readonly text: string; readonly target: LinkTarget }
  | { readonly kind: "task"; readonly complete: boolean; readonly text: string }
  | { readonly kind: "emoticon"; readonly name: string; readonly text: string };

export type LinkTarget =
  | { readonly type: "url"; readonly href: string }
  | { readonly type: "page"; readonly title: string; readonly spaceKey?: string }
  | { readonly type: "attachment"; readonly filename: string }
  | { readonly type: "anchor"; readonly anchor: string }
  | { readonly type: "other"; readonly resource: string };

const BLOCK_ELEMENTS = new Set([
  "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "hr",
  "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption",
  "ac:task-list", "ac:task", "ac:rich-text-body", "ac:plain-text-body", "ac:layout", "ac:layout-section", "ac:layout-cell",
  "ac:adf-extension", "ac:adf-node", "ac:adf-content", "ac:structured-macro",
]);

/** Elements whose content is never page text: metadata, placeholders, the ADF renderer's duplicate. */
const SKIPPED_ELEMENTS = new Set([
  "ac:adf-fallback", "ac:adf-attribute", "ac:parameter", "ac:placeholder", "ac:task-id", "ac:task-uuid", "ac:task-status",
  "ac:image", "colgroup", "col", "ri:attachment", "ri:page", "ri:url", "ri:space", "ri:blog-post", "ri:content-entity", "ri:shortcut",
]);

/** Reads a cell (or any element) as text plus typed readings. Pure; linear in the size of the subtree. */
export function readCellContent(cell: StorageElement): CellContent {
  const reader = new ContentReader();
  reader.children(cell.children);
  const { lines, linesOutsideMentions } = reader.finish();
  return { text: lines.join("\n"), textOutsideMentions: linesOutsideMentions.join("\n"), readings: reader.readings };
}

class ContentReader {
  readonly readings: CellReading[] = [];
  #lines: string[] = [];
  #buffer = "";
  // The same text with mention text left out, kept line for line with the above.
  #plainLines: string[] = [];
  #plainBuffer = "";

  children(nodes: readonly StorageNode[]): void {
    for (const node of nodes) {
      if (node.type === "text") this.#append(node.cdata ? node.text : node.text.replace(/[\t\n\r ]+/g, " "));
      else this.element(node);
    }
  }

  element(element: StorageElement): void {
    const { name } = element;
    if (SKIPPED_ELEMENTS.has(name)) return;
    switch (name) {
      case "br":
        this.#pushLine();
        return;
      case "time": {
        const datetime = element.attributes.datetime ?? "";
        this.readings.push({ kind: "date", datetime });
        this.#append(datetime);
        return;
      }
      case "a":
        this.#anchor(element);
        return;
      case "ac:link":
        this.#link(element);
        return;
      case "ri:user": {
        // A bare user reference (not wrapped in ac:link) is still a mention.
        this.#mention(element, undefined, element.attributes["data-display-name"]);
        return;
      }
      case "ac:emoticon": {
        const attributes = element.attributes;
        const text = attributes["ac:emoji-fallback"] ?? attributes["ac:emoji-shortname"] ?? `:${attributes["ac:name"] ?? "emoticon"}:`;
        this.readings.push({ kind: "emoticon", name: attributes["ac:emoji-shortname"] ?? attributes["ac:name"] ?? "", text });
        this.#append(text);
        return;
      }
      case "ac:structured-macro":
        this.#macro(element);
        return;
      case "ac:task":
        this.#task(element);
        return;
    }
    this.#container(element, BLOCK_ELEMENTS.has(name));
  }

  finish(): { lines: string[]; linesOutsideMentions: string[] } {
    if (this.#buffer.trim() !== "") this.#pushLine();
    return { lines: this.#lines, linesOutsideMentions: this.#plainLines };
  }

  #container(element: StorageElement, block: boolean): void {
    if (!block) {
      this.children(element.children);
      return;
    }
    // A block starts on its own line and ends one. An empty block (`<p />`, `<p><br /></p>`) is one empty line;
    // nested blocks (`<li><p>x</p></li>`) make one line, not two.
    this.#startBlock();
    const linesBefore = this.#lines.length;
    this.children(element.children);
    if (this.#buffer.trim() !== "" || this.#lines.length === linesBefore) this.#pushLine();
    else this.#clearBuffer();
  }

  #anchor(element: StorageElement): void {
    const text = inlineText(element);
    this.readings.push({ kind: "link", text, target: { type: "url", href: element.attributes.href ?? "" } });
    this.children(element.children);
  }

  #link(element: StorageElement): void {
    const parts = childElements(element);
    const user = parts.find((part) => part.name === "ri:user");
    const body = parts.find((part) => part.name === "ac:link-body" || part.name === "ac:plain-text-link-body");
    const bodyText = body === undefined ? undefined : inlineText(body);
    if (user !== undefined) {
      this.#mention(user, bodyText, element.attributes["data-display-name"]);
      return;
    }
    const target = linkTarget(element, parts);
    const text = bodyText ?? defaultLinkText(target);
    this.readings.push({ kind: "link", text, target });
    if (body !== undefined) this.children(body.children);
    else this.#append(text);
  }

  #mention(user: StorageElement, bodyText: string | undefined, displayName: string | undefined): void {
    const accountId = user.attributes["ri:account-id"] ?? user.attributes["ri:userkey"] ?? user.attributes["ri:username"] ?? "";
    const shown = bodyText ?? displayName ?? user.attributes["data-display-name"];
    this.readings.push(shown === undefined ? { kind: "mention", accountId } : { kind: "mention", accountId, text: shown });
    // Mentions render the person's current display name; with no name stored, show the account id.
    this.#buffer += shown ?? `@${accountId}`;
  }

  #macro(element: StorageElement): void {
    const macroName = element.attributes["ac:name"];
    const parameters = macroParameters(element);
    if (macroName === "status") {
      const title = parameters.get("title") ?? "";
      this.readings.push({ kind: "status", title, colour: parameters.get("colour") ?? "Grey", subtle: parameters.get("subtle") === "true" });
      this.#append(title);
      return;
    }
    if (macroName === "jira" && parameters.has("key")) {
      this.#append(parameters.get("key") ?? "");
      return;
    }
    // Other macros show their body (panels, expand, details); parameter-only macros show nothing.
    const body = childElements(element).filter((part) => part.name === "ac:rich-text-body" || part.name === "ac:plain-text-body");
    if (body.length > 0) this.#container({ ...element, children: body }, true);
  }

  #task(element: StorageElement): void {
    const parts = childElements(element);
    const complete = parts.find((part) => part.name === "ac:task-status")?.children.some((c) => c.type === "text" && c.text.trim() === "complete") ?? false;
    const body = parts.find((part) => part.name === "ac:task-body");
    const text = body === undefined ? "" : inlineText(body).trim();
    this.readings.push({ kind: "task", complete, text });
    this.#startBlock();
    this.#append(complete ? "[x] " : "[ ] ");
    if (body !== undefined) this.children(body.children);
    this.#pushLine();
  }

  /** Ends the line in progress if it holds text; whitespace between blocks is not a line. */
  #startBlock(): void {
    if (this.#buffer.trim() !== "") this.#pushLine();
    else this.#clearBuffer();
  }

  #append(text: string): void {
    this.#buffer += text;
    this.#plainBuffer += text;
  }

  #pushLine(): void {
    this.#lines.push(this.#buffer);
    this.#plainLines.push(this.#plainBuffer);
    this.#clearBuffer();
  }

  #clearBuffer(): void {
    this.#buffer = "";
    this.#plainBuffer = "";
  }
}

/** Text of an inline subtree (a link body, a task body) on one line, readings not collected. */
function inlineText(element: StorageElement): string {
  const reader = new ContentReader();
  reader.children(element.children);
  return reader.finish().lines.join(" ");
}

function macroParameters(macro: StorageElement): Map<string, string> {
  const parameters = new Map<string, string>();
  for (const part of childElements(macro)) {
    if (part.name !== "ac:parameter") continue;
    parameters.set(part.attributes["ac:name"] ?? "", part.children.map((child) => (child.type === "text" ? child.text : "")).join("").trim());
  }
  return parameters;
}

function linkTarget(link: StorageElement, parts: StorageElement[]): LinkTarget {
  for (const part of parts) {
    const attributes = part.attributes;
    switch (part.name) {
      case "ri:page":
      case "ri:blog-post": {
        const title = attributes["ri:content-title"] ?? "";
        const spaceKey = attributes["ri:space-key"];
        return spaceKey === undefined ? { type: "page", title } : { type: "page", title, spaceKey };
      }
      case "ri:attachment":
        return { type: "attachment", filename: attributes["ri:filename"] ?? "" };
      case "ri:url":
        return { type: "url", href: attributes["ri:value"] ?? "" };
      default:
        if (part.name.startsWith("ri:")) return { type: "other", resource: part.name.slice(3) };
    }
  }
  const anchor = link.attributes["ac:anchor"];
  return anchor === undefined ? { type: "other", resource: "none" } : { type: "anchor", anchor };
}

function defaultLinkText(target: LinkTarget): string {
  switch (target.type) {
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

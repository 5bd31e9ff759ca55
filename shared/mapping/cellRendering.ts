/**
 * Storage XHTML for the things a codec writes into a cell. Output is what the Confluence editor itself stores, so a
 * value written by the sync reads back (by `readCellContent`) as exactly that value.
 */

// XML 1.0 forbids these characters even escaped; Confluence rejects a body holding them.
// eslint-disable-next-line no-control-regex
const NOT_XML_CHARACTERS =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a text can be stored in a page at all. */
export function isStorableText(text: string): boolean {
  return !NOT_XML_CHARACTERS.test(text);
}

/** Text content, escaped. Callers check `isStorableText` first. */
export function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, "&quot;");
}

/** The status lozenge macro. Confluence adds `ac:macro-id` on save; readers ignore it. */
export function renderStatus(title: string, colour: string): string {
  return (
    `<ac:structured-macro ac:name="status" ac:schema-version="1">` +
    `<ac:parameter ac:name="title">${escapeText(title)}</ac:parameter>` +
    `<ac:parameter ac:name="colour">${escapeText(colour)}</ac:parameter>` +
    `</ac:structured-macro>`
  );
}

/** A date (`YYYY-MM-DD`) the way the editor stores it. */
export function renderDate(date: string): string {
  return `<time datetime="${escapeAttribute(date)}" />`;
}

export function renderLink(href: string, text: string): string {
  return `<a href="${escapeAttribute(href)}">${escapeText(text)}</a>`;
}

/** A user mention by Atlassian account id; Confluence shows the person's current name. */
export function renderMention(accountId: string): string {
  return `<ac:link><ri:user ri:account-id="${escapeAttribute(accountId)}" /></ac:link>`;
}

/**
 * One line of text in the requested style: a status lozenge when asked for one, escaped text otherwise. `undefined`
 * when the text holds characters no page can store.
 */
export function renderInlineText(
  text: string,
  style: { kind: string; colourFor?: (title: string) => string },
): string | undefined {
  if (!isStorableText(text)) return undefined;
  if (style.kind === "status" && style.colourFor !== undefined && text !== "")
    return renderStatus(text, style.colourFor(text));
  return escapeText(text);
}

import { parseStorage } from "./storageParser";

/** `ac:local-id` (table parts) and `local-id` (paragraphs, headings, list items) in a start tag. */
const LOCAL_ID_ATTRIBUTE = /\s(?:ac:)?local-id=(?:"[^"]*"|'[^']*')/g;

/**
 * The storage with every element's local id removed, for a page made from another page's body (pages mode's creates
 * from the template): the Cloud editor's local ids identify one element of one page, and Confluence gives elements
 * without one a new id on save. Only start tags are touched, never text or CDATA. Storage that does not parse is
 * answered as it is (the create reports it).
 */
export function withoutLocalIds(storage: string): string {
  if (!/local-id=/.test(storage)) return storage;
  const parsed = parseStorage(storage);
  if (!parsed.ok) return storage;
  const document = parsed.document;
  let out = "";
  let position = 0;
  for (let node = 0; node < document.nodeCount; node += 1) {
    if (!document.isElement(node)) continue;
    const start = document.start(node);
    const tagEnd = document.selfClosing(node) ? document.end(node) : document.innerStart(node);
    const tag = storage.slice(start, tagEnd);
    if (!tag.includes("local-id=")) continue;
    out += storage.slice(position, start) + tag.replace(LOCAL_ID_ATTRIBUTE, "");
    position = tagEnd;
  }
  return out + storage.slice(position);
}

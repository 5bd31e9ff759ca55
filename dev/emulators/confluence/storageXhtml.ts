import { decodeHTMLStrict } from "entities";
import { SaxesParser } from "saxes";

/**
 * Confluence parses every storage body it is given as XML (docs/references.md#confluence-storage-format-parsing): it
 * must be well-formed, but it may use HTML named entities (`&nbsp;`, `&rsquo;`, …), carries `ac:`/`ri:` prefixes
 * without declarations, and is a fragment (several top-level elements and bare text). Returns the service's 400 message
 * for a malformed body, undefined when the body is accepted. Semantics are not checked: Confluence accepts unknown
 * `ac:` attributes silently.
 */
export function storageXhtmlError(value: string): string | undefined {
  const parser = new SaxesParser({ fragment: true, position: true });
  parser.ENTITIES = storageXhtmlEntities();
  const open: string[] = [];
  // On a mismatched close tag saxes first closes the inner element implicitly, then reports the error at the same
  // position; remembering that element gives Confluence's "expected" name.
  let lastClosed: { name: string; position: number } | undefined;
  let first: string | undefined;
  parser.on("opentag", (tag) => {
    if (!tag.isSelfClosing) open.push(tag.name);
  });
  parser.on("closetag", (tag) => {
    if (open[open.length - 1] === tag.name) open.pop();
    lastClosed = { name: tag.name, position: parser.position };
  });
  parser.on("error", (error) => {
    if (first !== undefined) return;
    const where = `[row,col]: [${parser.line},${parser.column}]`;
    const implicitlyClosed = lastClosed?.position === parser.position ? lastClosed.name : undefined;
    const closing = /unexpected close tag/i.test(error.message)
      ? unexpectedCloseTag(value, parser.position, implicitlyClosed ?? open[open.length - 1])
      : undefined;
    first = `Error parsing xhtml: ${closing ?? stripPosition(error.message)}\n at ${where}`;
  });
  try {
    parser.write(value).close();
  } catch (error) {
    // saxes throws when no error handler consumed the failure; ours always records the first one.
    first ??= `Error parsing xhtml: ${String(error)}`;
  }
  return first;
}

/** Woodstox's wording, which Confluence passes through: `Unexpected close tag </p>; expected </div>.` */
function unexpectedCloseTag(source: string, position: number, expected: string | undefined): string {
  const before = source.slice(0, position);
  const match = /<\/\s*([^\s>]+)\s*>?$/.exec(before);
  const found = match?.[1] ?? "?";
  return expected ? `Unexpected close tag </${found}>; expected </${expected}>.` : `Unexpected close tag </${found}>.`;
}

function stripPosition(message: string): string {
  return message.replace(/^\d+:\d+:\s*/, "");
}

/** HTML named entities resolve through the full HTML5 table; an undefined name is an error, as in Confluence. */
export function storageXhtmlEntities(): Record<string, string> {
  return new Proxy<Record<string, string>>(
    {},
    {
      get: (_target, name) => {
        if (typeof name !== "string") return undefined;
        const reference = `&${name};`;
        const decoded = decodeHTMLStrict(reference);
        return decoded === reference ? undefined : decoded;
      },
    },
  );
}

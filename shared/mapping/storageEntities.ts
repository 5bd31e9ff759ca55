import { decodeHTMLStrict } from "entities";

/**
 * Character data of storage XHTML: the named entities a page may use, and decoding a text node's source the way the
 * XML parser reads it. Only ever applied to text the parser has already accepted, so every `&` starts a well-formed
 * reference to a known entity or an allowed character.
 */

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const resolvedEntities = new Map<string, string | undefined>();

/**
 * The text a named entity stands for: XML's five plus every HTML5 name (`nbsp`, `rsquo`, …); `undefined` for any
 * other name (including ones like `constructor`). Names are case-sensitive, as in XML.
 */
export function resolveNamedEntity(name: string): string | undefined {
  if (Object.hasOwn(XML_ENTITIES, name)) return XML_ENTITIES[name];
  if (!resolvedEntities.has(name)) {
    const reference = `&${name};`;
    const decoded = /^[A-Za-z][A-Za-z0-9]*$/.test(name) ? decodeHTMLStrict(reference) : reference;
    resolvedEntities.set(name, decoded === reference ? undefined : decoded);
  }
  return resolvedEntities.get(name);
}

/** XML line-end handling: CR LF and a lone CR both read as LF. */
export function normaliseLineEnds(raw: string): string {
  return raw.includes("\r") ? raw.replace(/\r\n?/g, "\n") : raw;
}

/**
 * A text node as the parser reads its source: line ends normalised, then entity and character references resolved
 * (a reference to CR stays CR). Most text has neither, and comes back as the same string.
 */
export function decodeCharacterData(raw: string): string {
  if (!raw.includes("&")) return normaliseLineEnds(raw);
  return raw.replace(/\r\n?|&([^;]*);/g, (match, reference: string | undefined) => (reference === undefined ? "\n" : resolveReference(reference, match)));
}

function resolveReference(reference: string, match: string): string {
  if (reference.charCodeAt(0) !== 0x23 /* # */) return resolveNamedEntity(reference) ?? match;
  const code = reference.charCodeAt(1) === 0x78 /* x */ ? Number.parseInt(reference.slice(2), 16) : Number.parseInt(reference.slice(1), 10);
  return String.fromCodePoint(code);
}

/**
 * An attribute value as the parser reads its source: each tab, line feed, carriage return (and CR LF pair) becomes a
 * space, then references are resolved (a reference to a tab or line end stays that character).
 */
export function decodeAttributeValue(raw: string): string {
  if (!/[&\t\n\r]/.test(raw)) return raw;
  return raw.replace(/\r\n|[\t\n\r]|&([^;]*);/g, (match, reference: string | undefined) => (reference === undefined ? " " : resolveReference(reference, match)));
}

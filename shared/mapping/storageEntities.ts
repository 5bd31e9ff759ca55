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
  const known = resolvedEntities.get(name);
  if (known !== undefined || resolvedEntities.has(name)) return known;
  const reference = `&${name};`;
  const decoded = Object.hasOwn(XML_ENTITIES, name)
    ? XML_ENTITIES[name]
    : /^[A-Za-z][A-Za-z0-9]*$/.test(name)
      ? decodeHTMLStrict(reference)
      : reference;
  const resolved = decoded === reference ? undefined : decoded;
  // Unknown names are remembered too (a refused page adds at most one): a cap keeps odd pages from growing the cache.
  if (resolvedEntities.size < MAX_CACHED_ENTITIES) resolvedEntities.set(name, resolved);
  return resolved;
}

const MAX_CACHED_ENTITIES = 4096;

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
  return raw.replace(/\r\n?|&([^;]*);/g, (match, reference: string | undefined) =>
    reference === undefined ? "\n" : resolveReference(reference, match),
  );
}

function resolveReference(reference: string, match: string): string {
  if (reference.charCodeAt(0) !== 0x23 /* # */) return resolveNamedEntity(reference) ?? match;
  const code =
    reference.charCodeAt(1) === 0x78 /* x */
      ? Number.parseInt(reference.slice(2), 16)
      : Number.parseInt(reference.slice(1), 10);
  return String.fromCodePoint(code);
}

/**
 * An attribute value as the parser reads its source: each tab, line feed, carriage return (and CR LF pair) becomes a
 * space, then references are resolved (a reference to a tab or line end stays that character).
 */
export function decodeAttributeValue(raw: string): string {
  if (!/[&\t\n\r]/.test(raw)) return raw;
  return raw.replace(/\r\n|[\t\n\r]|&([^;]*);/g, (match, reference: string | undefined) =>
    reference === undefined ? " " : resolveReference(reference, match),
  );
}

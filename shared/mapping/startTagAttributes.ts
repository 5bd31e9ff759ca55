import { decodeAttributeValue } from "./storageEntities";

/**
 * Attributes read back from the source of a start tag the XML parser has already accepted: `name="value"` or
 * `name='value'` pairs separated by whitespace, with whitespace allowed around `=`. Reading them on demand means a
 * parsed page keeps no attribute objects; only the few elements a sync looks at (cells, macros, links) are read.
 * `from`/`to` bound the part of the tag after its name (the tag's closing `>` or `/>` may be included).
 */
export function startTagAttributes(source: string, from: number, to: number): Readonly<Record<string, string>> {
  const attributes = Object.create(null) as Record<string, string>;
  scanAttributes(source, from, to, (nameStart, nameEnd, valueStart, valueEnd) => {
    attributes[source.slice(nameStart, nameEnd)] = decodeAttributeValue(source.slice(valueStart, valueEnd));
    return false;
  });
  return attributes;
}

/** One attribute's decoded value, `undefined` if the tag does not have it. */
export function attributeValue(source: string, from: number, to: number, name: string): string | undefined {
  let value: string | undefined;
  scanAttributes(source, from, to, (nameStart, nameEnd, valueStart, valueEnd) => {
    if (nameEnd - nameStart !== name.length || !source.startsWith(name, nameStart)) return false;
    value = decodeAttributeValue(source.slice(valueStart, valueEnd));
    return true;
  });
  return value;
}

/** Calls `visit` with each attribute's name and (raw) value range, in source order, until it returns true. */
function scanAttributes(
  source: string,
  from: number,
  to: number,
  visit: (nameStart: number, nameEnd: number, valueStart: number, valueEnd: number) => boolean,
): void {
  let index = from;
  while (index < to) {
    const code = source.charCodeAt(index);
    if (isSpace(code)) {
      index += 1;
      continue;
    }
    if (code === 0x2f /* / */ || code === 0x3e /* > */) return;
    const nameStart = index;
    while (index < to && !isSpace(source.charCodeAt(index)) && source.charCodeAt(index) !== 0x3d /* = */) index += 1;
    const nameEnd = index;
    while (index < to && source.charCodeAt(index) !== 0x3d) index += 1;
    index += 1;
    while (index < to && isSpace(source.charCodeAt(index))) index += 1;
    const quote = source.charAt(index);
    const valueStart = index + 1;
    const valueEnd = source.indexOf(quote, valueStart);
    // Only reachable for a tag the parser did not accept: stop rather than read past it.
    if (valueEnd < 0 || valueEnd >= to || (quote !== '"' && quote !== "'")) return;
    if (visit(nameStart, nameEnd, valueStart, valueEnd)) return;
    index = valueEnd + 1;
  }
}

/** XML's whitespace: space, tab, line feed, carriage return. */
function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

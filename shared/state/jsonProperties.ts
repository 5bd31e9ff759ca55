/**
 * Table Storage caps a string property at 64 KiB (32 K UTF-16 characters) and an entity at 1 MiB / 252 properties.
 * Values that can outgrow one property (run reports, staged plan chunks) are stored as JSON split over numbered
 * properties `{prefix}0`, `{prefix}1`, … with the part count in `{prefix}Parts`.
 */
const MAX_CHARS_PER_PROPERTY = 30_000;
/** Leaves room for the entity's other properties under the 1 MiB entity limit (2 bytes per UTF-16 unit). */
export const MAX_JSON_CHARS = 450_000;

export class JsonPropertyTooLarge extends Error {
  constructor(
    readonly prefix: string,
    readonly chars: number,
  ) {
    super(`JSON for "${prefix}" is ${chars} characters; one table entity holds at most ${MAX_JSON_CHARS}`);
    this.name = "JsonPropertyTooLarge";
  }
}

/** JSON (ASCII-escaped, see `asciiJson`) split over `{prefix}0…`; every store writes its documents this way. */
export function toJsonProperties(prefix: string, value: unknown): Record<string, string | number> {
  const json = asciiJson(value);
  if (json.length > MAX_JSON_CHARS) throw new JsonPropertyTooLarge(prefix, json.length);
  return toTextProperties(prefix, json);
}

/** Text (up to MAX_JSON_CHARS) split over `{prefix}0…` with the count in `{prefix}Parts`, as `toJsonProperties` does. */
export function toTextProperties(prefix: string, text: string): Record<string, string | number> {
  if (text.length > MAX_JSON_CHARS) throw new JsonPropertyTooLarge(prefix, text.length);
  const properties: Record<string, string | number> = {};
  let parts = 0;
  for (let offset = 0; offset < text.length || parts === 0; offset += MAX_CHARS_PER_PROPERTY) {
    properties[`${prefix}${parts}`] = text.slice(offset, offset + MAX_CHARS_PER_PROPERTY);
    parts += 1;
  }
  properties[`${prefix}Parts`] = parts;
  return properties;
}

/**
 * JSON with every non-ASCII character written as a `\uXXXX` escape (JSON.parse reads it back unchanged). Large
 * table writes travel in chunks, and Azurite decodes a request body chunk by chunk, corrupting a multi-byte
 * character cut at a chunk boundary; an ASCII body has none to cut.
 */
export function asciiJson(value: unknown): string {
  return (JSON.stringify(value) ?? "null").replace(
    /[\u0080-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Reassembles what `toTextProperties` stored; undefined when the entity has no such text. */
export function fromTextProperties(entity: Record<string, unknown>, prefix: string): string | undefined {
  const parts = entity[`${prefix}Parts`];
  if (typeof parts !== "number") return undefined;
  let text = "";
  for (let index = 0; index < parts; index++) {
    const part = entity[`${prefix}${index}`];
    if (typeof part !== "string") throw new Error(`entity is missing part ${index} of "${prefix}"`);
    text += part;
  }
  return text;
}

/** Reassembles what `toJsonProperties` stored; undefined when the entity has no such value. */
export function fromJsonProperties(entity: Record<string, unknown>, prefix: string): unknown {
  const json = fromTextProperties(entity, prefix);
  return json === undefined ? undefined : (JSON.parse(json) as unknown);
}

/**
 * Table Storage forbids `/`, `\`, `#`, `?` and control characters in PartitionKey/RowKey (and keys are limited to
 * 1 KiB). Confluence row keys and natural keys can contain anything, so every key we derive from data goes through
 * this reversible escape: `%` and the forbidden characters become `%XX`.
 */
const FORBIDDEN = /[%/\\#?\u0000-\u001f\u007f-\u009f]/g;

export function encodeTableKey(value: string): string {
  return value.replace(FORBIDDEN, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

export function decodeTableKey(key: string): string {
  return key.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

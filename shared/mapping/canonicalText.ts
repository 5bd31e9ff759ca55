/**
 * Canonical text: Unicode NFC, every run of whitespace (including no-break spaces and line breaks) one space, trimmed.
 * Confluence re-serialises whitespace and entities freely on save (`&nbsp;` ↔ U+00A0), so only this form is compared.
 */
export function normaliseText(text: string): string {
  if (CANONICAL_ASCII.test(text)) return text;
  return text.normalize("NFC").replace(/\s+/gu, " ").trim();
}

/** Printable ASCII words separated by single spaces: already canonical (ASCII is unchanged by NFC). Most cells are. */
const CANONICAL_ASCII = /^(?:(?:[\x21-\x7e]+ )*[\x21-\x7e]+)?$/;

/**
 * Canonical multi-line text: lines kept (CR LF and CR become LF), each line normalised as by `normaliseText`, and
 * empty lines at the start and end dropped. Empty lines between paragraphs are content and stay.
 */
export function normaliseMultilineText(text: string): string {
  const lines = text
    .normalize("NFC")
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.replace(/\s+/gu, " ").trim());
  let first = 0;
  let last = lines.length;
  while (first < last && lines[first] === "") first += 1;
  while (last > first && lines[last - 1] === "") last -= 1;
  return lines.slice(first, last).join("\n");
}

import type { CanonicalValue } from "../sync/canonicalValue";
import { normaliseMultilineText, normaliseText } from "./canonicalText";
import { escapeText, isStorableText, renderInlineText } from "./cellRendering";
import type { ColumnDefinition } from "./columnDefinition";
import { failure, type Outcome, quote, success, type TypeCodec } from "./fieldCodec";
import { readRichTextLines, writeRichTextLines } from "./richTextNote";

/** SharePoint's limit for single line of text columns when the definition does not say. */
const DEFAULT_MAX_LENGTH = 255;

/**
 * Single line of text. Canonical: normalised text (NFC, whitespace runs → one space, trimmed); empty → `null`.
 * A Confluence cell with several paragraphs reads as one line.
 */
export function textCodec(name: string, column: ColumnDefinition): TypeCodec {
  const maxLength = column.text?.maxLength ?? DEFAULT_MAX_LENGTH;
  return {
    kind: "text",
    sharePointKeys: [name],
    fromSharePoint: (fields) => readString(fields[name], normaliseText),
    fromConfluence: (cell) => success(emptyAsNull(normaliseText(cell.text))),
    toSharePoint(value) {
      if (value !== null && typeof value !== "string")
        return failure("FIELD_VALUE_INVALID", `${quote(value)} is not text`);
      if (value !== null && value.length > maxLength) {
        return failure(
          "FIELD_VALUE_NOT_REPRESENTABLE",
          `${value.length} characters do not fit the column's limit of ${maxLength}`,
        );
      }
      return success({ [name]: value });
    },
    toConfluence(value, style) {
      if (value !== null && typeof value !== "string")
        return failure("FIELD_VALUE_INVALID", `${quote(value)} is not text`);
      const rendered = renderInlineText(value ?? "", style);
      return rendered === undefined ? unstorable(value) : success([rendered]);
    },
  };
}

/**
 * Multiple lines of text (plain or rich). Canonical: lines joined by `\n`, each normalised; leading and trailing
 * empty lines dropped. In Confluence each line is a paragraph. Rich-text values must be plain paragraphs (see
 * `richTextNote.ts`); formatted HTML is refused rather than flattened.
 */
export function noteCodec(name: string, column: ColumnDefinition): TypeCodec {
  const richText = column.text?.textType === "richText";
  return {
    kind: "note",
    sharePointKeys: [name],
    fromSharePoint(fields) {
      const raw = fields[name];
      if (!richText || typeof raw !== "string") return readString(raw, normaliseMultilineText);
      const reading = readRichTextLines(raw);
      if (!reading.ok) {
        return failure(
          "FIELD_VALUE_NOT_REPRESENTABLE",
          `rich text with formatting (<${reading.element}>) cannot be carried as plain text`,
        );
      }
      return success(emptyAsNull(normaliseMultilineText(reading.lines.join("\n"))));
    },
    fromConfluence: (cell) => success(emptyAsNull(normaliseMultilineText(cell.text))),
    toSharePoint(value) {
      if (value !== null && typeof value !== "string")
        return failure("FIELD_VALUE_INVALID", `${quote(value)} is not text`);
      if (value === null || !richText) return success({ [name]: value });
      return success({ [name]: writeRichTextLines(value.split("\n")) });
    },
    toConfluence(value) {
      if (value !== null && typeof value !== "string")
        return failure("FIELD_VALUE_INVALID", `${quote(value)} is not text`);
      if (value === null) return success([""]);
      if (!isStorableText(value)) return unstorable(value);
      return success(value.split("\n").map(escapeText));
    },
  };
}

function readString(raw: unknown, normalise: (text: string) => string): Outcome<CanonicalValue> {
  if (raw === undefined || raw === null) return success(null);
  if (typeof raw !== "string") return failure("FIELD_VALUE_INVALID", `expected text, got ${quote(raw)}`);
  return success(emptyAsNull(normalise(raw)));
}

function emptyAsNull(text: string): string | null {
  return text === "" ? null : text;
}

function unstorable(value: unknown): Outcome<never> {
  return failure("FIELD_VALUE_NOT_REPRESENTABLE", `${quote(value)} holds characters a Confluence page cannot store`);
}

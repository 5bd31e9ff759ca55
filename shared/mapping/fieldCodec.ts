import type { CanonicalValue } from "../sync/canonicalValue";
import type { FieldHash } from "../sync/fieldHash";
import type { CellContent } from "./cellContent";
import type { ColumnDefinition } from "./columnDefinition";
import type { FieldMapping } from "./fieldMapping";
import type { FieldValueError, FieldValueErrorCode } from "./fieldValueError";

/** The SharePoint column types the sync carries, as told apart by the codecs. */
export type FieldKind =
  | "text"
  | "note"
  | "number"
  | "currency"
  | "boolean"
  | "choice"
  | "multiChoice"
  | "dateOnly"
  | "dateTime"
  | "person"
  | "personMulti"
  | "lookup"
  | "lookupMulti"
  | "hyperlink";

/** A value read from one side: its canonical form and hash, or why it cannot be read. */
export type FieldReading = { ok: true; value: CanonicalValue; hash: FieldHash } | { ok: false; error: FieldValueError };

/** A value written for one side, or why the other side cannot hold it. */
export type FieldWrite<T> = { ok: true; value: T } | { ok: false; error: FieldValueError };

/** The new content of a cell: blocks (paragraphs or lines) of inline storage XHTML; the table patch adds wrappers. */
export interface CellRendering {
  readonly blocks: readonly string[];
}

/** How the values already in a column are shown, read from the page (see `inferColumnStyle`). */
export interface ColumnStyle {
  readonly kind: "text" | "status" | "date" | "link" | "mention";
  /** The colour a status title has in this column on the page, if it appears there. */
  statusColour(title: string): string | undefined;
}

/**
 * One mapped field: reads and writes its value on both sides. Every method is total: a value that does not fit comes
 * back as `{ ok: false, error }` (a `FieldValueError`), never as an exception and never as a guess.
 */
export interface FieldCodec {
  /** SharePoint internal column name: the field's identity in plans, state and errors. */
  readonly name: string;
  /** Confluence column header as the profile names it. */
  readonly header: string;
  readonly kind: FieldKind;
  readonly mapping: FieldMapping;
  readonly column: ColumnDefinition;
  /** The `fields` keys this codec reads, for `$select` (lookups and people come as `{name}LookupId`). */
  readonly sharePointKeys: readonly string[];
  /** SharePoint `fields` (as Graph returns them) → canonical value. A missing key is an empty value. */
  readSharePoint(fields: Readonly<Record<string, unknown>>): FieldReading;
  /** A Confluence cell → canonical value. */
  readConfluence(cell: CellContent): FieldReading;
  /** Canonical value → the `fields` entries Graph expects in a create or `PATCH …/fields` body. */
  writeSharePoint(value: CanonicalValue): FieldWrite<Record<string, unknown>>;
  /**
   * Canonical value → cell content. `style` is how the column is shown on the page now; the profile's `format` wins
   * over it, and with neither the type's natural rendering is used (a `<time>` for dates, a link for hyperlinks).
   */
  renderConfluence(value: CanonicalValue, style?: ColumnStyle): FieldWrite<CellRendering>;
}

/** Inside the codecs: a result before the field's name and side are attached. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; code: FieldValueErrorCode; detail: string };

export function success<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function failure(
  code: FieldValueErrorCode,
  detail: string,
): { ok: false; code: FieldValueErrorCode; detail: string } {
  return { ok: false, code, detail };
}

/** The rendering a type codec is asked for, after the profile format, the column and the type were weighed. */
export type RenderStyle =
  | { readonly kind: "text" }
  | { readonly kind: "date" }
  | { readonly kind: "link" }
  | { readonly kind: "status"; colourFor(title: string): string }
  | { readonly kind: "mention"; accountFor(email: string): string | undefined };

/** One SharePoint column type's rules, free of field names and error wrapping (see `fieldCodecs.ts`). */
export interface TypeCodec {
  readonly kind: FieldKind;
  readonly sharePointKeys: readonly string[];
  fromSharePoint(fields: Readonly<Record<string, unknown>>): Outcome<CanonicalValue>;
  fromConfluence(cell: CellContent): Outcome<CanonicalValue>;
  toSharePoint(value: CanonicalValue): Outcome<Record<string, unknown>>;
  /** Blocks of inline XHTML; `style` is only a wish: a type renders what it can show faithfully. */
  toConfluence(value: CanonicalValue, style: RenderStyle): Outcome<string[]>;
}

/** Describes a value for error messages: short, quoted, never the whole of a long text. */
export function quote(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

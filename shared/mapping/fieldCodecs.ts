import type { CanonicalValue } from "../sync/canonicalValue";
import { fieldHash } from "../sync/fieldHash";
import { booleanCodec } from "./booleanCodec";
import { isKnownTimeZone } from "./canonicalDate";
import { choiceCodec, multiChoiceCodec } from "./choiceCodec";
import type { ColumnDefinition } from "./columnDefinition";
import { dateOnlyCodec, dateTimeCodec } from "./dateCodec";
import type {
  ColumnStyle,
  FieldCodec,
  FieldKind,
  FieldReading,
  FieldWrite,
  Outcome,
  RenderStyle,
  TypeCodec,
} from "./fieldCodec";
import type { FieldFormat } from "./fieldFormat";
import { fieldKindOf, formatsByKind } from "./fieldKind";
import type { FieldMapping } from "./fieldMapping";
import { FieldMappingError } from "./fieldMappingError";
import { type FieldSide, FieldValueError } from "./fieldValueError";
import { type HyperlinkWriteShape, hyperlinkCodec } from "./hyperlinkCodec";
import { type LookupEntry, lookupCodec } from "./lookupCodec";
import { numberCodec } from "./numberCodec";
import { personCodec } from "./personCodec";
import { PeopleDirectory, type SharePointPerson } from "./sharePointPeople";
import { noteCodec, textCodec } from "./textCodec";

export interface FieldCodecOptions {
  /** The SharePoint site's time zone (IANA name), for date-only columns. Default `UTC`. */
  siteTimeZone?: string;
  /** The site's people (user information list), for person columns. Without it person ids cannot be resolved. */
  people?: readonly SharePointPerson[];
  /** Per lookup field (SharePoint name), the target list's items, for showing and reading values. */
  lookups?: Readonly<Record<string, readonly LookupEntry[]>>;
  /** Some items' `fields`, to tell types Graph leaves unmarked (hyperlinks, multi-select choices). */
  samples?: readonly Readonly<Record<string, unknown>>[];
  /** Default `object` (`{Url, Description}`, sent with `Prefer: apiversion=2.1`); see `HyperlinkWriteShape`. */
  hyperlinkWriteShape?: HyperlinkWriteShape;
}

/** The codecs of a profile's fields, by SharePoint internal name, in the profile's order. */
export type FieldCodecs = ReadonlyMap<string, FieldCodec>;

export type BuildFieldCodecsResult = { ok: true; codecs: FieldCodecs } | { ok: false; errors: FieldMappingError[] };

/**
 * Builds one codec per mapped field from the list's column definitions (`GET …/lists/{id}/columns`). Every field
 * that cannot be mapped is reported (missing column, unsupported or unknown type, a format the type cannot render),
 * so a profile's mistakes are all shown at once.
 */
export function buildFieldCodecs(
  fields: readonly FieldMapping[],
  columns: readonly ColumnDefinition[],
  options: FieldCodecOptions = {},
): BuildFieldCodecsResult {
  const siteTimeZone = options.siteTimeZone ?? "UTC";
  const people = new PeopleDirectory(options.people ?? []);
  const errors: FieldMappingError[] = [];
  const codecs = new Map<string, FieldCodec>();
  for (const mapping of fields) {
    const column = columns.find((candidate) => candidate.name === mapping.sharePoint);
    if (column === undefined) {
      const byDisplayName = columns.find((candidate) => candidate.displayName === mapping.sharePoint);
      const hint =
        byDisplayName === undefined
          ? ""
          : ` (a column is displayed as "${mapping.sharePoint}"; its internal name is "${byDisplayName.name}")`;
      errors.push(
        new FieldMappingError(
          "FIELD_COLUMN_NOT_FOUND",
          mapping.sharePoint,
          `the list has no column with this internal name${hint}`,
        ),
      );
      continue;
    }
    const samples = (options.samples ?? [])
      .map((sample) => sample[mapping.sharePoint])
      .filter((value) => value !== undefined && value !== null);
    const kind = fieldKindOf(column, samples, mapping.format);
    if (!kind.ok) {
      errors.push(new FieldMappingError(kind.code, mapping.sharePoint, kind.detail));
      continue;
    }
    if (mapping.format !== undefined && !formatsByKind[kind.kind].includes(mapping.format.kind)) {
      errors.push(
        new FieldMappingError(
          "FIELD_FORMAT_MISMATCH",
          mapping.sharePoint,
          `format "${mapping.format.kind}" cannot show a ${kind.kind} column faithfully; use ${formatsByKind[kind.kind].map((f) => `"${f}"`).join(" or ")}`,
        ),
      );
      continue;
    }
    if (kind.kind === "dateOnly" && !isKnownTimeZone(siteTimeZone)) {
      errors.push(
        new FieldMappingError(
          "FIELD_TYPE_UNSUPPORTED",
          mapping.sharePoint,
          `the site time zone "${siteTimeZone}" is not an IANA time zone`,
        ),
      );
      continue;
    }
    const typeCodec = createTypeCodec(kind.kind, mapping, column, { siteTimeZone, people, options });
    codecs.set(mapping.sharePoint, wrapTypeCodec(typeCodec, mapping, column));
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, codecs };
}

function createTypeCodec(
  kind: FieldKind,
  mapping: FieldMapping,
  column: ColumnDefinition,
  context: { siteTimeZone: string; people: PeopleDirectory; options: FieldCodecOptions },
): TypeCodec {
  const name = mapping.sharePoint;
  switch (kind) {
    case "text":
      return textCodec(name, column);
    case "note":
      return noteCodec(name, column);
    case "number":
    case "currency":
      return numberCodec(name, column, kind);
    case "boolean":
      return booleanCodec(name);
    case "choice":
      return choiceCodec(name, column, mapping.format?.kind === "status" ? mapping.format.colours : {});
    case "multiChoice":
      return multiChoiceCodec(name, column);
    case "dateOnly":
      return dateOnlyCodec(name, context.siteTimeZone);
    case "dateTime":
      return dateTimeCodec(name);
    case "person":
    case "personMulti":
      return personCodec(name, {
        multiple: kind === "personMulti",
        people: context.people,
        identityOfAccount: accountsToIdentities(mapping.format),
      });
    case "lookup":
    case "lookupMulti":
      return lookupCodec(
        name,
        kind === "lookupMulti",
        context.options.lookups !== undefined && Object.hasOwn(context.options.lookups, name)
          ? context.options.lookups[name]
          : undefined,
      );
    case "hyperlink":
      return hyperlinkCodec(name, context.options.hyperlinkWriteShape ?? "object");
  }
}

function accountsToIdentities(format: FieldFormat | undefined): Map<string, string> {
  const identities = new Map<string, string>();
  if (format?.kind === "mention")
    for (const [email, accountId] of Object.entries(format.accounts))
      identities.set(accountId, email.trim().toLowerCase());
  return identities;
}

/** Adds what every codec shares: the field's name in errors, hashes, and the choice of rendering. */
function wrapTypeCodec(codec: TypeCodec, mapping: FieldMapping, column: ColumnDefinition): FieldCodec {
  const field = mapping.sharePoint;
  const reading = (outcome: Outcome<CanonicalValue>, side: FieldSide): FieldReading =>
    outcome.ok
      ? { ok: true, value: outcome.value, hash: fieldHash(outcome.value) }
      : { ok: false, error: new FieldValueError(outcome.code, outcome.detail, { field, side }) };
  const write = <T>(outcome: Outcome<T>, side: FieldSide): FieldWrite<T> =>
    outcome.ok ? outcome : { ok: false, error: new FieldValueError(outcome.code, outcome.detail, { field, side }) };
  const accounts = new Map<string, string>();
  if (mapping.format?.kind === "mention")
    for (const [email, accountId] of Object.entries(mapping.format.accounts))
      accounts.set(email.trim().toLowerCase(), accountId);
  return {
    name: field,
    header: mapping.confluence,
    kind: codec.kind,
    mapping,
    column,
    sharePointKeys: codec.sharePointKeys,
    readSharePoint: (fields) => reading(codec.fromSharePoint(fields), "sharePoint"),
    readConfluence: (cell) => reading(codec.fromConfluence(cell), "confluence"),
    writeSharePoint: (value) => write(codec.toSharePoint(value), "sharePoint"),
    renderConfluence: (value, style) => {
      const blocks = codec.toConfluence(value, renderStyle(codec.kind, mapping.format, style, accounts));
      return write(blocks.ok ? { ok: true, value: { blocks: blocks.value } } : blocks, "confluence");
    },
  };
}

/** The profile's format first, then how the column is shown on the page, then the type's natural rendering. */
function renderStyle(
  kind: FieldKind,
  format: FieldFormat | undefined,
  column: ColumnStyle | undefined,
  accounts: ReadonlyMap<string, string>,
): RenderStyle {
  const seenColour = (title: string): string | undefined => column?.statusColour(title);
  switch (format?.kind) {
    case "status":
      // The profile's colours are the whole rule: values it does not list take its default colour.
      return {
        kind: "status",
        colourFor: (title) =>
          (Object.hasOwn(format.colours, title) ? format.colours[title] : undefined) ?? format.defaultColour,
      };
    case "mention":
      return { kind: "mention", accountFor: (identity) => accounts.get(identity) };
    case "text":
    case "date":
    case "link":
      return { kind: format.kind };
    case undefined:
      break;
  }
  if (column !== undefined) {
    // A mention column without a mention format has no account mapping: people are written as text.
    if (column.kind === "status") return { kind: "status", colourFor: (title) => seenColour(title) ?? "Grey" };
    if (column.kind !== "mention") return { kind: column.kind };
  }
  return { kind: kind === "dateOnly" ? "date" : kind === "hyperlink" ? "link" : "text" };
}

/** Reads every mapped field of a SharePoint item (`fields` as Graph returns them). `where` names the item in errors. */
export function readSharePointItem(
  codecs: FieldCodecs,
  fields: Readonly<Record<string, unknown>>,
  where?: string,
): Record<string, FieldReading> {
  const readings: Record<string, FieldReading> = {};
  for (const [name, codec] of codecs) {
    const result = codec.readSharePoint(fields);
    readings[name] = result.ok || where === undefined ? result : { ok: false, error: result.error.at(where) };
  }
  return readings;
}

/** What `toSharePointPatch` produced: the `fields` body for the values SharePoint can hold, and the refusals. */
export interface SharePointPatch {
  fields: Record<string, unknown>;
  /** One per refused value; those fields are absent from `fields` and their edits stay pending. */
  errors: FieldValueError[];
}

/**
 * The `fields` body of a Graph create or `PATCH …/fields` for new canonical values (by SharePoint field name), in the
 * shapes Graph expects (`{Name}LookupId`, `@odata.type` collection annotations, ISO dates). A value SharePoint cannot
 * hold is left out and reported, never written degraded.
 */
export function toSharePointPatch(
  codecs: FieldCodecs,
  changes: Readonly<Record<string, CanonicalValue>>,
  where?: string,
): SharePointPatch {
  const fields: Record<string, unknown> = {};
  const errors: FieldValueError[] = [];
  for (const [name, value] of Object.entries(changes)) {
    const codec = codecs.get(name);
    if (codec === undefined) {
      errors.push(
        new FieldValueError("FIELD_VALUE_INVALID", "the field is not mapped by the profile", {
          field: name,
          side: "sharePoint",
          ...(where === undefined ? {} : { where }),
        }),
      );
      continue;
    }
    const written = codec.writeSharePoint(value);
    if (written.ok) Object.assign(fields, written.value);
    else errors.push(where === undefined ? written.error : written.error.at(where));
  }
  return { fields, errors };
}

import type { Profile } from "../config/profile";
import {
  buildFieldCodecs,
  type ColumnDefinition,
  type FieldCodecs,
  type LookupEntry,
  type SharePointPerson,
} from "../mapping";
import type { FieldMappingError } from "../mapping/fieldMappingError";

/**
 * Everything the field codecs of a run are built from, besides the profile. Staged with the run, so every activity
 * of it builds the very same codecs without reading SharePoint again.
 */
export interface CodecInputs {
  readonly columns: readonly ColumnDefinition[];
  /** The site's people, when a mapped column is a person column. */
  readonly people?: readonly SharePointPerson[];
  /** Per mapped lookup field, the entries of the list it points at. */
  readonly lookups?: Readonly<Record<string, readonly LookupEntry[]>>;
  /** A value per mapped field whose type Graph does not mark (see `SyncCursor.fieldSamples`). */
  readonly samples: Readonly<Record<string, unknown>>;
  /** The site's time zone (the profile's `sharePoint.timeZone`), for date-only columns. */
  readonly siteTimeZone: string;
}

export type CodecsResult = { ok: true; codecs: FieldCodecs } | { ok: false; errors: FieldMappingError[] };

/** The profile's codecs; every field that cannot be mapped is reported at once. */
export function codecsFor(profile: Profile, inputs: CodecInputs): CodecsResult {
  return buildFieldCodecs(profile.fields, inputs.columns, {
    siteTimeZone: inputs.siteTimeZone,
    hyperlinkWriteShape: profile.sharePoint.hyperlinkWrite ?? "object",
    ...(inputs.people ? { people: inputs.people } : {}),
    ...(inputs.lookups ? { lookups: inputs.lookups } : {}),
    samples: [inputs.samples],
  });
}

/** Codecs that built before (at prepare) from the same staged inputs; a failure now is a bug, not an input. */
export function stagedCodecs(profile: Profile, inputs: CodecInputs): FieldCodecs {
  const built = codecsFor(profile, inputs);
  if (!built.ok)
    throw new Error(
      `profile "${profile.key}": the staged field codecs no longer build: ${built.errors.map((e) => e.message).join("; ")}`,
    );
  return built.codecs;
}

/**
 * The `fields` keys to `$select` in reads: what each mapped column's codec reads (a single person or lookup as
 * `{Name}LookupId`, everything else by its name). Worked out from the column alone, because the select must be known
 * before the items that would tell an unmarked column's type are read.
 */
export function selectedFieldKeys(profile: Profile, columns: readonly ColumnDefinition[]): string[] {
  const keys = new Set<string>();
  for (const field of profile.fields) {
    const column = columns.find((candidate) => candidate.name === field.sharePoint);
    const single =
      (column?.personOrGroup !== undefined && column.personOrGroup.allowMultipleSelection !== true) ||
      (column?.lookup !== undefined && column.lookup.allowMultipleValues !== true);
    keys.add(single ? `${field.sharePoint}LookupId` : field.sharePoint);
  }
  return [...keys].sort();
}

/** Whether a column's codec kind depends on item values (Graph leaves hyperlinks unmarked, multi-choice unflagged). */
export function needsSample(column: ColumnDefinition): boolean {
  const facets = [
    "text",
    "number",
    "currency",
    "boolean",
    "dateTime",
    "personOrGroup",
    "lookup",
    "hyperlinkOrPicture",
  ] as const;
  if (column.choice !== undefined) return column.choice.displayAs !== "checkBoxes";
  return !facets.some((facet) => (column as Record<string, unknown>)[facet] !== undefined);
}

import type { ColumnDefinition } from "./columnDefinition";
import type { FieldKind } from "./fieldCodec";
import type { FieldFormat } from "./fieldFormat";

export type FieldKindResult =
  | { ok: true; kind: FieldKind }
  | { ok: false; code: "FIELD_TYPE_UNSUPPORTED" | "FIELD_TYPE_UNKNOWN"; detail: string };

/** Type facets Graph may show for columns the sync does not carry. */
const UNSUPPORTED_FACETS = [
  "calculated",
  "term",
  "thumbnail",
  "contentApprovalStatus",
  "geolocation",
  "location",
] as const;

/**
 * Tells a column's type from its definition. Graph leaves some things out: multi-select choice columns carry no flag
 * (`displayAs: checkBoxes` or an array value tells), and hyperlink columns listed through `/lists/{id}/columns` carry
 * no facet at all, so a sample value (`{Url, Description}`) or the profile's `link` format must tell.
 */
export function fieldKindOf(
  column: ColumnDefinition,
  samples: readonly unknown[],
  format: FieldFormat | undefined,
): FieldKindResult {
  if (column.text !== undefined) return { ok: true, kind: column.text.allowMultipleLines === true ? "note" : "text" };
  if (column.number !== undefined) return { ok: true, kind: "number" };
  if (column.currency !== undefined) return { ok: true, kind: "currency" };
  if (column.boolean !== undefined) return { ok: true, kind: "boolean" };
  if (column.choice !== undefined) {
    const multiple = column.choice.displayAs === "checkBoxes" || samples.some(Array.isArray);
    return { ok: true, kind: multiple ? "multiChoice" : "choice" };
  }
  if (column.dateTime !== undefined)
    return { ok: true, kind: column.dateTime.format === "dateOnly" ? "dateOnly" : "dateTime" };
  if (column.personOrGroup !== undefined)
    return { ok: true, kind: column.personOrGroup.allowMultipleSelection === true ? "personMulti" : "person" };
  if (column.lookup !== undefined)
    return { ok: true, kind: column.lookup.allowMultipleValues === true ? "lookupMulti" : "lookup" };
  if (column.hyperlinkOrPicture !== undefined) return { ok: true, kind: "hyperlink" };
  const unsupported = UNSUPPORTED_FACETS.find((facet) => (column as Record<string, unknown>)[facet] !== undefined);
  if (unsupported !== undefined)
    return { ok: false, code: "FIELD_TYPE_UNSUPPORTED", detail: `${unsupported} columns are not synced` };
  const looksLikeHyperlink = samples.some((sample) => typeof sample === "object" && sample !== null && "Url" in sample);
  if (looksLikeHyperlink || format?.kind === "link") return { ok: true, kind: "hyperlink" };
  return {
    ok: false,
    code: "FIELD_TYPE_UNKNOWN",
    detail:
      "Graph shows no type for this column (as it does for hyperlink columns) and no item value tells it; give it format link if it is a hyperlink",
  };
}

/** Profile formats each kind can render faithfully (absent format = the kind's natural rendering). */
export const formatsByKind: Readonly<Record<FieldKind, readonly FieldFormat["kind"][]>> = {
  text: ["text", "status"],
  note: ["text"],
  number: ["text"],
  currency: ["text"],
  boolean: ["text", "status"],
  choice: ["text", "status"],
  multiChoice: ["text", "status"],
  dateOnly: ["text", "date"],
  dateTime: ["text"],
  person: ["text", "mention"],
  personMulti: ["text", "mention"],
  lookup: ["text", "status"],
  lookupMulti: ["text"],
  hyperlink: ["link"],
};

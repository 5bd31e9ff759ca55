import fc from "fast-check";
import type { ColumnDefinition } from "../../../shared/mapping";

/**
 * The list and table the end-to-end model syncs: one field of each kind that matters to the merge — text, choice,
 * number and date-only — and, on the page, an unmapped `Ref` column where people keep their own note of which row is
 * which (the model's row identity; the sync must leave it alone, and rows it appends have it empty).
 */

export const MODEL_FIELDS = ["Title", "Status", "Amount", "Due"] as const;

export const MODEL_COLUMNS: readonly ColumnDefinition[] = [
  // Not required: a row people add with an empty title is still an item to create.
  { name: "Title", displayName: "Title", text: { allowMultipleLines: false, maxLength: 255 } },
  {
    name: "Status",
    displayName: "Status",
    choice: { allowTextEntry: false, choices: ["Open", "Doing", "Done"], displayAs: "dropDownMenu" },
  },
  { name: "Amount", displayName: "Amount", number: { decimalPlaces: "automatic", displayAs: "number" } },
  { name: "Due", displayName: "Due", dateTime: { displayAs: "default", format: "dateOnly" } },
];

export const KEY_HEADER = "ID";
export const REF_HEADER = "Ref";
export const MODEL_HEADERS: readonly string[] = [KEY_HEADER, ...MODEL_FIELDS, REF_HEADER];

/**
 * What a person types into one field: `text` in a Confluence cell (`""` = empty), `sharePoint` in SharePoint's form
 * (the Graph value; `null` clears it). Without `sharePoint`, SharePoint's form refuses the value (`abc` in a Number
 * column), so only Confluence can hold it — as a value the sync cannot read.
 */
export interface FieldInput {
  readonly text: string;
  readonly sharePoint?: string | number | null;
}

const empty: FieldInput = { text: "", sharePoint: null };
const text = (value: string): FieldInput => ({ text: value, sharePoint: value });
const unreadable = (value: string): FieldInput => ({ text: value });

/**
 * Small domains per field (index as in MODEL_FIELDS), so people often type the same value on both sides (convergent
 * edits), revert to the base, or collide on the natural key; one unreadable value each where the type has one.
 */
const DOMAINS: readonly (readonly FieldInput[])[] = [
  [empty, text("a"), text("b"), text("c")],
  [empty, text("Open"), text("Doing"), text("Done"), unreadable("Maybe")],
  [
    empty,
    { text: "1", sharePoint: 1 },
    { text: "2", sharePoint: 2 },
    { text: "2.5", sharePoint: 2.5 },
    unreadable("abc"),
  ],
  [
    empty,
    { text: "2024-03-01", sharePoint: "2024-03-01T00:00:00Z" },
    { text: "2024-03-02", sharePoint: "2024-03-02T00:00:00Z" },
    unreadable("soon"),
  ],
];

/** A value a person types into field `field`; readable values far more often than unreadable ones. */
export function fieldInput(field: number): fc.Arbitrary<FieldInput> {
  const domain = DOMAINS[field] ?? [empty];
  const readable = domain.filter((input) => input.sharePoint !== undefined);
  const broken = domain.filter((input) => input.sharePoint === undefined);
  return broken.length === 0
    ? fc.constantFrom(...readable)
    : fc.oneof(
        { weight: 12, arbitrary: fc.constantFrom(...readable) },
        { weight: 1, arbitrary: fc.constantFrom(...broken) },
      );
}

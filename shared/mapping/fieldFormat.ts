/** The colours a Confluence status lozenge can take (the `colour` parameter of the `status` macro). */
export const STATUS_COLOURS = ["Grey", "Red", "Yellow", "Green", "Blue", "Purple"] as const;
export type StatusColour = (typeof STATUS_COLOURS)[number];

/**
 * How a mapped field is rendered in its Confluence cell. The mapper owns the meaning of each variant; a profile only
 * names the choice (shared/config validates it). Absent = the rendering the column already uses on the page, else the
 * type's natural one (a `<time>` for date-only values, a link for hyperlinks, text otherwise).
 *
 * Which column types take which format (others are refused when the codecs are built, `FIELD_FORMAT_MISMATCH`):
 * `text` any type but hyperlinks; `status` text, yes/no, choice (single and multiple), single lookup; `date` date-only;
 * `link` hyperlinks (it also tells a hyperlink column apart, which Graph lists without a type); `mention` people.
 */
export type FieldFormat =
  | { readonly kind: "text" }
  | {
      readonly kind: "status";
      /** SharePoint value → lozenge colour; values not listed use `defaultColour`. */
      readonly colours: Readonly<Record<string, StatusColour>>;
      readonly defaultColour: StatusColour;
    }
  | { readonly kind: "date" }
  | { readonly kind: "link" }
  | {
      readonly kind: "mention";
      /** Lower-cased e-mail → Atlassian account id; people not listed are written as text. */
      readonly accounts: Readonly<Record<string, string>>;
    };

/** The format kinds, for schemas and messages. */
export const FIELD_FORMAT_KINDS = [
  "text",
  "status",
  "date",
  "link",
  "mention",
] as const satisfies readonly FieldFormat["kind"][];

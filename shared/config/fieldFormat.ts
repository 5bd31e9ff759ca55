import { z } from "zod";

/**
 * How a mapped field is rendered in its Confluence cell. The SyncMapper owns the meaning of each variant; the
 * profile only names the choice. Absent = the rendering the column already uses on the page, else the type's natural
 * one (a `<time>` for date-only values, a link for hyperlinks, text otherwise).
 *
 * Which column types take which format (others are refused when the codecs are built, `FIELD_FORMAT_MISMATCH`):
 * `text` any type but hyperlinks; `status` text, yes/no, choice (single and multiple), single lookup; `date` date-only;
 * `link` hyperlinks (it also tells a hyperlink column apart, which Graph lists without a type); `mention` people.
 */
export const statusColourSchema = z.enum(["Grey", "Red", "Yellow", "Green", "Blue", "Purple"]);
export type StatusColour = z.infer<typeof statusColourSchema>;

export const fieldFormatSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("text") }).strict(),
  z
    .object({
      kind: z.literal("status"),
      /** SharePoint value → lozenge colour; values not listed use `defaultColour`. */
      colours: z.record(z.string(), statusColourSchema).default({}),
      defaultColour: statusColourSchema.default("Grey"),
    })
    .strict(),
  z.object({ kind: z.literal("date") }).strict(),
  z.object({ kind: z.literal("link") }).strict(),
  z
    .object({
      kind: z.literal("mention"),
      /** Lower-cased e-mail → Atlassian account id; people not listed are written as text. */
      accounts: z.record(z.string(), z.string()).default({}),
    })
    .strict(),
]);
export type FieldFormat = z.infer<typeof fieldFormatSchema>;

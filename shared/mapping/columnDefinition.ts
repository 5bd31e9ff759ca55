import { z } from "zod";

/**
 * The part of Graph's `columnDefinition` the sync reads (GET /sites/{site}/lists/{list}/columns). Exactly one type
 * facet is present for the common types; hyperlink columns come back with none (Graph omits `hyperlinkOrPicture`
 * from list column responses), so a codec may also need a sample value to tell a hyperlink from an unknown type.
 * Unknown properties are kept (`loose`) because Graph adds fields over time.
 */
export const columnDefinitionSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string(),
  displayName: z.string().optional(),
  description: z.string().optional(),
  columnGroup: z.string().optional(),
  hidden: z.boolean().optional(),
  readOnly: z.boolean().optional(),
  required: z.boolean().optional(),
  indexed: z.boolean().optional(),
  enforceUniqueValues: z.boolean().optional(),
  text: z
    .looseObject({
      allowMultipleLines: z.boolean().optional(),
      appendChangesToExistingText: z.boolean().optional(),
      linesForEditing: z.number().optional(),
      maxLength: z.number().optional(),
      textType: z.enum(["plain", "richText"]).optional(),
    })
    .optional(),
  number: z
    .looseObject({
      decimalPlaces: z.string().optional(),
      displayAs: z.string().optional(),
      maximum: z.number().optional(),
      minimum: z.number().optional(),
    })
    .optional(),
  currency: z.looseObject({ locale: z.string().optional() }).optional(),
  boolean: z.looseObject({}).optional(),
  choice: z
    .looseObject({
      allowTextEntry: z.boolean().optional(),
      choices: z.array(z.string()).optional(),
      displayAs: z.string().optional(),
    })
    .optional(),
  dateTime: z
    .looseObject({
      displayAs: z.string().optional(),
      format: z.enum(["dateOnly", "dateTime"]).optional(),
    })
    .optional(),
  personOrGroup: z
    .looseObject({
      allowMultipleSelection: z.boolean().optional(),
      chooseFromType: z.string().optional(),
      displayAs: z.string().optional(),
    })
    .optional(),
  lookup: z
    .looseObject({
      allowMultipleValues: z.boolean().optional(),
      allowUnlimitedLength: z.boolean().optional(),
      columnName: z.string().optional(),
      listId: z.string().optional(),
      primaryLookupColumnId: z.string().optional(),
    })
    .optional(),
  hyperlinkOrPicture: z.looseObject({ isPicture: z.boolean().optional() }).optional(),
  calculated: z.looseObject({}).optional(),
  term: z.looseObject({}).optional(),
});
export type ColumnDefinition = z.infer<typeof columnDefinitionSchema>;

import { z } from "zod";

/**
 * A list item as the sync needs it. `fields` is the raw fieldValueSet (Graph's read shapes, `@odata.*`
 * annotations included); turning values into canonical ones is `shared/mapping`'s job.
 */
export interface SharePointItem {
  /** SharePoint's integer id, as Graph serialises it: a string. */
  id: string;
  /** `"{guid},{version}"` with its quotes; the value to send back as `If-Match`. */
  eTag: string | undefined;
  fields: Record<string, unknown>;
  createdDateTime: string | undefined;
  lastModifiedDateTime: string | undefined;
  /** Absent in delta results; may name a user, an application, or both. */
  lastModifiedBy: IdentitySet | undefined;
}

export interface IdentitySet {
  user?: { id?: string; displayName?: string; email?: string };
  application?: { id?: string; displayName?: string };
}

const identitySetSchema = z.looseObject({
  user: z
    .looseObject({ id: z.string().optional(), displayName: z.string().optional(), email: z.string().optional() })
    .optional(),
  application: z.looseObject({ id: z.string().optional(), displayName: z.string().optional() }).optional(),
});

/** The listItem properties we read; Graph adds more over time (kept, ignored). */
export const listItemSchema = z.looseObject({
  id: z.string(),
  eTag: z.string().optional(),
  createdDateTime: z.string().optional(),
  lastModifiedDateTime: z.string().optional(),
  lastModifiedBy: identitySetSchema.optional(),
  fields: z.record(z.string(), z.unknown()).optional(),
  /** "If present in the result of a delta enumeration, indicates that the item was deleted." */
  deleted: z.looseObject({ state: z.string().optional() }).optional(),
});
export type ListItemJson = z.infer<typeof listItemSchema>;

/** A page of items or of delta results: `value` plus at most one of the links. */
export const itemPageSchema = z.looseObject({
  value: z.array(listItemSchema),
  "@odata.nextLink": z.string().optional(),
  "@odata.deltaLink": z.string().optional(),
});
export type ItemPage = z.infer<typeof itemPageSchema>;

export function toSharePointItem(json: ListItemJson): SharePointItem {
  return {
    id: json.id,
    eTag:
      json.eTag ??
      (typeof json.fields?.["@odata.etag"] === "string" ? (json.fields["@odata.etag"] as string) : undefined),
    fields: json.fields ?? {},
    createdDateTime: json.createdDateTime,
    lastModifiedDateTime: json.lastModifiedDateTime,
    lastModifiedBy: json.lastModifiedBy,
  };
}

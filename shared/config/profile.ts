import { z } from "zod";
import { type FieldMapping, SHAREPOINT_INTERNAL_NAME_PATTERN } from "../mapping/fieldMapping";
import { endpointUrlProblem } from "../settings/endpointAllowlist";
import { PROFILE_KEY_PATTERN, profileKeySchema } from "../settings/profileKey";
import { CONFLICT_POLICIES, type ConflictPolicy } from "../sync/conflictPolicy";
import { DELETE_POLICIES, type DeletePolicy } from "../sync/deletePolicy";
import { SYNC_DIRECTIONS, type SyncDirection } from "../sync/syncDirection";
import type { ProfileSyncSettings } from "../sync/syncRules";
import { fieldFormatSchema } from "./fieldFormat";
import { checkGatesAndLinks, confluencePagesTargetSchema, type PagesTarget } from "./pagesTarget";

export type { ConflictPolicy, DeletePolicy, FieldMapping, PagesTarget, SyncDirection };

export { PROFILE_KEY_PATTERN, profileKeySchema };

export const syncDirectionSchema = z.enum(SYNC_DIRECTIONS);

export const conflictPolicySchema = z.enum(CONFLICT_POLICIES);

export const deletePolicySchema = z.enum(DELETE_POLICIES);

const httpsUrl = z.url({ protocol: /^https$/, error: "must be an https URL" });

/**
 * An endpoint override: an https base URL naming a host, never an IP address (endpointUrlProblem). Whether the host is
 * allowed is the deployment's call, checked by the validator and again at run time (profileEndpoints.ts).
 */
const endpointUrl = z.string().superRefine((value, ctx) => {
  const problem = endpointUrlProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** A SharePoint column's internal name; it goes into OData query text, so nothing that could change the query. */
const sharePointColumnName = z
  .string()
  .regex(
    SHAREPOINT_INTERNAL_NAME_PATTERN,
    "not a SharePoint internal column name: letters, digits and _ only (the column's `name`, e.g. Due_x0020_Date)",
  );

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const fieldMappingSchema = z
  .object({
    /** SharePoint column internal name (`name` in the columnDefinition, e.g. `Due_x0020_Date`). */
    sharePoint: sharePointColumnName,
    /** Confluence table header text, matched after whitespace normalisation. */
    confluence: z.string().min(1),
    /** Overrides the profile direction for this field. */
    direction: syncDirectionSchema.optional(),
    format: fieldFormatSchema.optional(),
  })
  .strict() satisfies z.ZodType<FieldMapping>;

export const sharePointTargetSchema = z
  .object({
    /** Composite Graph site id `{hostname},{siteCollectionGuid},{webGuid}`. */
    siteId: z.string().min(1),
    listId: z.string().min(1),
    /**
     * `clientSecret`: the profile's own app registration (secrets GraphTenantId, GraphClientId, GraphClientSecret).
     * `managedIdentity`: the Function App's identity (optionally a user-assigned one by client id).
     */
    auth: z
      .discriminatedUnion("mode", [
        z.object({ mode: z.literal("clientSecret") }).strict(),
        z.object({ mode: z.literal("managedIdentity"), clientId: z.string().optional() }).strict(),
      ])
      .default({ mode: "clientSecret" }),
    /**
     * The site's time zone (IANA name, e.g. `Europe/Berlin`) as set in its regional settings. Date-only columns are
     * stored as midnight in this zone expressed in UTC, and Graph does not expose the setting, so the profile says it.
     * Default `UTC`.
     */
    timeZone: z.string().refine(isTimeZone, "not an IANA time zone name (e.g. Europe/Berlin)").optional(),
    /**
     * How hyperlink values are written (docs/references.md#graph-field-values): `object` (default) sends
     * `{Url, Description}` with `Prefer: apiversion=2.1`, the form public reports show working; `text` sends the
     * `"url, description"` string some clients use. A write SharePoint refuses is a field error naming this setting.
     */
    hyperlinkWrite: z.enum(["object", "text"]).optional(),
  })
  .strict();

export const confluenceTableTargetSchema = z
  .object({
    mode: z.literal("table"),
    pageId: z.string().regex(/^\d+$/, "Confluence page ids are numeric strings"),
    /** Header of the column holding the SharePoint item id. */
    keyColumn: z.string().min(1).default("ID"),
    /** Which table on the page: by position (0-based) or the first whose header contains all these names. */
    table: z
      .union([
        z.object({ index: z.number().int().min(0) }).strict(),
        z.object({ headers: z.array(z.string().min(1)).min(1) }).strict(),
      ])
      .default({ index: 0 }),
  })
  .strict();

export const confluenceTargetSchema = z
  .object({
    /** The Atlassian site, e.g. `https://contoso.atlassian.net`; picks the cloudId among accessible resources. */
    siteUrl: httpsUrl.optional(),
    /** Pin the cloudId directly instead of resolving it from `siteUrl`. */
    cloudId: z.string().optional(),
    /** Table mode (one table on one page) or pages mode (one page per item, docs/pages-mode.md). */
    target: z.discriminatedUnion("mode", [confluenceTableTargetSchema, confluencePagesTargetSchema]),
  })
  .strict()
  .refine((c) => c.siteUrl !== undefined || c.cloudId !== undefined, {
    message: "either siteUrl or cloudId is required to find the Confluence site",
    path: ["siteUrl"],
  });

/**
 * Per-direction gates (docs/pages-mode.md §5): a SharePoint yes/no column that lets an item's changes reach Confluence,
 * and a Confluence key (pages mode) or column (table mode) read as yes/no that lets the page's changes reach SharePoint.
 * Gates are never synced themselves.
 */
export const gatesSchema = z
  .object({
    /** Internal name of a SharePoint yes/no column. */
    sharePoint: z.string().min(1).optional(),
    /** The key of a row in the page's block (pages mode), or a table header (table mode). */
    confluence: z.string().min(1).optional(),
  })
  .strict();

export const endpointOverridesSchema = z
  .object({
    /** Graph root without the version, e.g. `https://graph.microsoft.us` (sovereign cloud) or an emulator. */
    graphBaseUrl: endpointUrl.optional(),
    /** Microsoft identity authority host, e.g. `https://login.microsoftonline.us`. */
    authorityHost: endpointUrl.optional(),
    /** Atlassian OAuth host (default `https://auth.atlassian.com`). */
    confluenceAuthBaseUrl: endpointUrl.optional(),
    /** Atlassian API gateway (default `https://api.atlassian.com`). */
    confluenceApiBaseUrl: endpointUrl.optional(),
  })
  .strict();

export const profileSchema = z
  .object({
    key: profileKeySchema,
    displayName: z.string().optional(),
    /** Disabled profiles are kept, listed and validated, but never scheduled. */
    enabled: z.boolean().default(true),
    sharePoint: sharePointTargetSchema,
    confluence: confluenceTargetSchema,
    direction: syncDirectionSchema.default("both"),
    fields: z.array(fieldMappingSchema).min(1, "map at least one field"),
    /**
     * Natural key used on a first sync to pair rows and items that already exist on both sides without ids, e.g.
     * `{ "sharePoint": "Title", "confluence": "Title" }`. Ambiguous matches are reported, never guessed.
     */
    matchBy: z
      .object({ sharePoint: sharePointColumnName, confluence: z.string().min(1) })
      .strict()
      .optional(),
    conflictPolicy: conflictPolicySchema.default("flag"),
    deletes: z
      .object({ toConfluence: deletePolicySchema.default("keep"), toSharePoint: deletePolicySchema.default("keep") })
      .strict()
      .default({ toConfluence: "keep", toSharePoint: "keep" }),
    /** A run that would delete more than this share of a side's items stops before writing. */
    massDeleteLimitPercent: z.number().min(0).max(100).default(20),
    gates: gatesSchema.default({}),
    endpoints: endpointOverridesSchema.default({}),
  })
  .strict()
  .superRefine((profile, ctx) => {
    checkGatesAndLinks(profile, ctx);
    const seen = new Map<string, number>();
    profile.fields.forEach((field, index) => {
      for (const [side, name] of [
        ["sharePoint", field.sharePoint],
        ["confluence", field.confluence.trim().toLowerCase()],
      ] as const) {
        const id = `${side}:${name}`;
        const first = seen.get(id);
        if (first !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["fields", index, side],
            message: `${side} field "${name}" is already mapped by fields[${first}]`,
          });
        } else {
          seen.set(id, index);
        }
      }
    });
  }) satisfies z.ZodType<ProfileSyncSettings>; // the core states the profile shape its rules come from

/** A validated profile with every default filled in. */
export type Profile = z.infer<typeof profileSchema>;
/** What an admin writes: defaults may be omitted. */
export type ProfileInput = z.input<typeof profileSchema>;

/** The table-mode target (one table on one page). */
export type TableTarget = z.infer<typeof confluenceTableTargetSchema>;
/** A profile whose target is one table on one page. */
export type TableProfile = Profile & { confluence: { target: TableTarget } };
/** A profile whose target is one page per item (docs/pages-mode.md). */
export type PagesProfile = Profile & { confluence: { target: PagesTarget } };

export function isPagesProfile(profile: Profile): profile is PagesProfile {
  return profile.confluence.target.mode === "pages";
}

/**
 * The profile as table mode needs it. Table-mode code calls this where it reads the target: a pages profile reaching
 * it is a bug in the dispatch, not an input problem.
 */
export function tableProfile(profile: Profile): TableProfile {
  if (profile.confluence.target.mode !== "table")
    throw new Error(`profile "${profile.key}" is a pages-mode profile; table-mode code was handed it`);
  return profile as TableProfile;
}

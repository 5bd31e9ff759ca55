import { z } from "zod";
import { columnDefinitionSchema } from "../../../shared/mapping/columnDefinition";

/**
 * Behaviour the reference leaves open ([UNCONFIRMED]) or that tests need to shorten, with defaults as close to the
 * real service as the reference allows. Settable in the seed (`graph.settings`) and at run time through
 * `PATCH /_admin/settings`.
 */
export const graphSettingsSchema = z
  .object({
    /** Page size of `items` and `items/delta` when `$top` is absent (commonly cited as 200). */
    defaultPageSize: z.number().int().min(1).default(200),
    /** Largest page served; a larger `$top` is clamped, as `top(7600)` returned 5,000 items in a real tenant. */
    maxPageSize: z.number().int().min(1).default(5000),
    /** Age after which a delta token answers 410 Gone (SharePoint's real lifetime is undocumented). */
    deltaTokenTtlSeconds: z
      .number()
      .int()
      .min(1)
      .default(7 * 24 * 3600),
    /** The resync code of a 410 and where it sits: top-level `code` or `innerError.code` (undocumented). */
    deltaResyncCode: z
      .enum(["resyncChangesApplyDifferences", "resyncChangesUploadDifferences"])
      .default("resyncChangesApplyDifferences"),
    deltaResyncCodeAt: z.enum(["code", "innerError"]).default("code"),
    /**
     * How a deletion appears in an incremental delta page. The docs' sample shows the `deleted` facet (copied from
     * drives); the service's own 2024 serialiser error shows list deletions taking the OData deleted-resource path,
     * `"@removed": {"reason": "deleted"}`, which several public clients check (docs/references.md#graph-delta).
     * `withoutFields` sends the bare `{"id"}`; `errorEntry` reproduces that observed failure: an error object in place
     * of the deletion inside a 200 page that still ends with a deltaLink.
     */
    deltaDeletion: z.enum(["removed", "deletedFacet", "withoutFields", "errorEntry"]).default("removed"),
    /**
     * SharePoint's per-app resource-unit budget per minute (1,250 for the smallest tenants). Absent = unlimited.
     * Costs: 1 RU for a single-item GET or a delta call with a token, 2 for lists, first delta calls and writes.
     */
    resourceUnitsPerMinute: z.number().int().min(1).optional(),
    /** Status a non-indexed `$filter` on a list above 5,000 items fails with, even with the Prefer header. */
    largeListNonIndexedFilterStatus: z.number().int().min(400).max(599).default(500),
    /** Shuffle `$batch` responses, as the service may ("responses might appear in a different order"). */
    shuffleBatchResponses: z.boolean().default(true),
    /** Longest subscription lifetime for a SharePoint list. */
    subscriptionMaxMinutes: z.number().int().min(1).default(42_300),
    /** The real service only calls HTTPS endpoints; the sandbox may allow plain http for a local Functions host. */
    allowInsecureNotificationUrls: z.boolean().default(false),
    /** How long the notification endpoint has to answer the validation handshake. */
    validationTimeoutMs: z.number().int().min(1).default(10_000),
    /** How long a notification POST may take before it counts as failed (3 s in the real service). */
    notificationTimeoutMs: z.number().int().min(1).default(3_000),
    /**
     * Whether an app holding only `Sites.Selected` (with a write grant on the site) may subscribe to a list. Subscribing
     * is documented with `Sites.ReadWrite.All`; older live reports show 403 for `Sites.Selected`, so `forbidden`.
     */
    selectedListSubscriptions: z.enum(["forbidden", "allowed"]).default("forbidden"),
    /**
     * Which hyperlink write Graph takes: `{Url, Description}` only with `Prefer: apiversion=2.1` (public reports), the
     * `"url, description"` string only, or neither (docs/references.md#graph-field-values).
     */
    hyperlinkWrites: z.enum(["objectWithApiVersion", "textOnly", "none"]).default("objectWithApiVersion"),
    /** Changes within this window reach a subscriber as one notification POST. */
    notificationCoalesceMs: z.number().int().min(0).default(0),
    /** Redelivery of notifications answered with non-2xx: exponential from initialDelayMs, capped, for up to maxDurationMs (4 h). */
    notificationRetry: z
      .object({
        initialDelayMs: z.number().int().min(0).default(30_000),
        maxDelayMs: z
          .number()
          .int()
          .min(0)
          .default(30 * 60_000),
        maxDurationMs: z
          .number()
          .int()
          .min(0)
          .default(4 * 3600_000),
      })
      .strict()
      .default({ initialDelayMs: 30_000, maxDelayMs: 30 * 60_000, maxDurationMs: 4 * 3600_000 }),
  })
  .strict();
export type GraphSettings = z.infer<typeof graphSettingsSchema>;

/** SharePoint's `_ModerationStatus`: 0 approved, 1 rejected, 2 pending, 3 draft. */
export const moderationStatusSchema = z.number().int().min(0).max(3);

const itemIdSchema = z
  .string()
  .regex(/^[1-9]\d*$/, 'item ids are SharePoint integer ids serialised as strings, e.g. "1"');

export const graphSeedSchema = z
  .object({
    tenantId: z.string().min(1),
    clients: z
      .array(
        z
          .object({
            clientId: z.string().min(1),
            clientSecret: z.string().min(1),
            /** Shown as `lastModifiedBy.application.displayName` on the app's writes. */
            displayName: z.string().optional(),
            /** The application permissions (app roles) granted to the client, as its tokens carry them. */
            roles: z.array(z.string()).default(["Sites.ReadWrite.All"]),
          })
          .strict(),
      )
      .default([]),
    /** The App Service managed-identity endpoint; absent = not served. */
    managedIdentity: z
      .object({
        identityHeader: z.string().min(1),
        clientId: z.string().min(1),
        displayName: z.string().optional(),
        roles: z.array(z.string()).default(["Sites.ReadWrite.All"]),
      })
      .strict()
      .optional(),
    /** Site users person columns and person edits refer to (`lookupId` is the site user-list id). */
    people: z
      .array(
        z
          .object({
            lookupId: z.string().regex(/^\d+$/),
            displayName: z.string(),
            email: z.string(),
            id: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
    sites: z.array(
      z
        .object({
          /** Composite id `{hostname},{siteCollectionGuid},{webGuid}`. */
          id: z
            .string()
            .regex(
              /^[^,]+,[0-9a-fA-F-]{36},[0-9a-fA-F-]{36}$/,
              "site ids are `{hostname},{siteCollectionGuid},{webGuid}`",
            ),
          displayName: z.string(),
          /**
           * The site's time zone (regional settings): date-only values are stored as midnight of their date here,
           * whatever instant is written (docs/references.md#graph-field-values).
           */
          timeZone: z.string().default("UTC"),
          /** Site permissions granted to apps that hold `Sites.Selected` (`POST /sites/{id}/permissions`). */
          permissions: z
            .array(
              z
                .object({
                  appId: z.string().min(1),
                  roles: z.array(z.enum(["read", "write", "manage", "fullcontrol"])),
                })
                .strict(),
            )
            .default([]),
          lists: z.array(
            z
              .object({
                id: z.string().regex(/^[0-9a-fA-F-]{36}$/, "list ids are GUIDs"),
                displayName: z.string(),
                columns: z.array(columnDefinitionSchema).default([]),
                /** Content approval: items not approved are hidden from apps without `Sites.Manage.All`. */
                contentApproval: z.boolean().default(false),
                items: z
                  .array(
                    z
                      .object({
                        id: itemIdSchema,
                        fields: z.record(z.string(), z.unknown()).default({}),
                        /** With content approval: 0 approved (default), 1 rejected, 2 pending, 3 draft. */
                        moderationStatus: moderationStatusSchema.optional(),
                      })
                      .strict(),
                  )
                  .default([]),
              })
              .strict(),
          ),
        })
        .strict(),
    ),
    settings: graphSettingsSchema.default(graphSettingsSchema.parse({})),
  })
  .strict()
  .superRefine((seed, ctx) => {
    seed.sites.forEach((site, s) =>
      site.lists.forEach((list, l) => {
        const seen = new Set<string>();
        list.items.forEach((item, i) => {
          if (seen.has(item.id))
            ctx.addIssue({
              code: "custom",
              path: ["sites", s, "lists", l, "items", i, "id"],
              message: `duplicate item id ${item.id}`,
            });
          seen.add(item.id);
        });
      }),
    );
  });
export type GraphSeed = z.infer<typeof graphSeedSchema>;
export type GraphSeedInput = z.input<typeof graphSeedSchema>;
export type SeedList = GraphSeed["sites"][number]["lists"][number];

/** A seed that does not fit, with every bad path named (`graph.sites[0].lists[1].items[3].id: …`). */
export class GraphSeedError extends Error {
  override readonly name = "GraphSeedError";
}

export function parseGraphSeed(input: unknown): GraphSeed {
  const parsed = graphSeedSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `${formatPath(["graph", ...issue.path])}: ${issue.message}`);
  throw new GraphSeedError(`invalid graph seed:\n  ${lines.join("\n  ")}`);
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)),
    "",
  );
}

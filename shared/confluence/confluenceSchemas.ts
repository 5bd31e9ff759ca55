import { z } from "zod";

/**
 * The parts of Atlassian's responses ConfluenceSync depends on, validated at the edge
 * (docs/references.md#confluence-oauth-and-the-gateway and docs/references.md#confluence-rest-api). Objects are loose:
 * Atlassian adds fields freely (`ncsStepVersion`, `edituiv2`, …) and extra fields must never break a sync.
 */

/**
 * `POST /oauth/token` (docs/references.md#confluence-oauth-token-endpoint). `refresh_token` is present whenever
 * `offline_access` was granted.
 */
export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().positive(),
  scope: z.string().default(""),
  token_type: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** `GET /oauth/token/accessible-resources` (docs/references.md#confluence-accessible-resources). */
export const accessibleResourcesSchema = z.array(
  z.looseObject({
    id: z.string().min(1),
    name: z.string(),
    url: z.string().min(1),
    scopes: z.array(z.string()).default([]),
    avatarUrl: z.string().optional(),
  }),
);
export type AccessibleResource = z.infer<typeof accessibleResourcesSchema>[number];

export const versionSchema = z.looseObject({
  number: z.number().int().min(0),
  createdAt: z.string(),
  message: z.string().default(""),
  minorEdit: z.boolean().default(false),
  authorId: z.string().optional(),
});

/** PageSingle / PageBulk (docs/references.md#confluence-page-read). */
export const pageSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  title: z.string(),
  spaceId: z.string(),
  parentId: z.string().nullable().optional(),
  authorId: z.string().optional(),
  createdAt: z.string().optional(),
  version: versionSchema,
  body: z
    .looseObject({ storage: z.looseObject({ representation: z.literal("storage"), value: z.string() }).optional() })
    .optional(),
  _links: z.looseObject({ webui: z.string().optional(), base: z.string().optional() }).optional(),
});
export type PageWire = z.infer<typeof pageSchema>;

/** `{results, _links: {next?, base}}` of every v2 listing. */
export function multiEntitySchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    results: z.array(item),
    _links: z.looseObject({ next: z.string().optional(), base: z.string().optional() }).optional(),
  });
}

/** ContentProperty (docs/references.md#confluence-content-properties). */
export const contentPropertySchema = z.looseObject({
  id: z.string(),
  key: z.string(),
  value: z.unknown(),
  version: versionSchema,
});

export const spaceSchema = z.looseObject({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  homepageId: z.string().nullable().optional(),
});

/**
 * v1 `GET /wiki/rest/api/search` (docs/references.md#confluence-cql-search); `_links.next` is relative to
 * `_links.context`.
 */
export const searchResponseSchema = z.looseObject({
  results: z.array(
    z.looseObject({
      content: z
        .looseObject({
          id: z.string(),
          type: z.string(),
          status: z.string().optional(),
          title: z.string(),
          /** With `expand=content.version`: the version the search index holds (it may lag the page's own). */
          version: z.looseObject({ number: z.number().int().min(0), when: z.string().optional() }).optional(),
        })
        .optional(),
      title: z.string().optional(),
      lastModified: z.string().optional(),
      url: z.string().optional(),
    }),
  ),
  totalSize: z.number().optional(),
  _links: z
    .looseObject({ next: z.string().optional(), base: z.string().optional(), context: z.string().optional() })
    .optional(),
});

/**
 * The four error envelopes (docs/references.md#confluence-error-bodies); only what the client reads for codes and
 * messages.
 */
export const errorBodySchema = z.union([
  z.looseObject({
    errors: z
      .array(
        z.looseObject({
          code: z.string().optional(),
          title: z.string().optional(),
          detail: z.string().nullable().optional(),
        }),
      )
      .min(1),
  }),
  z.looseObject({ error: z.string(), error_description: z.string().optional() }),
  z.looseObject({ statusCode: z.number(), message: z.string() }),
  z.looseObject({ code: z.number(), message: z.string() }),
]);

/** A row of `GET /pages/{id}/children` or `/descendants` (docs/references.md#confluence-page-tree): no version. */
export const treePageSchema = z.looseObject({
  id: z.string(),
  status: z.string().optional(),
  title: z.string().optional(),
  type: z.string().optional(),
  parentId: z.string().nullable().optional(),
  depth: z.number().int().optional(),
});

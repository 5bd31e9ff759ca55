import { z } from "zod";

/**
 * The `confluence` section of an emulator seed file (docs/emulators.md#seed-file), in the real APIs' shapes. Everything
 * beyond `cloudId`, `siteUrl`, `oauth.{clientId, clientSecret, refreshTokens}`, `spaces` and `pages` is optional and
 * exists to make the emulator behave like a particular site (or to switch a behaviour the reference marks
 * [UNCONFIRMED]).
 */

const numericId = z.string().regex(/^\d+$/, "Confluence ids are numeric strings");

/** Scopes a consent grants when the seed does not say: everything ConfluenceSync asks for. */
export const DEFAULT_GRANTED_SCOPES = [
  "read:page:confluence",
  "write:page:confluence",
  "delete:page:confluence",
  "read:space:confluence",
  "search:confluence",
  "read:confluence-content.all",
  "write:confluence-content",
  "offline_access",
] as const;

const oauthSchema = z
  .object({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    /** One refresh token per consent (token family); each can be rotated independently. */
    refreshTokens: z.array(z.string().min(8)).min(1),
    /** How long a rotated-out refresh token keeps working (Atlassian: 10 minutes). */
    reuseLeewaySeconds: z.number().min(0).default(600),
    /**
     * Which rotated-out tokens may be exchanged again inside the leeway: only the one exchanged last (`previousOnly`,
     * Auth0's documented rule, the default) or any (`anyUsedWithinLeeway`). Atlassian's own rule is unconfirmed
     * (docs/emulators.md#confluence-settings).
     */
    reuseRule: z.enum(["previousOnly", "anyUsedWithinLeeway"]).default("previousOnly"),
    /** `expires_in` of minted access tokens (Atlassian: 3600). */
    accessTokenExpiresIn: z.number().int().min(1).default(3600),
    /** Refresh-token inactivity expiry (Atlassian: 90 days, reset by every refresh). */
    inactivityExpirySeconds: z
      .number()
      .int()
      .min(1)
      .default(90 * 24 * 3600),
    /** Absolute expiry of a token family from consent (Atlassian: 365 days; rotation does not extend it). */
    absoluteExpirySeconds: z
      .number()
      .int()
      .min(1)
      .default(365 * 24 * 3600),
    /**
     * Which documented body a dead refresh token gets: the documented `invalid_grant` or the `unauthorized_client`
     * the live endpoint often sends (docs/references.md#confluence-token-errors). Both are 403.
     */
    errorStyle: z.enum(["invalid_grant", "unauthorized_client"]).default("invalid_grant"),
    /**
     * Scopes the app is configured with in the developer console: what a seeded consent grants, and the most a person
     * can grant on the consent screen (space-separated in token responses).
     */
    scopes: z.array(z.string().min(1)).default([...DEFAULT_GRANTED_SCOPES]),
    /**
     * The app's callback URLs, for the authorization-code flow: `redirect_uri` must be one of them exactly (Atlassian
     * allows one per app; the emulator takes a list so the CLI's loopback and the Function App's callback can share a
     * seed). Empty: every authorization request is refused with "Callback URL mismatch".
     */
    callbackUrls: z.array(z.url()).default([]),
    /** How long an authorization code can be exchanged (unconfirmed for Atlassian; OAuth 2.0 suggests 10 minutes). */
    authorizationCodeLifetimeSeconds: z.number().int().min(1).default(600),
    /**
     * What the authorize endpoint does with a requested scope the app is not configured with: `dropped` (default;
     * the consent grants the rest, and the token response's `scope` tells the client) or `refused` (the request is
     * redirected back with `error=invalid_scope`). Atlassian's behaviour is unconfirmed
     * (docs/emulators.md#confluence-settings).
     */
    unconfiguredScopes: z.enum(["dropped", "refused"]).default("dropped"),
    /** The app's name on the consent screen. */
    appName: z.string().min(1).default("ConfluenceSync"),
  })
  .strict();

const spaceSchema = z
  .object({
    id: numericId,
    key: z.string().regex(/^[A-Za-z0-9~]+$/, "space keys are letters and digits (personal spaces start with ~)"),
    name: z.string().min(1),
    homepageId: numericId.optional(),
  })
  .strict();

const seedPropertySchema = z.object({ key: z.string().min(1).max(255), value: z.unknown() }).strict();

const pageSchema = z
  .object({
    id: numericId,
    spaceId: numericId,
    parentId: numericId.nullable().optional(),
    title: z.string().min(1),
    /** Storage-format XHTML (validated like a write). */
    body: z.string(),
    status: z.enum(["current", "archived", "trashed", "draft"]).default("current"),
    /** Version the page starts at; the seed stands for the page's latest version. */
    version: z.number().int().min(1).default(1),
    authorId: z.string().min(1).optional(),
    /** ISO instant of the seeded version (default: emulator start). */
    lastModified: z.iso.datetime().optional(),
    labels: z.array(z.string().min(1)).default([]),
    properties: z.array(seedPropertySchema).default([]),
    /** Restricted so that the app's user cannot see it (its title still blocks creates of the same title). */
    restricted: z.boolean().default(false),
  })
  .strict();

const resourceSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    url: z.url(),
    scopes: z.array(z.string()).default([...DEFAULT_GRANTED_SCOPES]),
  })
  .strict();

export const confluenceSeedSchema = z
  .object({
    cloudId: z.string().min(1),
    /** e.g. `https://contoso.atlassian.net` — what accessible-resources reports and `_links.base` is built from. */
    siteUrl: z.url(),
    siteName: z.string().min(1).default("Confluence site"),
    oauth: oauthSchema,
    spaces: z.array(spaceSchema).default([]),
    pages: z.array(pageSchema).default([]),
    /** Further sites the grant covers (listed by accessible-resources only; no content is served for them). */
    additionalResources: z.array(resourceSchema).default([]),
    /** Account id of the app user the OAuth grant belongs to (author of the sync's writes). */
    appAccountId: z.string().min(1).default("557058:0a1b2c3d-sync-app-user"),
    /** Account id of the person whose edits `PUT /_admin/pages/{id}` stands for. */
    humanAccountId: z.string().min(1).default("557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"),
    /**
     * `confluence` (default): rewrite stored bodies, seeded ones included, the way Confluence's editor pipeline does
     * (local ids, macro ids, marks split around links, styles, `<br />`, `<b>` → `<strong>`, entities); `none`: store
     * the bytes as sent.
     */
    storageNormalization: z.enum(["none", "confluence"]).default("confluence"),
    /** Calls per window before 429s (one point per call; off when absent), like Atlassian's hourly quota. */
    rateLimit: z
      .object({ limit: z.number().int().min(1), windowSeconds: z.number().int().min(1).default(3600) })
      .strict()
      .optional(),
    /**
     * Atlassian's points quota (docs/emulators.md#confluence-pages-mode-behaviours): points per hour, reset at the top
     * of the UTC hour, shared by every caller; `enforced: false` only reports it (`Beta-` headers, no 429s).
     */
    pointsQuota: z
      .object({ pointsPerHour: z.number().int().min(1), enforced: z.boolean().default(true) })
      .strict()
      .optional(),
    /**
     * How far the search index lags writes: CQL search sees pages as they were this many seconds ago
     * (docs/references.md#confluence-cql-search).
     */
    searchIndexLagSeconds: z.number().min(0).default(0),
    /**
     * The searching user's time-zone offset from UTC in minutes: CQL date literals are local to the user
     * (docs/references.md#confluence-cql-search).
     */
    searchTimeZoneOffsetMinutes: z.number().int().min(-840).max(840).default(0),
    /**
     * `GET /pages?id=…` answers in an order of its own, not the order of the ids asked for (observed; n8n's client
     * maps results by id). `false` keeps id order, for readable test failures.
     */
    shuffleBulkReads: z.boolean().default(true),
    /** Seeds the emulator's own randomness (the bulk-read order), so a failing run can be replayed. */
    randomSeed: z.number().int().default(1),
    /** Behaviours the reference marks [UNCONFIRMED]. */
    quirks: z
      .object({
        /** Status for a content property over 32 KB. */
        propertyTooLargeStatus: z.union([z.literal(400), z.literal(413)]).default(400),
        /** The deepest `depth` `/descendants` serves (n8n calls 10 the documented maximum; unconfirmed). */
        descendantsMaxDepth: z.number().int().min(1).default(10),
      })
      .strict()
      .default({ propertyTooLargeStatus: 400, descendantsMaxDepth: 10 }),
  })
  .strict()
  .superRefine((seed, ctx) => {
    const spaceIds = new Set(seed.spaces.map((s) => s.id));
    const pageIds = new Set<string>();
    seed.pages.forEach((page, index) => {
      if (pageIds.has(page.id))
        ctx.addIssue({ code: "custom", path: ["pages", index, "id"], message: `duplicate page id ${page.id}` });
      pageIds.add(page.id);
      if (!spaceIds.has(page.spaceId)) {
        ctx.addIssue({
          code: "custom",
          path: ["pages", index, "spaceId"],
          message: `no space with id ${page.spaceId} in spaces`,
        });
      }
    });
    seed.pages.forEach((page, index) => {
      if (page.parentId && !pageIds.has(page.parentId)) {
        ctx.addIssue({
          code: "custom",
          path: ["pages", index, "parentId"],
          message: `no page with id ${page.parentId} in pages`,
        });
      }
    });
  });

export type ConfluenceSeed = z.infer<typeof confluenceSeedSchema>;
export type ConfluenceSeedInput = z.input<typeof confluenceSeedSchema>;

/** Validates a seed section; a bad seed fails with every problem named by its path, e.g. `confluence.pages[2].spaceId`. */
export function parseConfluenceSeed(input: unknown): ConfluenceSeed {
  const result = confluenceSeedSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${formatPath(["confluence", ...issue.path])}: ${issue.message}`);
  throw new Error(`invalid confluence seed: ${problems.join("; ")}`);
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)),
    "",
  );
}

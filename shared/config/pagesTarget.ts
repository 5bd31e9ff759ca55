import { z } from "zod";

/** Confluence page ids are numeric strings; Cloud ids exceed 2^31, so they are never parsed as 32-bit integers. */
const pageIdSchema = z.string().regex(/^\d+$/, "Confluence page ids are numeric strings");

/** `{Field}` references in a title template: a mapped field's SharePoint name, or `ID` (the item id). */
export const TITLE_TEMPLATE_REFERENCE = /\{([^{}]+)\}/g;

/**
 * `confluence.target` in pages mode (docs/pages-mode.md): one page per list item under `parentPageId`, created from
 * `templatePageId`, holding the item's fields in a key/value block.
 */
export const confluencePagesTargetSchema = z
  .object({
    mode: z.literal("pages"),
    /** The page the item pages live under; its space is the space the pages are created in. */
    parentPageId: pageIdSchema,
    /** `children`: the parent's direct children (CQL `parent`); `descendants`: every page below it (`ancestor`). */
    scope: z.enum(["children", "descendants"]).default("children"),
    /**
     * The change feed: `cql` (a search on the parent and `lastmodified`), or `spaceListing` (the space's pages sorted
     * by modification, for a space that holds only item pages). See docs/pages-mode.md §7.
     */
    feed: z.enum(["cql", "spaceListing"]).default("cql"),
    /** The page new item pages are made from: its body, with our block filled in. */
    templatePageId: pageIdSchema,
    /** The title of a new page: `{Field}` is a mapped field's value, `{ID}` the item id. */
    titleTemplate: z.string().min(1).default("{Title}"),
    /** The title used once when the planned title is taken (titles are unique per space). */
    titleCollisionTemplate: z.string().min(1).default("{Title} ({ID})"),
    /**
     * Which key/value block on a page is ours: the `details` macro whose `id` parameter is `detailsId`; without it,
     * the first `details` macro's table, else the first table whose first column is all `<th>`.
     */
    block: z
      .object({ detailsId: z.string().min(1).optional() })
      .strict()
      .default({}),
    /** The content property that links a page to its item (namespaced: property keys are global per page). */
    linkProperty: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,255}$/, "letters, digits, '.', '_' and '-' only")
      .default("confluencesync.link"),
    /** The SharePoint text column that holds the item's page id. */
    pageIdColumn: z.string().min(1).default("ConfluencePageId"),
    /** An optional SharePoint column (text or hyperlink) that gets the page's URL. */
    pageUrlColumn: z.string().min(1).optional(),
    /** How far back each feed search reaches beyond the last one, to cover the search index's lag. */
    overlapMinutes: z.number().int().min(1).max(1440).default(15),
    /** How often the page tree is listed to see new, trashed and moved pages. */
    sweepEveryMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60)
      .default(60),
    /** Pages created per run at most; more wait for the next run. */
    maxCreatesPerRun: z.number().int().min(0).default(50),
    /** The share of the app's hourly Confluence points quota this profile may spend. */
    pointsPerHourShare: z.number().gt(0).max(1).default(0.2),
    /** Page writes and creates in flight at once for this profile. */
    parallelPageWrites: z.number().int().min(1).max(16).default(4),
  })
  .strict();

export type PagesTarget = z.infer<typeof confluencePagesTargetSchema>;

/** The parts of a parsed profile the cross-field checks below read. */
interface CheckedProfile {
  readonly fields: readonly { readonly sharePoint: string; readonly confluence: string }[];
  readonly gates: { readonly sharePoint?: string | undefined; readonly confluence?: string | undefined };
  readonly confluence: { readonly target: { readonly mode: string } | PagesTarget };
}

function sameKey(a: string, b: string): boolean {
  const normalise = (text: string) => text.trim().replace(/\s+/g, " ").toLowerCase();
  return normalise(a) === normalise(b);
}

/**
 * Cross-field rules of gates and pages-mode links, each reported at its own path: a gate or link column is never also
 * a mapped field (gates are not synced; the link columns are the sync's own), and a title template names only mapped
 * fields or `ID`.
 */
export function checkGatesAndLinks(profile: CheckedProfile, ctx: z.RefinementCtx): void {
  const mapped = new Set(profile.fields.map((field) => field.sharePoint));
  const gates = profile.gates;
  if (gates.sharePoint !== undefined && mapped.has(gates.sharePoint)) {
    ctx.addIssue({
      code: "custom",
      path: ["gates", "sharePoint"],
      message: `column "${gates.sharePoint}" is a mapped field; a gate is never synced, so it cannot be one`,
    });
  }
  if (gates.confluence !== undefined && profile.fields.some((field) => sameKey(field.confluence, gates.confluence!))) {
    ctx.addIssue({
      code: "custom",
      path: ["gates", "confluence"],
      message: `"${gates.confluence}" is a mapped field's Confluence name; a gate is never synced, so it cannot be one`,
    });
  }
  const target = profile.confluence.target;
  if (target.mode !== "pages") return;
  const pages = target as PagesTarget;
  const path = (...rest: string[]) => ["confluence", "target", ...rest];
  for (const [name, column] of [
    ["pageIdColumn", pages.pageIdColumn],
    ["pageUrlColumn", pages.pageUrlColumn],
  ] as const) {
    if (column === undefined) continue;
    if (mapped.has(column))
      ctx.addIssue({
        code: "custom",
        path: path(name),
        message: `column "${column}" is a mapped field; the sync maintains it and it cannot be synced too`,
      });
    if (column === gates.sharePoint)
      ctx.addIssue({ code: "custom", path: path(name), message: `column "${column}" is also the SharePoint gate` });
  }
  for (const name of ["titleTemplate", "titleCollisionTemplate"] as const) {
    const template = pages[name];
    const references = [...template.matchAll(TITLE_TEMPLATE_REFERENCE)].map((match) => match[1] ?? "");
    for (const reference of references) {
      if (reference === "ID" || mapped.has(reference)) continue;
      ctx.addIssue({
        code: "custom",
        path: path(name),
        message: `{${reference}} names no mapped field; use a mapped field's SharePoint name or {ID}`,
      });
    }
    if (references.length === 0)
      ctx.addIssue({
        code: "custom",
        path: path(name),
        message: "a title template must name at least one field, e.g. {Title}: titles are unique per space",
      });
  }
  if (pages.titleCollisionTemplate === pages.titleTemplate) {
    ctx.addIssue({
      code: "custom",
      path: path("titleCollisionTemplate"),
      message: "must differ from titleTemplate (it is used when that title is taken); include {ID}",
    });
  }
}

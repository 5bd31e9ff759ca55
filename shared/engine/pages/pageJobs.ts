import type { PagesProfile } from "../../config/profile";
import type { ConfluencePage } from "../../confluence";
import type { ItemLink } from "../../state/pageLinkStore";
import type { CanonicalValue, ReadyPlan, RowAppend } from "../../sync";
import type { RunProblem } from "../run/runReport";
import { jobIdOf, type PageJob } from "./pagesStage";
import { renderTitle } from "./pageTitle";

/** The titles of the pages a plan creates, or why an item's page cannot be created (its title). */
export function createTitles(
  profile: PagesProfile,
  appends: readonly RowAppend[],
): {
  titles: Map<string, { title: string; collisionTitle: string }>;
  problems: { itemId: string; problem: RunProblem }[];
} {
  const target = profile.confluence.target;
  const titles = new Map<string, { title: string; collisionTitle: string }>();
  const problems: { itemId: string; problem: RunProblem }[] = [];
  for (const append of appends) {
    const title = renderTitle(target.titleTemplate, append.cells, append.sharePointId);
    const collision = renderTitle(target.titleCollisionTemplate, append.cells, append.sharePointId);
    if (!title.ok || !collision.ok) {
      const message = !title.ok ? title.message : !collision.ok ? collision.message : "";
      problems.push({
        itemId: append.sharePointId,
        problem: {
          code: "PAGE_TITLE_INVALID",
          message: `no page is created for item ${append.sharePointId}: ${message}`,
        },
      });
      continue;
    }
    titles.set(append.sharePointId, { title: title.title, collisionTitle: collision.title });
  }
  return { titles, problems };
}

/**
 * The page jobs of a plan (docs/pages-mode.md §9): one update per page whose cells change (or that needs our link
 * property), one trash per removal, one create per appended item. Pure.
 */
export function pageJobs(input: {
  readonly plan: ReadyPlan;
  /** The page of each row the planner was given. */
  readonly pageOfRow: readonly string[];
  readonly read: ReadonlyMap<string, ConfluencePage>;
  readonly links: ReadonlyMap<string, ItemLink>;
  /** Pages paired this run that need our link property. */
  readonly propertyWrites: ReadonlySet<string>;
  readonly pageOfItem: ReadonlyMap<string, string>;
  readonly titles: ReadonlyMap<string, { title: string; collisionTitle: string }>;
}): PageJob[] {
  const { plan, pageOfRow, read } = input;
  const jobs: PageJob[] = [];
  const next = () => jobIdOf(jobs.length + 1);
  const updated = new Set<string>();
  for (const update of plan.confluence.rowUpdates) {
    const pageId = pageOfRow[update.rowRef];
    const page = pageId === undefined ? undefined : read.get(pageId);
    if (pageId === undefined || page === undefined || update.sharePointId === null) continue;
    updated.add(pageId);
    jobs.push({
      kind: "update",
      jobId: next(),
      itemId: update.sharePointId,
      pageId,
      title: page.title,
      version: page.version.number,
      storage: page.storage ?? "",
      values: update.cells,
      writeProperty: input.propertyWrites.has(pageId),
    });
  }
  for (const [itemId, pageId] of [...input.pageOfItem].sort(([a], [b]) => a.localeCompare(b))) {
    const page = read.get(pageId);
    if (!input.propertyWrites.has(pageId) || updated.has(pageId) || page === undefined) continue;
    jobs.push({
      kind: "update",
      jobId: next(),
      itemId,
      pageId,
      title: page.title,
      version: page.version.number,
      storage: page.storage ?? "",
      values: {},
      writeProperty: true,
    });
  }
  for (const removal of plan.confluence.removals) {
    const pageId = pageOfRow[removal.rowRef];
    if (pageId !== undefined) jobs.push({ kind: "trash", jobId: next(), itemId: removal.sharePointId, pageId });
  }
  for (const append of plan.confluence.appends) {
    const titles = input.titles.get(append.sharePointId);
    if (titles === undefined) continue;
    const earlier = input.links.get(append.sharePointId);
    const lookupTitles =
      earlier?.phase === "creating" && earlier.title !== undefined ? [...new Set([titles.title, earlier.title])] : [];
    jobs.push({
      kind: "create",
      jobId: next(),
      itemId: append.sharePointId,
      title: titles.title,
      collisionTitle: titles.collisionTitle,
      values: append.cells as Readonly<Record<string, CanonicalValue>>,
      lookupTitles,
    });
  }
  return jobs;
}

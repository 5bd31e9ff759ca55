import type { ItemWrite } from "../../sharepoint/batchWriter";
import { mayHaveActed } from "../batchWrites";
import type { EngineServices } from "../engineServices";
import type { RunRef } from "../run/runContract";
import { StagedRun } from "../run/stagedRun";
import { WritesUnconfirmed } from "../writesUnconfirmed";
import { pageUrlValue } from "./pagesColumns";
import { type Backlink, type BacklinkProgress, type PageJobProgress, PagesStagedRun } from "./pagesStage";

/**
 * Step 5 of the create protocol (docs/pages-mode.md §6): the ids (and URLs) of the pages the run created, found or
 * paired go into their items' columns, in Graph `$batch`es of 20. Rewriting a column with the same value is harmless,
 * so a retry simply writes again; writes Graph may have applied without saying so make the activity fail and retry.
 */
export async function linkCreatedPages(services: EngineServices, input: RunRef): Promise<BacklinkProgress> {
  const now = () => new Date(services.clock.now()).toISOString();
  const pages = new PagesStagedRun(services.state.staging, input, now);
  const done = await pages.backlinks();
  if (done !== undefined) return done;
  const staged = new StagedRun(services.state.staging, input, now);
  const [cycle, context, progress] = await Promise.all([pages.cycle(), staged.context(), pages.allProgress()]);
  const backlinks = backlinksOf(cycle.backlinks, progress);
  if (backlinks.length === 0) {
    const nothing: BacklinkProgress = { written: [], failed: [], apiCalls: { graph: 0, confluence: 0 } };
    await pages.putBacklinks(nothing);
    return nothing;
  }
  const target = cycle.profile.confluence.target;
  const writes: ItemWrite[] = backlinks.map((link) => {
    const url =
      target.pageUrlColumn !== undefined && link.url !== null
        ? pageUrlValue(
            context.codecInputs.columns,
            target.pageUrlColumn,
            link.url,
            link.pageId,
            cycle.profile.sharePoint.hyperlinkWrite,
          )
        : undefined;
    return {
      kind: "update",
      itemId: link.itemId,
      fields: {
        [target.pageIdColumn]: link.pageId,
        ...(url !== undefined && target.pageUrlColumn !== undefined ? { [target.pageUrlColumn]: url.value } : {}),
      },
      ...(url?.prefer !== undefined ? { prefer: url.prefer } : {}),
    };
  });
  const client = await services.connections.sharePoint(cycle.profile);
  const answers = await client.applyWrites(writes);
  const uncertain = answers.filter(mayHaveActed);
  if (uncertain.length > 0) throw new WritesUnconfirmed(input.profileKey, "backlinks", uncertain.length);
  const written: { itemId: string; eTag: string | null; modifiedAt: string | null }[] = [];
  const failed: { itemId: string; problem: { code: string; message: string } }[] = [];
  answers.forEach((answer, index) => {
    const itemId = backlinks[index]?.itemId ?? "";
    if (answer.kind === "applied") {
      const modified = answer.fields?.Modified;
      written.push({ itemId, eTag: answer.eTag ?? null, modifiedAt: typeof modified === "string" ? modified : null });
    } else
      failed.push({
        itemId,
        problem:
          answer.kind === "failed"
            ? { code: answer.error.code, message: answer.error.message }
            : {
                code: "BACKLINK_NOT_WRITTEN",
                message: `item ${itemId} ${answer.kind === "notFound" ? "no longer exists" : "changed meanwhile"}; its page id is written on a later run`,
              },
      });
  });
  const result: BacklinkProgress = { written, failed, apiCalls: { graph: client.requestCount, confluence: 0 } };
  await pages.putBacklinks(result);
  return result;
}

/** The backlinks known before the jobs, and one per page a create made (or found). */
export function backlinksOf(known: readonly Backlink[], progress: ReadonlyMap<string, PageJobProgress>): Backlink[] {
  const byItem = new Map(known.map((link) => [link.itemId, link]));
  for (const entry of progress.values()) {
    if (entry.kind !== "done" || entry.outcome.kind !== "created") continue;
    const { itemId, pageId, url } = entry.outcome;
    byItem.set(itemId, { itemId, pageId, url });
  }
  return [...byItem.values()].sort((a, b) => a.itemId.localeCompare(b.itemId, "en", { numeric: true }));
}

import { type ConfluenceClient, isConfluenceError, PageVersionConflict } from "../../confluence";
import { patchTable } from "../../mapping";
import { stagedCodecs } from "../codecInputs";
import type { EngineServices } from "../engineServices";
import { isTransientFailure, permanentProblem } from "../failures";
import { readManagedPage, syncVersionMessage } from "../managedPage";
import { pageEdits } from "../pageEdits";
import type { ApplyConfluencePageResult, RunRef } from "../run/runContract";
import { runOutcomes, settleRunState } from "../run/runOutcomes";
import type { PageProgress, RejectedCell, RunContext } from "../run/stagedDocuments";
import { StagedRun } from "../run/stagedRun";
import { stateUpdatesFor } from "../run/statePhases";
import { settleUnconfirmedBatches } from "../unconfirmedBatches";

/**
 * The run's one page update. First it commits the state the SharePoint writes justify (phase one: true now, and what
 * a crash during the page update leaves), after looking for the writes of batches that failed for good after sending
 * (`settleUnconfirmedBatches`); then it patches the table as read (cells, appended rows, removed rows, and
 * the ids of items created from rows) and saves version n + 1 with a version message naming the run.
 *
 * A 409 means someone saved the page since it was read, or this very update already landed (Durable retried the
 * activity): version n + 1 carrying this run's message is the latter, and counts as applied. Any other 409 is a
 * `versionConflict`: the orchestrator commits what SharePoint got and runs another cycle.
 */
export async function applyConfluencePage(services: EngineServices, input: RunRef): Promise<ApplyConfluencePageResult> {
  const staged = new StagedRun(services.state.staging, input, () => new Date(services.clock.now()).toISOString());
  const done = await staged.page();
  if (done !== undefined) return done.result;
  const context = await staged.context();
  const [plan, batches, versions] = await Promise.all([
    staged.planForPage(),
    settleUnconfirmedBatches(services, staged, context),
    staged.versions(),
  ]);

  // Phase one: the SharePoint outcomes, the page not (yet) written.
  const outcomes = runOutcomes(plan, batches, undefined, false);
  const phaseOne = { ...plan, stateUpdates: stateUpdatesFor(plan, "afterSharePointWrites", true) };
  const committed = await services.state.items.commit(input.profileKey, settleRunState(phaseOne, outcomes), versions);
  await staged.putVersions(committed);

  const codecs = stagedCodecs(context.profile, context.codecInputs);
  const { edits, targets, skipped } = pageEdits(plan.confluence, outcomes.createdIds);
  const managed = readManagedPage(context.profile, context.page.storage, codecs);
  if (!managed.ok)
    return finish(staged, {
      result: { kind: "failed", problem: managed.problem },
      rejected: [],
      skipped,
      apiCalls: { graph: 0, confluence: 0 },
    });
  const patched = patchTable(managed.table, edits);
  if (!patched.ok) {
    const problem = { code: patched.error.code, message: patched.error.message };
    return finish(staged, {
      result: { kind: "failed", problem },
      rejected: [],
      skipped,
      apiCalls: { graph: 0, confluence: 0 },
    });
  }
  const rejected = patched.rejected.flatMap((cell): RejectedCell[] => {
    const target = targets[cell.edit];
    return target === null || target === undefined
      ? []
      : [{ target, field: cell.field, code: cell.error.code, message: cell.error.message }];
  });
  if (patched.storage === context.page.storage) {
    // Everything planned was left out (failed creates, refused cells): no new version for nothing.
    return finish(staged, {
      result: { kind: "applied", version: context.page.version },
      rejected,
      skipped,
      apiCalls: { graph: 0, confluence: 0 },
    });
  }

  const client = await services.connections.confluence(context.profile);
  const result = await savePage(client, context, input.runId, patched.storage);
  return finish(staged, { result, rejected, skipped, apiCalls: { graph: 0, confluence: client.requestCount } });
}

async function finish(staged: StagedRun, progress: PageProgress): Promise<ApplyConfluencePageResult> {
  await staged.putPage(progress);
  return progress.result;
}

/** PUTs version n + 1; tells this run's own earlier write from someone else's on a 409. */
async function savePage(
  client: ConfluenceClient,
  context: RunContext,
  runId: string,
  storage: string,
): Promise<ApplyConfluencePageResult> {
  const page = context.page;
  const message = syncVersionMessage(runId);
  try {
    const saved = await client.updatePage({
      id: page.id,
      title: page.title,
      storage,
      version: page.version + 1,
      message,
    });
    return { kind: "applied", version: saved.version.number };
  } catch (error) {
    if (error instanceof PageVersionConflict) {
      const current = error.currentVersion;
      if (current === undefined || current >= page.version + 1) {
        const ours = await client
          .getPage(page.id, { version: page.version + 1, storage: false })
          .catch((lookup: unknown) => {
            if (isConfluenceError(lookup) && lookup.status === 404) return undefined;
            throw lookup;
          });
        if (ours?.version.message === message) return { kind: "applied", version: page.version + 1 };
      }
      return { kind: "versionConflict", currentVersion: current ?? null };
    }
    if (isTransientFailure(error)) throw error;
    const problem = permanentProblem(error);
    if (problem === undefined) throw error;
    return { kind: "failed", problem };
  }
}

import type { ItemLink, PageRecord, PendingItem } from "../../state/pageLinkStore";
import type { PagesCursor } from "../../state/syncCursorStore";
import { type ConflictRecord, type ReadyPlan, type StateCommit, settleItemState, settlementProgress } from "../../sync";
import { conflictId, heldConflictIds } from "../conflictLog";
import type { EngineServices } from "../engineServices";
import { planItems } from "../run/reportItems";
import type { CommitPagesRunInput, CommitRunResult } from "../run/runContract";
import { type RunOutcomes, runOutcomes, settleRunState } from "../run/runOutcomes";
import { addCalls, type RunCounts, type RunItemReport, type RunProblem, type RunReport } from "../run/runReport";
import { RunStagingMissing } from "../run/runStagingMissing";
import type { RefusedField } from "../run/stagedDocuments";
import { StagedRun } from "../run/stagedRun";
import { assembleReport, closeRun, type ReportHeader } from "../runClosing";
import { settleUnconfirmedBatches } from "../unconfirmedBatches";
import { pagesReportEntry } from "./pagesReport";
import type { BacklinkProgress, PageJobOutcome, PageJobProgress, PagesCycle } from "./pagesStage";
import { PagesStagedRun } from "./pagesStage";

/** The pending reason of an item whose page id did not reach its column: the next run writes it. */
export const BACKLINK_PENDING = "BACKLINK_PENDING";

/** Job outcomes that wrote what the plan asked of the page. */
const APPLIED = new Set<PageJobOutcome["kind"]>(["written", "created", "trashed"]);

/**
 * The end of a pages-mode cycle (docs/engine.md#a-pages-mode-run): settles each item's state from what its own page
 * job and SharePoint write did, stores the link rows (pages seen, created, copies), the pending items, the cursor (the
 * delta link and where the feed stands), settles the conflicts of the items it looked at, and records the run.
 */
export async function commitPagesRun(services: EngineServices, input: CommitPagesRunInput): Promise<CommitRunResult> {
  const now = () => new Date(services.clock.now()).toISOString();
  const staged = new StagedRun(services.state.staging, input, now);
  const pages = new PagesStagedRun(services.state.staging, input, now);
  const context = await staged.contextIfStaged();
  const cycle = await pages.cycleIfStaged();
  if (context === undefined || cycle === undefined) return { report: await alreadyCommitted(services, input) };
  const [plan, batches, versions, jobProgress, backlinkProgress] = await Promise.all([
    staged.plan(),
    settleUnconfirmedBatches(services, staged, context),
    staged.versions(),
    pages.allProgress(),
    pages.backlinks(),
  ]);
  const profileKey = input.profileKey;
  const outcomes = runOutcomes(plan, batches, undefined, false);
  const jobs = jobsByItem(jobProgress);

  // Each item's state from its own writes: the page job of the item, and its SharePoint write.
  const commits: StateCommit[] = [];
  for (const update of plan.stateUpdates) {
    const itemId = update.target.kind === "item" ? update.target.sharePointId : null;
    const job = itemId === null ? undefined : jobs.get(itemId);
    const confluenceApplied = job !== undefined && APPLIED.has(job.kind);
    const rejected = job !== undefined && (job.kind === "written" || job.kind === "created") ? job.rejected : [];
    const refused = new Map<string, readonly RefusedField[]>(
      itemId !== null && rejected.length > 0 ? [[itemId, rejected]] : [],
    );
    const single: ReadyPlan = { ...plan, stateUpdates: [update] };
    const apply = { ...outcomes.apply, confluenceApplied };
    commits.push(
      ...(refused.size === 0 && !outcomes.refused.sharePoint.has(itemId ?? "")
        ? [settleItemState(update, apply)].filter((commit) => commit.kind !== "none")
        : settleRunState(single, { ...outcomes, apply, refused: { ...outcomes.refused, confluence: refused } })),
    );
  }
  // A backlink written after the item's own write is the item's latest version: its eTag makes the next delta's echo
  // of it recognisable (nothing new, no page read).
  const backlinkETags = new Map((backlinkProgress?.written ?? []).map((written) => [written.itemId, written]));
  const withBacklinks = commits.map((commit): StateCommit => {
    const written = commit.kind === "put" ? backlinkETags.get(commit.state.sharePointId) : undefined;
    if (commit.kind !== "put" || written === undefined || written.eTag === null) return commit;
    return {
      kind: "put",
      state: {
        ...commit.state,
        sharePointETag: written.eTag,
        sharePointModifiedAt: written.modifiedAt ?? commit.state.sharePointModifiedAt,
      },
    };
  });
  await services.state.items.commit(profileKey, withBacklinks, versions);

  // Link rows: what pairing found, the versions seen and written, creates, items forgotten.
  const at = now();
  const records = new Map<string, PageRecord>(cycle.records.map((record) => [record.pageId, record]));
  const seen = new Map(cycle.pagesSeen.map((page) => [page.pageId, page]));
  const written = new Map<string, number>();
  for (const job of jobs.values())
    if (job.kind === "written" || job.kind === "created") written.set(job.pageId, job.version);
  const knownRecords = await services.state.pageLinks.pages(
    profileKey,
    [...seen.keys()].filter((id) => !records.has(id)),
  );
  for (const [pageId, page] of seen) {
    const record = records.get(pageId) ?? knownRecords.get(pageId);
    if (record === undefined) continue;
    const version = Math.max(page.version, written.get(pageId) ?? 0, record.seenVersion);
    if (version !== record.seenVersion || records.has(pageId))
      records.set(pageId, { ...record, seenVersion: version, updatedAt: at });
  }
  const links: ItemLink[] = [...cycle.links];
  const deletedItems = new Set(commits.flatMap((commit) => (commit.kind === "delete" ? [commit.sharePointId] : [])));
  const trashed = [...jobs.values()].flatMap((job) => (job.kind === "trashed" ? [job.pageId] : []));
  await services.state.pageLinks.putPages(
    profileKey,
    [...records.values()].filter((record) => !trashed.includes(record.pageId)),
  );
  await services.state.pageLinks.putItems(
    profileKey,
    links.filter((link) => !deletedItems.has(link.itemId)),
  );
  await services.state.pageLinks.deleteItems(profileKey, [...deletedItems]);
  await services.state.pageLinks.deletePages(profileKey, trashed);

  // Pending: what could not be settled, for the next run to look at again.
  const pending = new Map<string, PendingItem>(cycle.pending.map((item) => [item.itemId, item]));
  for (const [itemId, job] of jobs)
    if (!APPLIED.has(job.kind))
      pending.set(itemId, { itemId, reason: job.kind === "failed" ? job.problem.code : job.kind });
  for (const jobId of input.failedJobIds) {
    const itemId = cycle.jobItems[jobId];
    if (itemId !== undefined) pending.set(itemId, { itemId, reason: "PAGE_JOB_FAILED" });
  }
  for (const target of outcomes.failures.keys())
    if (!target.startsWith("row:")) pending.set(target, { itemId: target, reason: "SHAREPOINT_WRITE_FAILED" });
  for (const failure of backlinkProgress?.failed ?? [])
    pending.set(failure.itemId, { itemId: failure.itemId, reason: BACKLINK_PENDING });
  if (backlinkProgress === undefined)
    for (const job of jobs.values())
      if (job.kind === "created") pending.set(job.itemId, { itemId: job.itemId, reason: BACKLINK_PENDING });
  const cleared = [...new Set([...cycle.pendingBefore, ...cycle.considered])].filter((id) => !pending.has(id));
  await services.state.pageLinks.setPending(profileKey, [...pending.values()], cleared);

  // The cursor: SharePoint's delta link and the Confluence feed, moved on only now that all of it is settled.
  const stored = await services.state.cursors.get(profileKey);
  const jobPoints = [...jobProgress.values()].reduce(
    (sum, progress) => sum + (progress.kind === "done" ? progress.points : 0),
    0,
  );
  const until = [...jobs.values()]
    .flatMap((job) => (job.kind === "deferred" && job.until !== undefined ? [job.until] : []))
    .sort()
    .at(-1);
  const pagesCursor: PagesCursor = {
    ...cycle.cursor,
    linkedPages: Math.max(0, cycle.cursor.linkedPages + createdCount(jobs) - trashed.length),
    ...([...jobs.values()].some((job) => job.kind === "gone") ? { sweepDue: true } : {}),
    ...(cycle.cursor.points === undefined
      ? {}
      : { points: { ...cycle.cursor.points, spent: cycle.cursor.points.spent + jobPoints } }),
    ...(until === undefined ? {} : { blockedUntil: until }),
  };
  await services.state.cursors.save(
    profileKey,
    {
      ...(stored?.cursor ?? {}),
      deltaLink: context.readLink,
      select: [...context.select],
      fieldSamples: { ...context.fieldSamples },
      pages: pagesCursor,
      runId: input.runId,
      updatedAt: at,
    },
    context.cursorVersion,
  );
  await resolveConsidered(services, profileKey, plan, outcomes, jobs, new Set(cycle.considered), input.runId, at);

  // The report.
  const items = reportItems(plan, outcomes, jobs, cycle, backlinkProgress, input.cycle);
  const apiCalls = addCalls(
    context.apiCalls,
    outcomes.apiCalls,
    ...[...jobProgress.values()].flatMap((progress) => (progress.kind === "done" ? [progress.apiCalls] : [])),
    backlinkProgress?.apiCalls ?? { graph: 0, confluence: 0 },
  );
  const counts = pagesCounts(plan, outcomes, jobs, items);
  const problem = runProblem(input, jobs, counts);
  const header: ReportHeader = { ...input, dryRun: false, startedAt: context.startedAt, trigger: context.trigger };
  const report = assembleReport(
    header,
    problem === undefined && counts.errors === 0 ? "completed" : "completedWithErrors",
    problem,
    { counts, items, apiCalls },
    { cycles: [] },
    now(),
  );
  await closeRun(services, staged, report);
  return { report };
}

function jobsByItem(progress: ReadonlyMap<string, PageJobProgress>): Map<string, PageJobOutcome> {
  const byItem = new Map<string, PageJobOutcome>();
  for (const entry of progress.values()) if (entry.kind === "done") byItem.set(entry.outcome.itemId, entry.outcome);
  return byItem;
}

function createdCount(jobs: ReadonlyMap<string, PageJobOutcome>): number {
  return [...jobs.values()].filter((job) => job.kind === "created").length;
}

/**
 * Open conflicts of the items this run looked at, that it no longer reports (or resolved by writing the winner). A
 * settlement ends its conflict once the chosen value is on both sides: its item's own page job and SharePoint write
 * applied (a gate or the points budget that held the write keeps it pending for a later run); one whose value a side
 * refused is taken off, and the conflict says why (as in table mode, docs/design.md#37-settling-conflicts).
 */
async function resolveConsidered(
  services: EngineServices,
  profileKey: string,
  plan: ReadyPlan,
  outcomes: RunOutcomes,
  jobs: ReadonlyMap<string, PageJobOutcome>,
  considered: ReadonlySet<string>,
  runId: string,
  at: string,
): Promise<void> {
  const open = (await services.state.conflicts.listOpen(profileKey)).filter(
    (entry) => entry.item.sharePointId !== null && considered.has(entry.item.sharePointId),
  );
  if (open.length === 0) return;
  const stillOpen = new Set<string>();
  const applied = new Set<string>();
  for (const decision of plan.settlements ?? []) {
    const id = decision.item.sharePointId;
    if (decision.kind !== "applied" || id === null) continue;
    const job = jobs.get(id);
    const refused = [
      ...(outcomes.refused.sharePoint.get(id) ?? []),
      ...(job !== undefined && (job.kind === "written" || job.kind === "created") ? job.rejected : []),
    ].find((field) => field.field === decision.field);
    if (refused !== undefined) {
      stillOpen.add(decision.id);
      await services.state.conflicts.reopen(
        profileKey,
        decision.id,
        `the chosen value was refused: ${refused.message}`,
        at,
        runId,
      );
      continue;
    }
    const progress = settlementProgress(
      { settlements: [decision] },
      { ...outcomes.apply, confluenceApplied: job !== undefined && APPLIED.has(job.kind) },
    );
    for (const done of progress.done) applied.add(done);
    for (const waiting of progress.pending) stillOpen.add(waiting);
  }
  for (const conflict of plan.conflicts) {
    const field = conflict.kind === "field" ? conflict.field : null;
    if (
      conflict.kind === "deleteVsEdit" ||
      conflict.resolution.kind === "flagged" ||
      !winnerWritten(conflict, outcomes, jobs)
    )
      stillOpen.add(conflictId(conflict.item, field));
  }
  for (const error of plan.fieldErrors) stillOpen.add(conflictId(error.item, error.field));
  for (const id of heldConflictIds(plan)) stillOpen.add(id);
  const settled = open.filter((entry) => !stillOpen.has(entry.id)).map((entry) => entry.id);
  await services.state.conflicts.resolve(profileKey, settled, at, runId, applied);
}

function winnerWritten(
  conflict: Extract<ConflictRecord, { kind: "field" }>,
  outcomes: RunOutcomes,
  jobs: ReadonlyMap<string, PageJobOutcome>,
): boolean {
  if (conflict.resolution.kind !== "won") return false;
  const id = conflict.item.sharePointId;
  if (id === null) return false;
  if (conflict.resolution.winner === "confluence") return outcomes.apply.sharePointItems.get(id)?.ok === true;
  const job = jobs.get(id);
  return job !== undefined && APPLIED.has(job.kind);
}

/** The table-mode entries of the plan, marked by what each item's own page job did, and pages mode's own. */
function reportItems(
  plan: ReadyPlan,
  outcomes: RunOutcomes,
  jobs: ReadonlyMap<string, PageJobOutcome>,
  cycle: PagesCycle,
  backlinks: BacklinkProgress | undefined,
  cycleNumber: number,
): RunItemReport[] {
  const pageApplied: RunOutcomes = { ...outcomes, page: { kind: "applied", version: 0 } };
  const entries = planItems(plan, pageApplied, cycleNumber).map((entry): RunItemReport => {
    const job = entry.sharePointId === null ? undefined : jobs.get(entry.sharePointId);
    const row = null;
    if (job === undefined || APPLIED.has(job.kind)) {
      const created = job?.kind === "created";
      return {
        ...entry,
        row,
        ...(created
          ? { note: `page ${job.pageId} "${job.title}"${job.adopted ? " (found from an earlier attempt)" : ""}` }
          : {}),
        ...(job !== undefined && (job.kind === "written" || job.kind === "created") && job.rejected.length > 0
          ? {
              errors: [
                ...entry.errors,
                ...job.rejected.map((cell) => ({
                  field: cell.field,
                  side: "confluence" as const,
                  code: cell.code,
                  message: cell.message,
                })),
              ],
            }
          : {}),
      };
    }
    const problem = jobProblem(job);
    return {
      ...entry,
      row,
      result: "failed",
      errors: [...entry.errors, { field: null, side: "confluence", code: problem.code, message: problem.message }],
    };
  });
  const held = cycle.held.map(
    (change): RunItemReport => ({
      sharePointId: change.sharePointId,
      row: null,
      action: "held",
      note:
        change.fields.length > 0
          ? `${change.toward === "confluence" ? "SharePoint" : "Confluence"} gate closed: ${change.fields.join(", ")} ${change.fields.length === 1 ? "waits" : "wait"} until it opens`
          : `${change.toward === "confluence" ? "SharePoint" : "Confluence"} gate closed: the change waits until it opens`,
      changes: [],
      conflicts: [],
      errors: [],
      result: "unchanged",
      cycle: cycleNumber,
    }),
  );
  const backlinkErrors = (backlinks?.failed ?? []).map((failure) =>
    pagesReportEntry(failure.itemId, "error", failure.problem, cycleNumber),
  );
  return [...cycle.reports, ...entries, ...held, ...backlinkErrors];
}

function jobProblem(job: PageJobOutcome): RunProblem {
  switch (job.kind) {
    case "failed":
      return job.problem;
    case "versionConflict":
      return {
        code: "PAGE_VERSION_CONFLICT",
        message: `page ${job.pageId} was saved by someone after it was read; the next run reads it again`,
      };
    case "gone":
      return {
        code: "PAGE_GONE",
        message: `page ${job.pageId} is no longer there (in the trash, or hidden from the app); the next run looks again`,
      };
    case "deferred":
      return { code: "PAGE_WRITE_DEFERRED", message: job.reason };
    default:
      return { code: "PAGE_WRITE_FAILED", message: `page job ended as ${job.kind}` };
  }
}

function pagesCounts(
  plan: ReadyPlan,
  outcomes: RunOutcomes,
  jobs: ReadonlyMap<string, PageJobOutcome>,
  items: readonly RunItemReport[],
): RunCounts {
  const all = [...jobs.values()];
  const ok = (id: string) => outcomes.apply.sharePointItems.get(id)?.ok === true;
  return {
    sharePoint: {
      created: 0,
      updated: plan.sharePoint.updates.filter((update) => ok(update.sharePointId)).length,
      deleted: plan.sharePoint.deletes.filter((deletion) => ok(deletion.sharePointId)).length,
    },
    confluence: {
      created: all.filter((job) => job.kind === "created").length,
      updated: all.filter((job) => job.kind === "written").length,
      deleted: all.filter((job) => job.kind === "trashed").length,
    },
    conflicts: plan.conflicts.length,
    errors: items.reduce((sum, item) => sum + item.errors.filter((error) => !SKIP_CODES.has(error.code)).length, 0),
  };
}

/** Report entries that say what the sync left alone on purpose, not something that went wrong. */
const SKIP_CODES = new Set(["PAGE_UNLINKED", "PAGE_COPY", "CREATE_DEFERRED"]);

function runProblem(
  input: CommitPagesRunInput,
  jobs: ReadonlyMap<string, PageJobOutcome>,
  counts: RunCounts,
): RunProblem | undefined {
  if (input.failedBatchIds.length > 0)
    return {
      code: "SHAREPOINT_BATCH_FAILED",
      message: `${input.failedBatchIds.length} SharePoint batch(es) failed after their retries; the next run tries their writes again`,
    };
  const failed = [...jobs.values()].filter((job) => !APPLIED.has(job.kind)).length + input.failedJobIds.length;
  if (failed > 0)
    return {
      code: "PAGE_WRITES_FAILED",
      message: `${failed} page write(s) did not happen; their items are looked at again on the next run`,
    };
  return counts.errors > 0
    ? { code: "ITEM_ERRORS", message: `${counts.errors} item error(s); see the items` }
    : undefined;
}

/** A commit retried after it finished: the run's record holds its report. */
async function alreadyCommitted(services: EngineServices, input: CommitPagesRunInput): Promise<RunReport> {
  const recent = await services.state.runs.recent(input.profileKey, 50);
  const report = recent.find((run) => run.runId === input.runId) as RunReport | undefined;
  if (report === undefined)
    throw new RunStagingMissing(input.profileKey, input.runId, `pages context of cycle ${input.cycle}`);
  return report;
}

import { isPagesProfile, type PagesProfile, type Profile } from "../../config/profile";
import { GraphErrorCodes } from "../../sharepoint/graphError";
import type { LoadedItemStates } from "../../state/itemStateStore";
import {
  applyGates,
  hasConfluenceWrites,
  NOTHING_APPLIED,
  type ReadyPlan,
  type SyncRules,
  settlePlan,
} from "../../sync";
import { codecsFor } from "../codecInputs";
import { pendingSettlements, recordConflicts } from "../conflictLog";
import type { EngineServices } from "../engineServices";
import { permanentProblem } from "../failures";
import { blockedUntil, quotaStop, recordQuotaStop } from "../pages/pointsBudget";
import { preparePagesRun } from "../pages/preparePagesRun";
import { ApiCallMeter } from "../prepare/apiCallMeter";
import { type CycleReads, readCycle } from "../prepare/cycleReads";
import { readPageRows } from "../prepare/pageRows";
import { planWithReads } from "../prepare/planWithReads";
import { validateProfile } from "../prepare/profileValidation";
import { RunEnding } from "../prepare/runEnding";
import { confirmVanishedItems, MODERATION_STATUS_COLUMN } from "../prepare/vanishedItems";
import type { PrepareRunInput, PrepareRunResult } from "../run/runContract";
import type { RunItemReport } from "../run/runReport";
import type { RunContext } from "../run/stagedDocuments";
import { sharePointBatches } from "../sharePointBatches";
import { highestItemId, sharePointSide } from "../sharePointChanges";
import { tableGates } from "../tableGates";

/**
 * Validates the profile, reads both sides and the state, plans; then, for a real run, records the conflicts, stages
 * the plan and its batches, and commits the state that holds before any write (phase zero). A dry run stops after
 * planning and writes nothing. Permanent problems (an invalid profile, a page the sync cannot work on, a dead grant)
 * end the run before any write; transient ones are thrown for Durable to retry.
 */
export async function prepareRun(services: EngineServices, input: PrepareRunInput): Promise<PrepareRunResult> {
  const ending = await RunEnding.open(services, input);
  const validation = await validateProfile(services, input.profileKey);
  if (!validation.ok) return ending.invalid(validation);
  const { profile, rules } = validation;
  if (isPagesProfile(profile)) return preparePagesRunSafely(services, input, profile, rules, ending);
  const calls = new ApiCallMeter();
  try {
    const sharePoint = await services.connections.sharePoint(profile);
    calls.attach({ graph: sharePoint });
    const confluence = await services.connections.confluence(profile);
    calls.attach({ confluence });

    const reads = await readCycle(services, profile, { sharePoint, confluence }, input);
    if (reads.quiet) return await endQuietRun(services, ending, profile, reads, input, calls);
    const state = await reads.state();
    const codecs = codecsFor(profile, reads.codecInputs);
    if (!codecs.ok) {
      const message = `profile "${profile.key}": ${codecs.errors.map((error) => error.message).join("; ")}`;
      return await ending.failed({ code: codecs.errors[0]?.code ?? "FIELD_MAPPING_INVALID", message }, calls.now());
    }
    const page = readPageRows(profile, reads, codecs.codecs, input.cycle);
    if (!page.ok) return await ending.failed(page.problem, calls.now());

    const gates = tableGates(profile, reads.changes, reads.cursor?.cursor.gatedItems ?? [], page.table);
    if (!gates.ok) return await ending.failed(gates.problem, calls.now());
    let side = sharePointSide(reads.changes, codecs.codecs);
    let readProblems = page.readProblems;
    if (side.kind === "full") {
      const vanished = await confirmVanishedItems(sharePoint, reads.select, codecs.codecs, {
        side,
        state: state.states,
        rows: page.side.rows,
        contentApproval: reads.directory.columns.some((column) => column.name === MODERATION_STATUS_COLUMN),
        cycle: input.cycle,
      });
      side = vanished.side;
      readProblems = [...readProblems, ...vanished.problems];
    }
    const { plan: ungated, planMs } = await planWithReads(sharePoint, reads.select, codecs.codecs, {
      rules,
      state: state.states,
      sharePoint: side,
      confluence: page.side,
      runAt: input.startedAt,
      settlements: await pendingSettlements(services.state.conflicts, profile.key),
    });
    // Gates hold writes back per item and direction (docs/pages-mode.md §5).
    const plan = ungated.kind === "ready" ? applyGates(ungated, gates.closed).plan : ungated;
    logPlanning(services, profile, input, { planMs, state, reads, pageRows: page.side.rows.length });
    if (plan.kind === "stopped") return await ending.stopped(plan, calls.now());
    if (input.dryRun) return await ending.dryRun(plan, readProblems, calls.now());

    const context = cycleContext(profile, input, reads, state, {
      editedAt: page.editedAt,
      readProblems,
      apiCalls: calls.now(),
      sharePointGateClosed: gates.sharePointClosed,
    });
    return await stagePlan(services, ending, input, plan, context, state);
  } catch (error) {
    const problem = permanentProblem(error);
    // A refused credential must not outlive its fix: the next run builds it again from the secrets.
    if (problem?.code === GraphErrorCodes.AuthenticationFailed || problem?.code === GraphErrorCodes.Unauthorized)
      services.connections.forgetGraphCredential(profile.key);
    if (problem === undefined) throw error;
    return await ending.failed(problem, calls.now());
  }
}

/** Pages mode (docs/pages-mode.md), with the same rule for failures as table mode: permanent ones end the run. */
async function preparePagesRunSafely(
  services: EngineServices,
  input: PrepareRunInput,
  profile: PagesProfile,
  rules: SyncRules,
  ending: RunEnding,
): Promise<PrepareRunResult> {
  try {
    return await preparePagesRun(services, input, profile, rules, ending);
  } catch (error) {
    const stop = quotaStop(error);
    if (stop !== undefined) {
      // Nothing moves on (the delta link, the feed): the run waits for the quota's reset instead of calling into it.
      // A dry run writes nothing, not even this (invariant 8); the next real run meets the same 429 and records it.
      const until = input.dryRun
        ? blockedUntil(services.clock.now(), stop.retryAfterMs)
        : await recordQuotaStop(services, profile.key, stop.retryAfterMs);
      return await ending.failed(
        { code: "CONFLUENCE_QUOTA_EXHAUSTED", message: `${stop.message}; Confluence calls wait until ${until}` },
        { graph: 0, confluence: 0 },
      );
    }
    const problem = permanentProblem(error);
    if (problem?.code === GraphErrorCodes.AuthenticationFailed || problem?.code === GraphErrorCodes.Unauthorized)
      services.connections.forgetGraphCredential(profile.key);
    if (problem === undefined) throw error;
    return await ending.failed(problem, { graph: 0, confluence: 0 });
  }
}

/** A quiet run (see quietRun.ts) moves the delta link on and ends, its state rows never loaded. */
async function endQuietRun(
  services: EngineServices,
  ending: RunEnding,
  profile: Profile,
  reads: CycleReads,
  input: PrepareRunInput,
  calls: ApiCallMeter,
): Promise<PrepareRunResult> {
  const cursor = reads.cursor;
  if (cursor === undefined) throw new Error(`profile "${profile.key}": a quiet run needs the cursor that marked it`);
  const now = new Date(services.clock.now()).toISOString();
  await services.state.cursors.save(
    profile.key,
    { ...cursor.cursor, deltaLink: reads.changes.deltaLink, runId: input.runId, updatedAt: now },
    cursor.version,
  );
  services.logger.debug(
    "quiet run: the page is as a run that planned nothing left it and SharePoint reports no change",
    {
      profile: profile.key,
      pageVersion: reads.page.version.number,
      quietSince: cursor.cursor.quiet?.runId,
    },
  );
  return ending.unchanged(calls.now());
}

/**
 * How long the pure planner took against what it was given: the benchmark reads this (planning must stay a small
 * fraction of a run, docs/design.md §5), and it tells an operator whether a slow run was thinking or waiting.
 */
function logPlanning(
  services: EngineServices,
  profile: Profile,
  input: PrepareRunInput,
  facts: { planMs: number; state: LoadedItemStates; reads: CycleReads; pageRows: number },
): void {
  services.logger.debug("sync planned", {
    profile: profile.key,
    runId: input.runId,
    planMs: facts.planMs,
    stateRows: facts.state.states.length,
    sharePointItems: facts.reads.changes.changed.length,
    pageRows: facts.pageRows,
  });
}

/** What the cycle's later activities need of what it read (staged as `c{cycle}.context`). */
function cycleContext(
  profile: Profile,
  input: PrepareRunInput,
  reads: CycleReads,
  state: LoadedItemStates,
  facts: {
    editedAt: string;
    readProblems: readonly RunItemReport[];
    apiCalls: RunContext["apiCalls"];
    sharePointGateClosed: readonly string[];
  },
): RunContext {
  const { page, changes, cursor } = reads;
  return {
    profile,
    codecInputs: reads.codecInputs,
    page: {
      id: page.id,
      title: page.title,
      version: page.version.number,
      storage: page.storage ?? "",
      editedAt: facts.editedAt,
    },
    readLink: changes.deltaLink,
    select: reads.select,
    fieldSamples: reads.samples,
    cursorVersion: cursor?.version ?? null,
    maxItemIdAtRead: highestItemId([
      ...state.states.map((item) => item.sharePointId),
      ...changes.changed.map((item) => item.id),
    ]),
    trigger: input.trigger,
    startedAt: input.startedAt,
    apiCalls: facts.apiCalls,
    readProblems: facts.readProblems,
    batchIds: [],
    ...(facts.sharePointGateClosed.length > 0 ? { sharePointGateClosed: facts.sharePointGateClosed } : {}),
  };
}

/** Records the conflicts, stages the plan, then commits phase zero (what holds before any write). */
async function stagePlan(
  services: EngineServices,
  ending: RunEnding,
  input: PrepareRunInput,
  plan: ReadyPlan,
  context: RunContext,
  state: LoadedItemStates,
): Promise<PrepareRunResult> {
  const now = new Date(services.clock.now()).toISOString();
  await recordConflicts(services.state.conflicts, input.profileKey, plan, input.runId, now);
  const batches = sharePointBatches(plan);
  await ending.staged.putPlan(plan);
  for (const batch of batches) await ending.staged.putBatch(batch);
  await ending.staged.putContext({ ...context, batchIds: batches.map((batch) => batch.batchId) });
  const versions = await services.state.items.commit(
    input.profileKey,
    settlePlan(plan, NOTHING_APPLIED),
    state.versions,
  );
  await ending.staged.putVersions(versions);
  return {
    kind: "planned",
    sharePointBatchIds: batches.map((batch) => batch.batchId),
    confluenceWrite: hasConfluenceWrites(plan),
  };
}

import { isPagesProfile, type PagesProfile, type Profile } from "../../config/profile";
import type { FieldCodecs } from "../../mapping";
import { GraphErrorCodes } from "../../sharepoint/graphError";
import type { SharePointItem } from "../../sharepoint/listItem";
import type { SharePointClient } from "../../sharepoint/sharePointClient";
import type { ItemStateVersions } from "../../state/itemStateStore";
import {
  applyGates,
  hasConfluenceWrites,
  NOTHING_APPLIED,
  type Plan,
  type ReadyPlan,
  type StateCommit,
  type SyncRules,
  settlePlan,
} from "../../sync";
import { codecsFor } from "../codecInputs";
import { pendingSettlementsOf, recordConflicts } from "../conflictLog";
import type { EngineServices } from "../engineServices";
import { permanentProblem } from "../failures";
import { blockedUntil, quotaStop, recordQuotaStop } from "../pages/pointsBudget";
import { preparePagesRun } from "../pages/preparePagesRun";
import { ApiCallMeter } from "../prepare/apiCallMeter";
import { type CycleReads, readCycle } from "../prepare/cycleReads";
import { readPageRows } from "../prepare/pageRows";
import { type PlanStates, planStates } from "../prepare/planStates";
import { planWithReads } from "../prepare/planWithReads";
import { validateProfile } from "../prepare/profileValidation";
import { RunEnding } from "../prepare/runEnding";
import { confirmVanishedItems, MODERATION_STATUS_COLUMN } from "../prepare/vanishedItems";
import { type StepReporter, stepReporter } from "../run/activityProgress";
import type { PrepareRunInput, PrepareRunResult } from "../run/runContract";
import { type PlannedWrites, plannedWrites } from "../run/runProgress";
import type { RunItemReport, RunProblem } from "../run/runReport";
import type { RunContext } from "../run/stagedDocuments";
import { planToStage, versionsToStage } from "../run/statePhases";
import { sharePointBatches } from "../sharePointBatches";
import { highestItemId, sharePointSide } from "../sharePointChanges";
import { type TableGates, tableGates } from "../tableGates";

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
  const report = stepReporter(services.progress, input, "preparing");
  try {
    const sharePoint = await services.connections.sharePoint(profile);
    calls.attach({ graph: sharePoint });
    const confluence = await services.connections.confluence(profile);
    calls.attach({ confluence });

    const reads = await readCycle(services, profile, { sharePoint, confluence }, { dryRun: input.dryRun, report });
    if (reads.quiet) return await endQuietRun(services, ending, profile, reads, input, calls);
    const codecs = codecsFor(profile, reads.codecInputs);
    if (!codecs.ok) {
      const message = `profile "${profile.key}": ${codecs.errors.map((error) => error.message).join("; ")}`;
      return await ending.failed({ code: codecs.errors[0]?.code ?? "FIELD_MAPPING_INVALID", message }, calls.now());
    }
    // `let`, and handed over in a box: an async function keeps its variables through every await, and the plan (on a
    // first sync, an entry or two per item) must be let go before the run's largest commit (see stageAndCommit).
    let planning: Awaited<ReturnType<typeof planCycle>> | undefined = await planCycle(services, {
      profile,
      rules,
      reads,
      codecs: codecs.codecs,
      sharePoint,
      input,
      report,
    });
    if (!planning.ok) return await ending.failed(planning.problem, calls.now());
    if (planning.plan.kind === "stopped") return await ending.stopped(planning.plan, calls.now());
    if (input.dryRun) return await ending.dryRun(planning.plan, planning.readProblems, calls.now());
    const context = cycleContext(profile, input, reads, planning, calls.now());
    const box: PlanBox = { plan: planning.plan, versions: planning.versions };
    planning = undefined;
    return await stageAndCommit(services, ending, input, box, context, report);
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

/** What a cycle keeps of its planning: the plan and the few facts staging needs, not what it planned from. */
interface PlannedCycle {
  readonly ok: true;
  readonly plan: Exclude<Plan, { kind: "needsReads" }>;
  /** Rows whose key cell holds no item id: reported, left alone. */
  readonly readProblems: readonly RunItemReport[];
  /** When a person last saved the page (see pageEditedAt.ts). */
  readonly editedAt: string;
  /** The versions of the state rows loaded, to commit phase zero over. */
  readonly versions: ItemStateVersions;
  readonly highestStateId: number;
  /** Items whose SharePoint gate is closed (kept in the cursor: items the next delta does not report keep it). */
  readonly sharePointGateClosed: readonly string[];
}

/**
 * Reads the page's table through the codecs, loads the state rows the plan needs (see planStates.ts), and plans. The
 * items, rows and states it planned from are held only here: a first sync of 100,000 items lets them go before it
 * stages and commits.
 */
async function planCycle(
  services: EngineServices,
  cycle: {
    readonly profile: Profile;
    readonly rules: SyncRules;
    readonly reads: CycleReads;
    readonly codecs: FieldCodecs;
    readonly sharePoint: SharePointClient;
    readonly input: PrepareRunInput;
    readonly report: StepReporter;
  },
): Promise<PlannedCycle | { readonly ok: false; readonly problem: RunProblem }> {
  const { profile, rules, reads, codecs, input } = cycle;
  cycle.report({ kind: "planning" });
  // Conflicts people settled: their items are planned whatever the sides show (never left out as settled).
  const pending = await pendingSettlementsOf(services.state.conflicts, profile.key);
  const settlements = pending.fields;
  // Read through the codecs (and their gate column), the items are let go: on a first sync they are the whole list.
  let changed: readonly SharePointItem[] | undefined = reads.takeChangedItems();
  const table = await tableAndStates(services, {
    ...cycle,
    settlements: [...settlements, ...pending.deletions],
    changed,
  });
  if (!table.ok) return table;
  const { states, gates } = table;
  let side = sharePointSide({ ...reads.changes, changed }, codecs);
  changed = undefined;
  let readProblems = table.readProblems;
  if (side.kind === "full") {
    // A full enumeration loads every state row and reads every row (see planStates.ts): nothing is left out here.
    const vanished = await confirmVanishedItems(cycle.sharePoint, reads.select, codecs, {
      side,
      state: states.state.states,
      rows: states.confluence.rows,
      contentApproval: reads.directory.columns.some((column) => column.name === MODERATION_STATUS_COLUMN),
      cycle: input.cycle,
    });
    side = vanished.side;
    readProblems = [...readProblems, ...vanished.problems];
  }
  const { plan: ungated, planMs } = await planWithReads(cycle.sharePoint, reads.select, codecs, {
    rules,
    state: states.state.states,
    idleAwaitingItems: states.idleAwaitingItems,
    sharePoint: side,
    confluence: states.confluence,
    runAt: input.startedAt,
    settlements,
    deletionSettlements: pending.deletions,
  });
  // Gates hold writes back per item and direction (docs/pages-mode.md §5).
  const plan = ungated.kind === "ready" ? applyGates(ungated, gates.closed).plan : ungated;
  logPlanning(services, profile, input, { planMs, states, reads });
  return {
    ok: true,
    plan,
    readProblems,
    editedAt: table.editedAt,
    versions: states.state.versions,
    highestStateId: states.highestStateId,
    sharePointGateClosed: gates.sharePointClosed,
  };
}

/**
 * The page's table read through the codecs, its gates, and the state rows the plan needs (see planStates.ts). Every
 * row is read here, to tell the settled ones apart and let them go: only this function holds all of them.
 */
async function tableAndStates(
  services: EngineServices,
  cycle: {
    readonly profile: Profile;
    readonly rules: SyncRules;
    readonly reads: CycleReads;
    readonly codecs: FieldCodecs;
    readonly input: PrepareRunInput;
    readonly settlements: readonly { readonly sharePointId: string }[];
    /** The items the delta reported (their gate column is read here). */
    readonly changed: readonly SharePointItem[];
  },
): Promise<
  | { ok: true; states: PlanStates; readProblems: readonly RunItemReport[]; editedAt: string; gates: TableGates }
  | { ok: false; problem: RunProblem }
> {
  const { profile, rules, reads, codecs, input } = cycle;
  const page = readPageRows(profile, reads, codecs, input.cycle);
  if (!page.ok) return page;
  const gates = tableGates(
    profile,
    { changed: cycle.changed, deletedIds: reads.changes.deletedIds },
    reads.cursor?.cursor.gatedItems ?? [],
    page.table,
  );
  if (!gates.ok) return gates;
  const states = await planStates(services, profile, reads, rules, page.side, {
    dryRun: input.dryRun,
    itemsWithSettlements: new Set(cycle.settlements.map((settlement) => settlement.sharePointId)),
  });
  return { ok: true, states, readProblems: page.readProblems, editedAt: page.editedAt, gates };
}

/**
 * How long the pure planner took against what it was given: the benchmark reads this (planning must stay a small
 * fraction of a run, docs/design.md §5), and it tells an operator whether a slow run was thinking or waiting.
 */
function logPlanning(
  services: EngineServices,
  profile: Profile,
  input: PrepareRunInput,
  facts: { planMs: number; states: PlanStates; reads: CycleReads },
): void {
  const { confluence, state, loaded } = facts.states;
  services.logger.debug("sync planned", {
    profile: profile.key,
    runId: input.runId,
    planMs: facts.planMs,
    stateRows: state.states.length,
    stateLoaded: loaded,
    sharePointItems: facts.reads.changes.changedIds.length,
    pageRows: confluence.rows.length + (confluence.settledRows?.length ?? 0),
    settledRows: confluence.settledRows?.length ?? 0,
    idleAwaitingItems: facts.states.idleAwaitingItems,
  });
}

/** What the cycle's later activities need of what it read (staged as `c{cycle}.context`). */
function cycleContext(
  profile: Profile,
  input: PrepareRunInput,
  reads: CycleReads,
  planned: PlannedCycle,
  apiCalls: RunContext["apiCalls"],
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
      editedAt: planned.editedAt,
    },
    readLink: changes.deltaLink,
    select: reads.select,
    fieldSamples: reads.samples,
    cursorVersion: cursor?.version ?? null,
    maxItemIdAtRead: Math.max(planned.highestStateId, highestItemId(changes.changedIds)),
    trigger: input.trigger,
    startedAt: input.startedAt,
    apiCalls,
    readProblems: planned.readProblems,
    batchIds: [],
    ...(planned.sharePointGateClosed.length > 0 ? { sharePointGateClosed: planned.sharePointGateClosed } : {}),
  };
}

/** The plan on its way to staging, and the versions of the state rows it was made with; emptied by `stagePlan`. */
interface PlanBox {
  plan?: ReadyPlan;
  readonly versions: ItemStateVersions;
}

/**
 * Records the conflicts and stages the plan (`stagePlan`, which takes the plan out of its box), then commits phase
 * zero (what holds before any write) with nothing of the plan left but the state to write.
 */
async function stageAndCommit(
  services: EngineServices,
  ending: RunEnding,
  input: PrepareRunInput,
  box: PlanBox,
  context: RunContext,
  report: StepReporter,
): Promise<PrepareRunResult> {
  const staged = await stagePlan(services, ending, input, box, context);
  const versions = await services.state.items.commit(input.profileKey, staged.phaseZero, box.versions, {
    onRows: (rows, total) => report({ kind: "committingState", rows, total }),
  });
  await ending.staged.putVersions(staged.versionsToStage(versions));
  return {
    kind: "planned",
    sharePointBatchIds: staged.batchIds,
    confluenceWrite: staged.confluenceWrite,
    planned: staged.planned,
  };
}

async function stagePlan(
  services: EngineServices,
  ending: RunEnding,
  input: PrepareRunInput,
  box: PlanBox,
  context: RunContext,
): Promise<{
  phaseZero: StateCommit[];
  versionsToStage: (versions: ItemStateVersions) => Map<string, string>;
  batchIds: string[];
  confluenceWrite: boolean;
  planned: PlannedWrites;
}> {
  const plan = box.plan;
  box.plan = undefined;
  if (plan === undefined) throw new Error(`run ${input.runId}: the plan was staged already`);
  const now = new Date(services.clock.now()).toISOString();
  await recordConflicts(services.state.conflicts, input.profileKey, plan, input.runId, now);
  const batches = sharePointBatches(plan);
  const staged = planToStage(plan);
  await ending.staged.putPlan(staged);
  for (const batch of batches) await ending.staged.putBatch(batch);
  const batchIds = batches.map((batch) => batch.batchId);
  await ending.staged.putContext({ ...context, batchIds });
  const stagedIds = new Set(
    staged.stateUpdates.flatMap((update) => (update.target.kind === "item" ? [update.target.sharePointId] : [])),
  );
  return {
    phaseZero: settlePlan(plan, NOTHING_APPLIED),
    versionsToStage: (versions) => versionsToStage(stagedIds, versions),
    batchIds,
    confluenceWrite: hasConfluenceWrites(plan),
    planned: plannedWrites(plan),
  };
}

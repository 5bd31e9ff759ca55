import { ProfileNotFound } from "../../config/profileNotFound";
import type { Profile } from "../../config/profile";
import type { ConfluencePage } from "../../confluence";
import type { FieldCodecs } from "../../mapping";
import { mapBounded } from "../../runtime";
import { GraphErrorCodes } from "../../sharepoint/graphError";
import type { SharePointClient } from "../../sharepoint/sharePointClient";
import type { LoadedItemStates } from "../../state/itemStateStore";
import type { SyncCursor } from "../../state/syncCursorStore";
import {
  NOTHING_APPLIED,
  PlannerInputInvalid,
  planSync,
  settlePlan,
  syncRulesFromProfile,
  hasConfluenceWrites,
  type Plan,
  type PlanInput,
  type ReadyPlan,
  type SharePointItemReading,
  type SharePointSide,
  type SyncRules,
} from "../../sync";
import { codecsFor, selectedFieldKeys, type CodecInputs } from "../codecInputs";
import { recordConflicts } from "../conflictLog";
import type { EngineServices } from "../engineServices";
import { permanentProblem } from "../failures";
import { confluenceSide, isSyncVersion, readManagedPage } from "../managedPage";
import { assembleReport, closeRun, EMPTY_CYCLE, type CycleSummary, type ReportHeader } from "../runClosing";
import type { PrepareRunInput, PrepareRunResult, RunOutcome, RunProblem } from "../runContract";
import { planItems, runCounts, type ApiCalls, type RunItemReport } from "../runReport";
import { fieldSamples, highestItemId, itemReading, readSharePointChanges, sharePointSide, type SharePointChanges } from "../sharePointChanges";
import { sharePointBatches } from "../sharePointBatches";
import { quietFingerprint } from "../quietRun";
import { StagedRun, type RunContext } from "../stagedRun";

/**
 * Validates the profile, reads both sides and the state, plans; then, for a real run, records the conflicts, stages
 * the plan and its batches, and commits the state that holds before any write (phase zero). A dry run stops after
 * planning and writes nothing. Permanent problems (an invalid profile, a page the sync cannot work on, a dead grant)
 * end the run before any write; transient ones are thrown for Durable to retry.
 */
export async function prepareRun(services: EngineServices, input: PrepareRunInput): Promise<PrepareRunResult> {
  const now = () => new Date(services.clock.now()).toISOString();
  const staged = new StagedRun(services.state.staging, input, now);
  const header: ReportHeader = { ...input };
  const carry = input.cycle > 1 ? await staged.carry() : { cycles: [] };
  // A dry run writes nothing, its run record and staging included.
  const end = async (outcome: RunOutcome, problem: RunProblem | undefined, cycle: CycleSummary, record = !input.dryRun) => {
    const report = assembleReport(header, outcome, problem, cycle, carry, now());
    if (record) await closeRun(services, staged, report);
    return report;
  };

  const validation = await validate(services, input.profileKey);
  if (!validation.ok) {
    const problem = { code: "PROFILE_INVALID", message: validation.message };
    // No record for a profile that does not exist: there is nothing to attach it to.
    const report = await end("invalid", problem, EMPTY_CYCLE, validation.known && !input.dryRun);
    return { kind: "invalid", missingSecrets: validation.missingSecrets, errors: validation.errors, report };
  }
  const { profile, rules } = validation;

  let sharePoint: SharePointClient | undefined;
  let calls = (): ApiCalls => ({ graph: sharePoint?.requestCount ?? 0, confluence: 0 });
  try {
    sharePoint = await services.connections.sharePoint(profile);
    const confluence = await services.connections.confluence(profile);
    const client = sharePoint;
    calls = () => ({ graph: client.requestCount, confluence: confluence.requestCount });

    const [directory, page, cursor] = await Promise.all([
      services.directory.get(profile, client),
      confluence.getPage(profile.confluence.target.pageId, { storage: true }),
      services.state.cursors.get(profile.key),
    ]);
    const select = selectedFieldKeys(profile, directory.columns);
    const storedLink = cursor !== undefined && sameSelect(cursor.cursor.select, select) ? cursor.cursor.deltaLink : undefined;
    // The state rows load alongside the delta read, unless the page is as a quiet run left it: then the run may
    // well need none of them (see quietRun.ts).
    const quietMark = !input.dryRun && storedLink !== undefined && cursor?.cursor.quiet?.pageVersion === page.version.number ? cursor.cursor.quiet : undefined;
    const loadState = () => services.state.items.load(profile.key);
    const stateLoad = quietMark ? undefined : loadState();
    void stateLoad?.catch(() => undefined); // awaited below; a failed delta read must not leave it unhandled
    const changes = await readSharePointChanges(client, storedLink, select);
    const samples = fieldSamples(profile, directory.columns, changes.changed, cursor?.cursor.fieldSamples ?? {});
    const codecInputs: CodecInputs = { ...directory, samples, siteTimeZone: profile.sharePoint.timeZone ?? "UTC" };
    if (quietMark && cursor && isQuietRead(changes) && quietFingerprint(profile, codecInputs) === quietMark.inputs) {
      await services.state.cursors.save(profile.key, { ...cursor.cursor, deltaLink: changes.deltaLink, runId: input.runId, updatedAt: now() }, cursor.version);
      services.logger.debug("quiet run: the page is as a run that planned nothing left it and SharePoint reports no change", {
        profile: profile.key,
        pageVersion: page.version.number,
        quietSince: quietMark.runId,
      });
      return { kind: "unchanged", report: await end("completed", undefined, { ...EMPTY_CYCLE, apiCalls: calls() }) };
    }
    const state = await (stateLoad ?? loadState());
    const codecs = codecsFor(profile, codecInputs);
    if (!codecs.ok) {
      const problem = { code: codecs.errors[0]?.code ?? "FIELD_MAPPING_INVALID", message: `profile "${profile.key}": ${codecs.errors.map((error) => error.message).join("; ")}` };
      return { kind: "failed", problem, report: await end("failed", problem, { ...EMPTY_CYCLE, apiCalls: calls() }) };
    }
    const managed = readManagedPage(profile, page.storage ?? "", codecs.codecs);
    if (!managed.ok) return { kind: "failed", problem: managed.problem, report: await end("failed", managed.problem, { ...EMPTY_CYCLE, apiCalls: calls() }) };

    const editedAt = pageEditedAt(page, cursor?.cursor);
    const { side: confluenceRows, invalidKeyRows } = confluenceSide(managed.rows, { version: page.version.number, editedAt });
    const readProblems = invalidKeyRows.map(
      (row): RunItemReport => ({
        sharePointId: null,
        row: row.index + 1,
        action: "error",
        changes: [],
        conflicts: [],
        errors: [{ field: null, side: "confluence", code: "ROW_KEY_INVALID", message: `row ${row.rowNumber}: the key cell holds "${row.key.kind === "invalid" ? row.key.text : ""}", which is no SharePoint item id; the row is left alone` }],
        result: "unchanged",
        cycle: input.cycle,
      }),
    );
    const { plan, planMs } = await planWithReads(client, select, codecs.codecs, {
      rules,
      state: state.states,
      sharePoint: sharePointSide(changes, codecs.codecs),
      confluence: confluenceRows,
      runAt: input.startedAt,
    });
    // How long the pure planner took against what it was given: the benchmark reads this (planning must stay a
    // small fraction of a run, DESIGN.md §5), and it tells an operator whether a slow run was thinking or waiting.
    services.logger.debug("sync planned", {
      profile: profile.key,
      runId: input.runId,
      planMs,
      stateRows: state.states.length,
      sharePointItems: changes.changed.length,
      pageRows: confluenceRows.rows.length,
    });

    if (plan.kind === "stopped") {
      const problem = { code: plan.reason.code, message: plan.reason.message };
      const cycle = { ...EMPTY_CYCLE, items: planItems(plan, null, input.cycle), apiCalls: calls() };
      return { kind: "stopped", problem, report: await end("stopped", problem, cycle) };
    }
    if (input.dryRun) {
      const cycle = { counts: runCounts(plan, null, readProblems.length), items: [...readProblems, ...planItems(plan, null, input.cycle)], apiCalls: calls() };
      return { kind: "dryRun", report: await end("dryRun", undefined, cycle, false) };
    }

    const context: RunContext = {
      profile,
      codecInputs,
      page: { id: page.id, title: page.title, version: page.version.number, storage: page.storage ?? "", editedAt },
      readLink: changes.deltaLink,
      select,
      fieldSamples: samples,
      cursorVersion: cursor?.version ?? null,
      maxItemIdAtRead: highestItemId([...state.states.map((item) => item.sharePointId), ...changes.changed.map((item) => item.id)]),
      trigger: input.trigger,
      startedAt: input.startedAt,
      apiCalls: calls(),
      readProblems,
      batchIds: [],
    };
    return await stagePlan(services, staged, input, plan, context, state);
  } catch (error) {
    const problem = permanentProblem(error);
    // A refused credential must not outlive its fix: the next run builds it again from the secrets.
    if (problem?.code === GraphErrorCodes.AuthenticationFailed || problem?.code === GraphErrorCodes.Unauthorized) services.connections.forgetGraphCredential(profile.key);
    if (problem === undefined) throw error;
    return { kind: "failed", problem, report: await end("failed", problem, { ...EMPTY_CYCLE, apiCalls: calls() }) };
  }
}

/** Records the conflicts, stages the plan, then commits phase zero (what holds before any write). */
async function stagePlan(services: EngineServices, staged: StagedRun, input: PrepareRunInput, plan: ReadyPlan, context: RunContext, state: LoadedItemStates): Promise<PrepareRunResult> {
  const now = new Date(services.clock.now()).toISOString();
  await recordConflicts(services.state.conflicts, input.profileKey, plan, input.runId, now);
  const batches = sharePointBatches(plan);
  await staged.putPlan(plan);
  for (const batch of batches) await staged.putBatch(batch);
  await staged.putContext({ ...context, batchIds: batches.map((batch) => batch.batchId) });
  const versions = await services.state.items.commit(input.profileKey, settlePlan(plan, NOTHING_APPLIED), state.versions);
  await staged.putVersions(versions);
  return { kind: "planned", sharePointBatchIds: batches.map((batch) => batch.batchId), confluenceWrite: hasConfluenceWrites(plan) };
}

type Validation =
  | { ok: true; profile: Profile; rules: SyncRules }
  | { ok: false; known: boolean; message: string; missingSecrets: string[]; errors: Array<{ path: string; message: string }> };

/** The profile as it must be to run: schema, secret names, rules the planner accepts. Reads no secret value. */
async function validate(services: EngineServices, profileKey: string): Promise<Validation> {
  let result;
  try {
    result = await services.config.validator.validateStored(profileKey);
  } catch (error) {
    if (!(error instanceof ProfileNotFound)) throw error;
    return { ok: false, known: false, message: error.message, missingSecrets: [], errors: [{ path: "(root)", message: error.message }] };
  }
  if (!result.valid) {
    const parts = [
      ...(result.missingSecrets.length > 0 ? [`missing secrets: ${result.missingSecrets.join(", ")}`] : []),
      ...result.errors.map((issue) => `${issue.path}: ${issue.message}`),
    ];
    return { ok: false, known: true, message: `profile "${profileKey}" cannot run: ${parts.join("; ")}`, missingSecrets: result.missingSecrets, errors: result.errors };
  }
  const { profile } = await services.config.profiles.get(profileKey);
  try {
    return { ok: true, profile, rules: syncRulesFromProfile(profile) };
  } catch (error) {
    if (!(error instanceof PlannerInputInvalid)) throw error;
    return { ok: false, known: true, message: error.message, missingSecrets: [], errors: [{ path: "matchBy", message: error.message }] };
  }
}

/**
 * Plans; when the planner needs items the delta did not report, reads them by id (a 404 = deleted), adds them to the
 * delta and plans again. The planner never asks twice for an item it was given. `planMs`: milliseconds spent in the
 * pure planner itself, the reads in between excluded.
 */
async function planWithReads(client: SharePointClient, select: readonly string[], codecs: FieldCodecs, input: PlanInput): Promise<{ plan: Exclude<Plan, { kind: "needsReads" }>; planMs: number }> {
  const timed = (planInput: PlanInput): { plan: Plan; ms: number } => {
    const started = performance.now();
    const planned = planSync(planInput);
    return { plan: planned, ms: performance.now() - started };
  };
  const first = timed(input);
  if (first.plan.kind !== "needsReads") return { plan: first.plan, planMs: first.ms };
  let plan: Plan = first.plan;
  const side = input.sharePoint;
  if (side.kind !== "delta") throw new Error(`profile "${input.rules.profileKey}": the planner asked for reads on a full enumeration`);
  const asked = new Set(plan.sharePointIds);
  const read = await mapBounded(plan.sharePointIds, 4, (id) => client.readItem(id, { select }));
  const changed: SharePointItemReading[] = side.changed.filter((item) => !asked.has(item.id));
  const deletedIds = side.deletedIds.filter((id) => !asked.has(id));
  plan.sharePointIds.forEach((id, index) => {
    const item = read[index];
    if (item === undefined) deletedIds.push(id);
    else changed.push(itemReading(item, codecs));
  });
  const withReads: SharePointSide = { kind: "delta", changed, deletedIds };
  const second = timed({ ...input, sharePoint: withReads });
  plan = second.plan;
  if (plan.kind === "needsReads") throw new Error(`profile "${input.rules.profileKey}": the planner asked again for items it was given: ${plan.sharePointIds.join(", ")}`);
  return { plan, planMs: first.ms + second.ms };
}

/**
 * When a person last saved the page, for newest-wins: the current version's time, unless the sync wrote it; then
 * the last person's edit the cursor remembers (else the version's time, as the planner accepts).
 */
export function pageEditedAt(page: ConfluencePage, cursor: SyncCursor | undefined): string {
  if (!isSyncVersion(page.version.message)) return page.version.createdAt;
  return cursor?.pageEditedAt ?? page.version.createdAt;
}

function sameSelect(stored: readonly string[] | undefined, select: readonly string[]): boolean {
  return stored !== undefined && stored.length === select.length && stored.every((key, index) => key === select[index]);
}

/** A delta round (not a full enumeration) that reported no item changed or deleted. */
function isQuietRead(changes: SharePointChanges): boolean {
  return changes.mode.kind !== "full" && changes.changed.length === 0 && changes.deletedIds.length === 0;
}

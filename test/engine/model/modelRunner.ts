import { isDeepStrictEqual } from "node:util";
import { conflictId } from "../../../shared/engine/conflictLog";
import type { PrepareRunInput, PrepareRunResult, RunRef } from "../../../shared/engine/run/runContract";
import type { RunItemReport, RunReport } from "../../../shared/engine/run/runReport";
import type {
  BatchProgress,
  PageProgress,
  RunContext,
  StagedOpOutcome,
} from "../../../shared/engine/run/stagedDocuments";
import {
  type CanonicalValue,
  type ConflictRecord,
  canonicalJson,
  fieldHash,
  type ItemState,
  isQuietPlan,
  type Plan,
  type ReadyPlan,
  type SharePointOpOutcome,
  type StoppedPlan,
  type SyncRules,
} from "../../../shared/sync";
import type { CallMark, SyncHarness } from "../../helpers/syncHarness";
import type { PersonEvent } from "../../sync/model/personEdits";
import { InvariantViolation, type SyncInvariants } from "../../sync/model/syncInvariants";
import type { SyncRunRecord, WorldSnapshot } from "../../sync/model/syncRunRecord";
import type { EmulatedWorld } from "./emulatedWorld";
import type { EngineProbe } from "./engineProbe";
import { clearHttpFaults, injectHttpFaults } from "./httpFaults";
import type { EngineFaults } from "./modelSteps";
import type { PartitionRows, StatePartition } from "./statePartition";

/** One cycle of a run as the model saw it: the record the invariants judge, and the world after it. */
interface ObservedCycle {
  readonly record: SyncRunRecord;
  readonly after: WorldSnapshot;
}

/** One run through the real orchestrator, observed. */
interface ObservedRun {
  readonly report: RunReport;
  readonly cycles: readonly ObservedCycle[];
  /** The app's writes, from the emulators' request logs: Graph non-GET calls, Confluence PUT/POST/DELETE. */
  readonly writes: { readonly graph: readonly string[]; readonly confluence: readonly string[] };
  /**
   * The run ended after its reads (`prepareRun` answered `unchanged`): the page is as a run that planned nothing left
   * it and SharePoint reported no change, so the engine planned nothing (see shared/engine/quietRun.ts).
   */
  readonly unchanged: boolean;
}

/** The plan of a run that has nothing at all to do, on the page at `pageVersion`. */
function quietPlan(pageVersion: number): ReadyPlan {
  return {
    kind: "ready",
    sharePoint: { creates: [], updates: [], deletes: [] },
    confluence: { pageVersion, rowUpdates: [], appends: [], removals: [], keyWriteBacks: [] },
    conflicts: [],
    fieldErrors: [],
    decisions: [],
    stateUpdates: [],
  };
}

/**
 * Runs syncs for the end-to-end model: each through the real `syncProfile` orchestrator in the local Durable host
 * (real activities, real clients, the emulators, Azurite), with the run's faults injected, and turns what it observes
 * — both replicas before and after each cycle (read from the emulators), the plan and outcomes the engine staged (read
 * through the probe), the emulators' request logs, the state tables — into the records the model's invariants judge,
 * checking on the way what only the wire and the tables show (docs/design.md §3):
 * - 1 no lost update: every conflict the invariants excuse an edit with is in the ConflictStore and in the run's
 *   report, holding both values;
 * - 2/3 convergence, quiet, echo-free: after a clean run, the next run sends no write at all (request logs), plans
 *   nothing, and leaves every pending edit explained; a run that ends after its reads (`unchanged`, the engine's
 *   quiet-run shortcut) is one whose full plan, made by a dry run or by the run before it, has nothing in it;
 * - 4 exactly-once: every item the sync created is one its plan created, every row it added is one its plan appended,
 *   and a run adds at most one page version;
 * - 7 safe deletes: nothing vanishes but what people deleted or a plan deleted under a `delete` policy, no Graph
 *   DELETE goes out unless the profile opts in, and a run stopped by the mass-delete limit writes nothing;
 * - 8 honest dry run: a dry run sends no write and leaves the state tables as they were, and its decisions are the
 *   next real run's.
 */
export class ModelRunner {
  readonly #h: SyncHarness;
  readonly #world: EmulatedWorld;
  readonly #probe: EngineProbe;
  readonly #rules: SyncRules;
  readonly #invariants: SyncInvariants;
  readonly #state: StatePartition;
  readonly #tally: Map<string, number>;
  /** Sync runs (dry runs included) this model run made: the measure of its cost. */
  runs = 0;
  /** The last cycle that planned: what a run that ends `unchanged` stands on. */
  #lastPlanned: ObservedCycle | undefined;

  constructor(parts: {
    h: SyncHarness;
    world: EmulatedWorld;
    probe: EngineProbe;
    rules: SyncRules;
    invariants: SyncInvariants;
    state: StatePartition;
    /** Counts what the runs exercised (outcomes, writes, conflicts, faults answered), for the test to show. */
    tally: Map<string, number>;
  }) {
    this.#h = parts.h;
    this.#world = parts.world;
    this.#probe = parts.probe;
    this.#rules = parts.rules;
    this.#invariants = parts.invariants;
    this.#state = parts.state;
    this.#tally = parts.tally;
  }

  /**
   * A sync step: a dry run (checked to write nothing), the real run with `faults` (its decisions checked against the
   * dry run's), a clean run straight away if the run ended without knowing what it wrote, and — after a clean run —
   * the quiet run that must find nothing to do.
   */
  async syncStep(faults: EngineFaults | null): Promise<void> {
    // A full re-read (an expired delta link) may decide about more items than the dry run's delta did.
    const dry = faults?.deltaExpired === true ? undefined : await this.#dryRun();
    let run = await this.#run(faults, dry?.stateBefore);
    if (dry !== undefined) this.#compareWithDryRun(dry.report, run.report, faults === null);
    // Durable runs the failed work again (a failed run, a batch that may have written): before anyone edits.
    for (let reruns = 0; needsRerun(run.report); reruns += 1) {
      if (reruns === MAX_CLEAN_RERUNS)
        throw new InvariantViolation(
          `runs without faults keep failing: ${run.report.outcome} ${JSON.stringify(run.report.problem)}`,
        );
      run = await this.#run(null);
    }
    if (faults === null) await this.#expectQuiet(run);
  }

  /** The next run after a clean one: it must write nothing and find nothing to do (convergence, quiet, echo-free). */
  async #expectQuiet(last: ObservedRun): Promise<void> {
    // A clean run that ended unchanged stands on the last run that planned (nothing has changed since).
    const lastCycle = last.cycles[last.cycles.length - 1] ?? (last.unchanged ? this.#lastPlanned : undefined);
    if (lastCycle === undefined)
      throw new InvariantViolation(
        `quiet: the clean run ${last.report.runId} planned nothing (${last.report.outcome}: ${last.report.problem?.message ?? ""})`,
      );
    const next = await this.#run(null);
    if (next.writes.graph.length > 0 || next.writes.confluence.length > 0) {
      throw new InvariantViolation(
        `quiet / echo-free: the run after a clean run wrote ${JSON.stringify(next.writes)}; its items: ${JSON.stringify(next.report.items)}`,
      );
    }
    const nextPlan = next.cycles[0]?.record.plan ?? (next.unchanged ? await this.#confirmUnchanged() : undefined);
    if (nextPlan === undefined)
      throw new InvariantViolation(`quiet: the run after a clean run planned nothing (${next.report.outcome})`);
    if (nextPlan.kind === "ready" && !isQuietPlan(nextPlan)) {
      throw new InvariantViolation(`quiet: the run after a clean run planned ${JSON.stringify(next.report.items)}`);
    }
    const loaded = await this.#h.state.items.load(this.#h.profile.key);
    const state = new Map<string, ItemState>(loaded.states.map((item) => [item.sharePointId, item]));
    this.#invariants.quiescent(lastCycle.record, nextPlan, this.#world.snapshot(), state);
  }

  /**
   * A run that ended unchanged planned nothing without looking: a dry run (which always plans in full) must find
   * nothing to do either — no item to report, nothing to count.
   */
  async #confirmUnchanged(): Promise<ReadyPlan> {
    const { report } = await this.#dryRun();
    const counts = report.counts;
    const nothing =
      [counts.sharePoint, counts.confluence].every((side) => side.created + side.updated + side.deleted === 0) &&
      counts.conflicts + counts.errors === 0;
    if (report.items.length > 0 || !nothing) {
      throw new InvariantViolation(
        `quiet run: the run ended after its reads, but a full plan finds ${JSON.stringify(report.items)} (${JSON.stringify(counts)})`,
      );
    }
    return quietPlan(this.#world.pageVersions().current);
  }

  /** A dry run: no write on the wire, the state tables and both replicas exactly as they were. */
  async #dryRun(): Promise<{ report: RunReport; stateBefore: PartitionRows }> {
    const profileKey = this.#h.profile.key;
    const stateBefore = await this.#state.read(profileKey);
    const before = { page: this.#world.pageVersions().current, list: this.#world.listChangeSeq() };
    this.#h.clearCalls();
    this.runs += 1;
    const result = await this.#h.run({ dryRun: true });
    if (result.status !== "Completed")
      throw new InvariantViolation(`dry run: the orchestration failed: ${result.error ?? "?"}`);
    const report = result.output as RunReport;
    const writes = this.#h.writes();
    if (writes.graph.length > 0 || writes.confluence.length > 0)
      throw new InvariantViolation(`honest dry run: it wrote ${JSON.stringify(writes)}`);
    const after = { page: this.#world.pageVersions().current, list: this.#world.listChangeSeq() };
    if (!isDeepStrictEqual(before, after))
      throw new InvariantViolation(`honest dry run: a replica changed: ${JSON.stringify({ before, after })}`);
    const stateAfter = await this.#state.read(profileKey);
    if (!isDeepStrictEqual(stateAfter, stateBefore))
      throw new InvariantViolation(
        `honest dry run: the state tables changed: ${describeChange(stateBefore, stateAfter)}`,
      );
    return { report, stateBefore };
  }

  /** Its plan equals what the next real run does: the same decisions, and on a clean run the same counts. */
  #compareWithDryRun(dry: RunReport, real: RunReport, clean: boolean): void {
    if (real.outcome === "failed") return;
    const decisions = (items: readonly RunItemReport[]) =>
      items.map(({ sharePointId, row, action, note, changes, conflicts, errors }) => ({
        row,
        action,
        note,
        changes,
        conflicts,
        // Write failures join the errors of a faulted run; the planner's own errors are compared on clean runs.
        ...(clean ? { errors } : {}),
        ...(action === "createInSharePoint" ? {} : { sharePointId }),
      }));
    const planned = decisions(dry.items);
    const done = decisions(real.items.filter((item) => (item.cycle ?? 1) === 1));
    if (!isDeepStrictEqual(planned, done)) {
      throw new InvariantViolation(
        `honest dry run: it planned ${JSON.stringify(planned)} but the run did ${JSON.stringify(done)}`,
      );
    }
    if (clean && !isDeepStrictEqual(dry.counts, real.counts)) {
      throw new InvariantViolation(
        `honest dry run: it counted ${JSON.stringify(dry.counts)} but the run did ${JSON.stringify(real.counts)}`,
      );
    }
  }

  /** One real run with `faults`, observed cycle by cycle and fed to the invariants. */
  async #run(faults: EngineFaults | null, stateBefore?: PartitionRows): Promise<ObservedRun> {
    const h = this.#h;
    const reads = new Map<number, WorldSnapshot>();
    /** Where the request logs stood when each cycle started reading. */
    const marks = new Map<number, CallMark>();
    const afters = new Map<number, WorldSnapshot>();
    const concurrentEvents: PersonEvent[] = [];
    /** What `prepareRun` answered, by cycle. */
    const prepared = new Map<number, PrepareRunResult["kind"]>();
    let concurrent: Promise<void> | undefined;
    const beforeWrites = async (input: unknown) => {
      if ((input as RunRef).cycle !== 1 || faults === null || faults.concurrentEdits.length === 0) return;
      concurrent ??= (async () => {
        for (const edit of faults.concurrentEdits) {
          const event = await this.#world.apply(edit);
          if (event !== null) concurrentEvents.push(event);
        }
      })();
      await concurrent;
    };
    const original = h.activities;
    const within = async (activity: string, run: () => Promise<unknown>) => {
      this.#probe.activity = activity;
      try {
        return await run();
      } finally {
        this.#probe.activity = null;
      }
    };
    h.activities = {
      ...original,
      prepareRun: async (input) => {
        reads.set((input as PrepareRunInput).cycle, this.#world.snapshot());
        marks.set((input as PrepareRunInput).cycle, h.callMark());
        const result = (await within("prepareRun", () => original.prepareRun(input))) as PrepareRunResult;
        prepared.set((input as PrepareRunInput).cycle, result.kind);
        return result;
      },
      applySharePointBatch: async (input) => {
        await beforeWrites(input);
        return within("applySharePointBatch", () => original.applySharePointBatch(input));
      },
      applyConfluencePage: async (input) => {
        await beforeWrites(input);
        return within("applyConfluencePage", () => original.applyConfluencePage(input));
      },
      commitRun: async (input) => {
        await beforeWrites(input);
        const committed = await within("commitRun", async () => {
          this.#probe.crashAt("beforeCommit");
          return original.commitRun(input);
        });
        afters.set((input as RunRef).cycle, this.#world.snapshot());
        return committed;
      },
    };

    const versionsBefore = this.#world.pageVersions().bySync;
    if (faults !== null) await injectHttpFaults(h, faults);
    this.#probe.arm(faults?.crashes ?? []);
    h.clearCalls();
    this.runs += 1;
    let report: RunReport;
    try {
      const result = await h.run();
      if (result.status !== "Completed")
        throw new InvariantViolation(`the orchestration failed: ${result.error ?? "?"}`);
      report = result.output as RunReport;
    } finally {
      h.activities = original;
      this.#probe.arm([]);
      if (faults !== null) await clearHttpFaults(h);
    }
    const writes = h.writes();
    const final = this.#world.snapshot();
    if (process.env.SYNC_E2E_MODEL_DEBUG)
      console.log(
        JSON.stringify(
          {
            outcome: report.outcome,
            problem: report.problem,
            items: report.items,
            writes,
            final: { items: [...final.items], rows: final.rows },
          },
          null,
          1,
        ),
      );
    const staged = this.#probe.staged(report.runId);
    this.#probe.forget(report.runId);

    const cycles: ObservedCycle[] = [];
    const claimed = new Set<string>();
    for (const cycle of [...reads.keys()].sort((a, b) => a - b)) {
      const read = reads.get(cycle)!;
      const after = afters.get(cycle) ?? final;
      const last = cycle === Math.max(...reads.keys());
      const plan = stagedPlan(staged, cycle) ?? (last ? this.#stoppedPlan(report) : undefined);
      if (plan === undefined) continue;
      const record = this.#record({
        cycle,
        plan,
        read,
        after,
        staged,
        claimed,
        report,
        last,
        events: cycle === 1 ? concurrentEvents : [],
      });
      this.#invariants.sync(record, after);
      this.#checkVanished(record, after);
      cycles.push({ record, after });
    }

    if (cycles.length > 0) this.#lastPlanned = cycles[cycles.length - 1];
    const unchanged = prepared.get(report.cycles) === "unchanged";
    if (unchanged && (report.outcome !== "completed" || report.items.length > 0)) {
      throw new InvariantViolation(
        `quiet run: a run that ended after its reads reports ${report.outcome} ${JSON.stringify(report.items)}`,
      );
    }
    this.#checkWire(report, writes, cycles, h.writes(marks.get(report.cycles)));
    this.#count(report, cycles, unchanged);
    const versionsAdded = this.#world.pageVersions().bySync - versionsBefore;
    if (versionsAdded > 1)
      throw new InvariantViolation(`exactly-once: run ${report.runId} added ${versionsAdded} page versions`);
    await this.#checkConflictsKept(report, cycles);
    // A run stopped in its first cycle leaves the state as it was (later cycles follow a committed first one).
    if (report.outcome === "stopped" && report.cycles === 1 && stateBefore !== undefined) {
      const stateAfter = await this.#state.read(h.profile.key);
      const { SyncRuns: _before, ...kept } = stateBefore;
      const { SyncRuns: _after, ...now } = stateAfter;
      if (!isDeepStrictEqual(now, kept))
        throw new InvariantViolation(
          `safe deletes: a stopped run changed the state: ${describeChange(stateBefore, stateAfter)}`,
        );
    }
    return { report, cycles, writes, unchanged };
  }

  #count(report: RunReport, cycles: readonly ObservedCycle[], unchanged: boolean): void {
    const add = (what: string, by = 1) => by > 0 && this.#tally.set(what, (this.#tally.get(what) ?? 0) + by);
    add(`outcome ${report.outcome}`);
    if (unchanged) add("runs ended unchanged after their reads (quiet)");
    if (report.cycles > 1) add("runs with a second cycle (page changed under the run)");
    for (const { record } of cycles) {
      if (record.plan.kind !== "ready") continue;
      const { sharePoint, confluence, conflicts, fieldErrors } = record.plan;
      add("items created from rows", record.created.length);
      add("rows appended", confluence.appends.length);
      add("items updated", sharePoint.updates.length);
      add("rows updated", confluence.rowUpdates.length);
      add("items deleted", sharePoint.deletes.length);
      add("rows removed", confluence.removals.length);
      add("field errors", fieldErrors.length);
      for (const conflict of conflicts)
        add(`conflict ${conflict.kind === "field" ? `${conflict.cause} ${conflict.resolution.kind}` : "deleteVsEdit"}`);
      for (const settlement of record.plan.settlements ?? []) add(`settlement ${settlement.kind}`);
    }
    const statuses = [...this.#h.calls().graph, ...this.#h.calls().confluence]
      .map((entry) => entry.status)
      .filter((status) => status >= 400);
    for (const status of statuses) add(`answered ${status}`);
  }

  /** A run the plan stopped stages no plan: its reason is in the report, its numbers in the reason's words. */
  #stoppedPlan(report: RunReport): StoppedPlan | undefined {
    if (report.outcome !== "stopped") return undefined;
    const problem = report.problem;
    if (problem?.code !== "MASS_DELETE_LIMIT")
      throw new InvariantViolation(`a run stopped for ${problem?.code ?? "no reason"}: ${problem?.message ?? ""}`);
    const exceeded = [...problem.message.matchAll(/(\d+) of (\d+) (SharePoint items|Confluence rows)/g)].map(
      (match) => ({
        side: match[3] === "SharePoint items" ? ("sharePoint" as const) : ("confluence" as const),
        deletes: Number(match[1]),
        total: Number(match[2]),
      }),
    );
    if (exceeded.length === 0)
      throw new InvariantViolation(
        `safe deletes: the mass-delete stop does not say what it would delete: ${problem.message}`,
      );
    return {
      kind: "stopped",
      reason: {
        code: "MASS_DELETE_LIMIT",
        message: problem.message,
        limitPercent: this.#rules.massDeleteLimitPercent,
        exceeded,
      },
      decisions: [],
    };
  }

  /** The invariants' record of one cycle, from the replicas before and after it and what the engine staged. */
  #record(input: {
    cycle: number;
    plan: ReadyPlan | StoppedPlan;
    read: WorldSnapshot;
    after: WorldSnapshot;
    staged: ReadonlyMap<string, unknown>;
    claimed: Set<string>;
    report: RunReport;
    last: boolean;
    events: readonly PersonEvent[];
  }): SyncRunRecord {
    const { cycle, plan, read, after, staged, claimed, report, last, events } = input;
    const rowUids = read.rows.map((row) => row.uid);
    const base = {
      plan: plan as Plan,
      readSnapshot: read,
      dryRunPlan: plan as Plan,
      rowUids,
      totalsAtRead: { sharePoint: read.items.size, confluence: read.rows.length },
      concurrentEvents: events,
      crashed: last && report.outcome === "failed",
    };
    if (plan.kind === "stopped") {
      return {
        ...base,
        created: [],
        linked: [],
        applied: { sharePointItems: new Map(), pageWritten: false },
        createOutcomeUnknown: false,
      };
    }

    const outcomes: StagedOpOutcome[] = [...staged.entries()]
      .filter(
        ([name, progress]) => name.startsWith(`c${cycle}.progress.`) && (progress as BatchProgress).kind === "done",
      )
      .flatMap(([, progress]) => (progress as Extract<BatchProgress, { kind: "done" }>).outcomes);
    const sharePointItems = new Map<string, SharePointOpOutcome>();
    for (const outcome of outcomes)
      if (outcome.kind !== "create") sharePointItems.set(outcome.sharePointId, outcome.result);

    // Items the sync created: those its outcomes name, then any other item the app created since the read (a create
    // whose answer the run never recorded), matched to the plan's creates by the values they hold.
    const rowOfCreate = new Map(plan.sharePoint.creates.map((create) => [create.createRef, create.rowRef]));
    const created: { sharePointId: string; fromRow: string }[] = [];
    const unattributed = new Set(plan.sharePoint.creates.map((create) => create.createRef));
    for (const outcome of outcomes) {
      if (outcome.kind !== "create" || !outcome.result.ok) continue;
      const row = rowUids[rowOfCreate.get(outcome.createRef) ?? -1];
      if (row === undefined)
        throw new InvariantViolation(
          `exactly-once: the engine recorded a create (${outcome.createRef}) its plan did not make`,
        );
      if (claimed.has(outcome.result.sharePointId))
        throw new InvariantViolation(`exactly-once: item ${outcome.result.sharePointId} is recorded as created twice`);
      claimed.add(outcome.result.sharePointId);
      unattributed.delete(outcome.createRef);
      created.push({ sharePointId: outcome.result.sharePointId, fromRow: row });
    }
    for (const id of after.items.keys()) {
      if (read.items.has(id) || claimed.has(id) || !this.#world.createdBySync(id)) continue;
      const values = after.items.get(id)!;
      const create = plan.sharePoint.creates.find(
        (candidate) =>
          unattributed.has(candidate.createRef) &&
          Object.entries(candidate.fields).every(([field, value]) => holds(values[field], value)),
      );
      if (create === undefined)
        throw new InvariantViolation(
          `exactly-once: the sync created item ${id} (${JSON.stringify(values)}), which no create of its plan accounts for`,
        );
      unattributed.delete(create.createRef);
      claimed.add(id);
      created.push({ sharePointId: id, fromRow: rowUids[create.rowRef]! });
    }

    // Links the page update made: ids written into rows that had none, rows appended (rows nobody named before).
    const readRows = new Map(read.rows.map((row) => [row.uid, row]));
    const addedByPeople = new Set(
      events.flatMap((event) =>
        event.kind === "created" && event.entity.side === "confluence" ? [event.entity.uid] : [],
      ),
    );
    const linked: { sharePointId: string; row: string }[] = [];
    for (const row of after.rows) {
      const before = readRows.get(row.uid);
      if (row.key === null) continue;
      if (before === undefined && !addedByPeople.has(row.uid)) {
        if (!plan.confluence.appends.some((append) => append.sharePointId === row.key)) {
          throw new InvariantViolation(`exactly-once: a row for item ${row.key} appeared that the plan did not append`);
        }
        linked.push({ sharePointId: row.key, row: row.uid });
      } else if (before !== undefined && before.key === null) {
        linked.push({ sharePointId: row.key, row: row.uid });
      }
    }

    const context = staged.get(`c${cycle}.context`) as RunContext | undefined;
    const page = staged.get(`c${cycle}.page`) as PageProgress | undefined;
    const pageWritten =
      page?.result.kind === "applied" && context !== undefined && page.result.version === context.page.version + 1;
    const createUnknown =
      last && report.problem?.code === "SHAREPOINT_BATCH_FAILED" && plan.sharePoint.creates.length > 0;
    return { ...base, created, linked, applied: { sharePointItems, pageWritten }, createOutcomeUnknown: createUnknown };
  }

  /** Safe deletes, as the replicas show them: what vanished in a cycle, people deleted or the plan was allowed to. */
  #checkVanished(record: SyncRunRecord, after: WorldSnapshot): void {
    const { plan, readSnapshot: read, concurrentEvents } = record;
    const deletedByPeople = new Set(
      concurrentEvents.flatMap((event) =>
        event.kind === "deleted"
          ? [event.entity.side === "sharePoint" ? `sp:${event.entity.id}` : `cf:${event.entity.uid}`]
          : [],
      ),
    );
    const planned = plan.kind === "ready" ? plan : undefined;
    for (const id of read.items.keys()) {
      if (after.items.has(id) || deletedByPeople.has(`sp:${id}`)) continue;
      const allowed =
        this.#rules.deletes.toSharePoint === "delete" &&
        planned?.sharePoint.deletes.some((deletion) => deletion.sharePointId === id) === true;
      if (!allowed)
        throw new InvariantViolation(
          `safe deletes: item ${id} vanished during a run (policy ${this.#rules.deletes.toSharePoint}) and nobody deleted it`,
        );
    }
    const rowsAfter = new Set(after.rows.map((row) => row.uid));
    read.rows.forEach((row, rowRef) => {
      if (rowsAfter.has(row.uid) || deletedByPeople.has(`cf:${row.uid}`)) return;
      const allowed =
        this.#rules.deletes.toConfluence === "delete" &&
        planned?.confluence.removals.some((removal) => removal.rowRef === rowRef) === true;
      if (!allowed)
        throw new InvariantViolation(
          `safe deletes: row ${row.uid} (key ${row.key ?? "none"}) vanished during a run (policy ${this.#rules.deletes.toConfluence}) and nobody removed it`,
        );
    });
  }

  /**
   * What the request logs show: no item deleted unless the profile opts in, no write at all from the cycle the
   * mass-delete limit stopped (`lastCycleWrites`; an earlier cycle of the run may have written before the page changed
   * under it).
   */
  #checkWire(
    report: RunReport,
    writes: ObservedRun["writes"],
    cycles: readonly ObservedCycle[],
    lastCycleWrites: ObservedRun["writes"],
  ): void {
    const deletes = this.#h.graphCalls().filter((call) => /^\s*DELETE .* 2\d\d$/.test(call));
    if (deletes.length > 0 && this.#rules.deletes.toSharePoint !== "delete") {
      throw new InvariantViolation(
        `safe deletes: the run sent ${deletes.join(", ")} although the profile keeps deleted items`,
      );
    }
    if (report.outcome === "stopped" && (lastCycleWrites.graph.length > 0 || lastCycleWrites.confluence.length > 0)) {
      throw new InvariantViolation(
        `safe deletes: the cycle stopped by the mass-delete limit wrote ${JSON.stringify(lastCycleWrites)}`,
      );
    }
    if (cycles.length === 0 && (writes.graph.length > 0 || writes.confluence.length > 0)) {
      throw new InvariantViolation(`a run that never planned wrote ${JSON.stringify(writes)}`);
    }
  }

  /**
   * No lost update, where it is kept: every conflict of the run's last plan is in the ConflictStore (seen by this run,
   * open while flagged) and, unless the run failed, in its report, each with both values.
   */
  async #checkConflictsKept(report: RunReport, cycles: readonly ObservedCycle[]): Promise<void> {
    const plan = cycles[cycles.length - 1]?.record.plan;
    if (plan?.kind !== "ready" || plan.conflicts.length === 0) return;
    const profileKey = this.#h.profile.key;
    for (const conflict of plan.conflicts) {
      const field = conflict.kind === "field" ? conflict.field : null;
      const entry = await this.#h.state.conflicts.get(profileKey, conflictId(conflict.item, field));
      const what = `the ${conflict.kind} conflict on ${JSON.stringify(conflict.item)} ${field ?? ""}`;
      if (entry === undefined || entry.runId !== report.runId)
        throw new InvariantViolation(
          `no lost update: ${what} is not in the conflict store as seen by run ${report.runId}`,
        );
      const open = conflict.kind === "deleteVsEdit" || conflict.resolution.kind === "flagged";
      if (open && entry.status !== "open")
        throw new InvariantViolation(`no lost update: ${what} is ${entry.status} in the conflict store`);
      const expected = storedValues(conflict);
      // A flagged conflict dissolves the base, so later runs see it without one; the store keeps the base recorded
      // when the conflict opened.
      const stored = expected.base === undefined ? withoutBase(entry.values) : entry.values;
      if (!isDeepStrictEqual(stored, JSON.parse(JSON.stringify(expected)))) {
        throw new InvariantViolation(
          `no lost update: ${what} is stored with ${JSON.stringify(entry.values)}, not ${JSON.stringify(expected)}`,
        );
      }
      const reported = report.items.some((item) =>
        item.conflicts.some((entry) => {
          if (conflict.kind === "deleteVsEdit")
            return entry.cause === "deleteVsEdit" && entry.deletedIn === conflict.deletedIn;
          return (
            entry.field === conflict.field &&
            sameValue(entry.sharePoint, conflict.sharePoint.value) &&
            sameValue(entry.confluence, conflict.confluence.value)
          );
        }),
      );
      // A run that failed for good reports the failure, not its items: its conflicts are in the store.
      if (!reported && report.itemsOmitted === undefined && report.outcome !== "failed")
        throw new InvariantViolation(`no lost update: ${what} is not in the run report with both values`);
    }
  }
}

/** Runs without faults that may follow a run that ended unsure before the engine must have recovered. */
const MAX_CLEAN_RERUNS = 2;

/** Whether the run ended unsure of what it wrote: Durable (or the next scheduled run) runs again before anyone edits. */
function needsRerun(report: RunReport): boolean {
  return report.outcome === "failed" || report.problem?.code === "SHAREPOINT_BATCH_FAILED";
}

function holds(reading: { ok: boolean; value?: CanonicalValue } | undefined, value: CanonicalValue): boolean {
  return reading?.ok === true && fieldHash(reading.value ?? null) === fieldHash(value);
}

function sameValue(reported: CanonicalValue | undefined, value: CanonicalValue | undefined): boolean {
  return canonicalJson((reported ?? null) as never) === canonicalJson((value ?? null) as never);
}

/** The values the conflict log keeps for a conflict (see conflictLog.ts): both sides' values, and the base. */
function storedValues(conflict: ConflictRecord): Record<string, unknown> {
  if (conflict.kind === "deleteVsEdit") {
    const survivor = conflict.deletedIn === "sharePoint" ? "confluence" : "sharePoint";
    return {
      [survivor]: Object.fromEntries(
        conflict.edits.map((edit) => [edit.field, edit.value.ok ? (edit.value.value ?? null) : null]),
      ),
    };
  }
  return {
    ...(conflict.sharePoint.value === undefined ? {} : { sharePoint: conflict.sharePoint.value }),
    ...(conflict.confluence.value === undefined ? {} : { confluence: conflict.confluence.value }),
    ...(conflict.base?.value === undefined ? {} : { base: conflict.base.value }),
  };
}

function withoutBase(values: Record<string, unknown>): Record<string, unknown> {
  const { base: _base, ...sides } = values;
  return sides;
}

/** Which rows of which state table differ, briefly. */
function describeChange(before: PartitionRows, after: PartitionRows): string {
  const changed = (Object.keys(before) as (keyof PartitionRows)[]).filter(
    (table) => !isDeepStrictEqual(before[table], after[table]),
  );
  return changed.map((table) => `${table}: ${before[table].length} → ${after[table].length} rows`).join("; ");
}

/** The cycle's plan as the engine staged it: the plan document, its decisions and its state updates (see StagedRun). */
function stagedPlan(staged: ReadonlyMap<string, unknown>, cycle: number): ReadyPlan | undefined {
  const plan = staged.get(`c${cycle}.plan`) as ReadyPlan | undefined;
  const decisions = staged.get(`c${cycle}.decisions`) as ReadyPlan["decisions"] | undefined;
  if (plan === undefined || decisions === undefined) return plan;
  const updates = (name: string) => (staged.get(`c${cycle}.stateUpdates.${name}`) ?? []) as ReadyPlan["stateUpdates"];
  return { ...plan, decisions, stateUpdates: [...updates("awaitingSharePoint"), ...updates("awaitingPage")] };
}

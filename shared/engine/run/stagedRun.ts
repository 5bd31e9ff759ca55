import type { RunStagingStore } from "../../state/runStagingStore";
import { type ItemStateUpdate, type ReadyPlan, writesAwaited } from "../../sync";
import type { RunRef } from "./runContract";
import { RunStagingMissing } from "./runStagingMissing";
import type { BatchProgress, PageProgress, RunCarry, RunContext, StagedBatch } from "./stagedDocuments";

/**
 * One cycle of one run's staged documents, typed. Activities pass only the run reference; everything else they need
 * comes from here.
 */
export class StagedRun {
  readonly #store: RunStagingStore;
  readonly #ref: RunRef;
  readonly #now: () => string;

  constructor(store: RunStagingStore, ref: RunRef, now: () => string) {
    this.#store = store;
    this.#ref = ref;
    this.#now = now;
  }

  get #run() {
    return { profileKey: this.#ref.profileKey, runId: this.#ref.runId };
  }

  #name(document: string): string {
    return `c${this.#ref.cycle}.${document}`;
  }

  async #required<T>(document: string): Promise<T> {
    const value = await this.#store.get<T>(this.#run, this.#name(document));
    if (value === undefined)
      throw new RunStagingMissing(this.#ref.profileKey, this.#ref.runId, `${document} of cycle ${this.#ref.cycle}`);
    return value;
  }

  context(): Promise<RunContext> {
    return this.#required("context");
  }

  /** The context, or undefined when the run is no longer staged (committed and cleaned up). */
  contextIfStaged(): Promise<RunContext | undefined> {
    return this.#store.get(this.#run, this.#name("context"));
  }

  putContext(context: RunContext): Promise<void> {
    return this.#store.put(this.#run, this.#name("context"), context, this.#now());
  }

  /** The cycle's plan, whole (its state updates as `planToStage` left them, each without `before`). */
  async plan(): Promise<ReadyPlan> {
    const [plan, decisions, sharePoint, page] = await Promise.all([
      this.#required<ReadyPlan>("plan"),
      this.#store.get<ReadyPlan["decisions"]>(this.#run, this.#name("decisions")),
      this.#store.get<ReadyPlan["stateUpdates"]>(this.#run, this.#name("stateUpdates.awaitingSharePoint")),
      this.#store.get<ReadyPlan["stateUpdates"]>(this.#run, this.#name("stateUpdates.awaitingPage")),
    ]);
    // A plan staged whole (by a version before the split) carries its decisions and state updates itself.
    if (decisions === undefined) return plan;
    return { ...plan, decisions, stateUpdates: [...(sharePoint ?? []), ...(page ?? [])] };
  }

  /**
   * What the page update needs of the plan: its writes and the state updates that await a SharePoint write (phase
   * 1); not its decisions (the report's business) nor the state updates only the page update settles.
   */
  async planForPage(): Promise<ReadyPlan> {
    const [plan, sharePoint] = await Promise.all([
      this.#required<ReadyPlan>("plan"),
      this.#store.get<ReadyPlan["stateUpdates"]>(this.#run, this.#name("stateUpdates.awaitingSharePoint")),
    ]);
    return sharePoint === undefined ? plan : { ...plan, stateUpdates: sharePoint };
  }

  /**
   * Stages the plan in three documents, so each activity reads only what it needs: the writes and reports (`plan`),
   * the decisions (`decisions`, for the run report), and the state updates by the first write they await
   * (`stateUpdates.awaitingSharePoint`, `stateUpdates.awaitingPage`), without `before`, which nothing after planning reads.
   */
  async putPlan(plan: ReadyPlan): Promise<void> {
    const stateUpdates = plan.stateUpdates.map((update) => ({ ...update, before: null }));
    const awaitsSharePoint = (update: ItemStateUpdate) => writesAwaited(update).has("sharePointWrite");
    await Promise.all([
      this.#store.put(this.#run, this.#name("plan"), { ...plan, decisions: [], stateUpdates: [] }, this.#now()),
      this.#store.put(this.#run, this.#name("decisions"), plan.decisions, this.#now()),
      this.#store.put(
        this.#run,
        this.#name("stateUpdates.awaitingSharePoint"),
        stateUpdates.filter(awaitsSharePoint),
        this.#now(),
      ),
      this.#store.put(
        this.#run,
        this.#name("stateUpdates.awaitingPage"),
        stateUpdates.filter((update) => !awaitsSharePoint(update)),
        this.#now(),
      ),
    ]);
  }

  batch(batchId: string): Promise<StagedBatch> {
    return this.#required(`batch.${checkedBatchId(batchId)}`);
  }

  putBatch(batch: StagedBatch): Promise<void> {
    return this.#store.put(this.#run, this.#name(`batch.${checkedBatchId(batch.batchId)}`), batch, this.#now());
  }

  async progress(batchId: string): Promise<BatchProgress | undefined> {
    const stored = await this.#store.get<StoredProgress>(this.#run, this.#name(`progress.${checkedBatchId(batchId)}`));
    return stored === undefined ? undefined : batchProgressOf(stored);
  }

  putProgress(batchId: string, progress: BatchProgress): Promise<void> {
    return this.#store.put(this.#run, this.#name(`progress.${checkedBatchId(batchId)}`), progress, this.#now());
  }

  /** Every batch's progress, by batch id. */
  async allProgress(): Promise<Map<string, BatchProgress>> {
    const prefix = this.#name("progress.");
    const documents = await this.#store.list<StoredProgress>(this.#run, prefix);
    return new Map(documents.map(({ name, value }) => [name.slice(prefix.length), batchProgressOf(value)]));
  }

  /** The item state versions as the cycle's last state commit left them. */
  async versions(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.#required<Record<string, string>>("versions")));
  }

  putVersions(versions: ReadonlyMap<string, string>): Promise<void> {
    return this.#store.put(this.#run, this.#name("versions"), Object.fromEntries(versions), this.#now());
  }

  page(): Promise<PageProgress | undefined> {
    return this.#store.get(this.#run, this.#name("page"));
  }

  putPage(progress: PageProgress): Promise<void> {
    return this.#store.put(this.#run, this.#name("page"), progress, this.#now());
  }

  async carry(): Promise<RunCarry> {
    return (await this.#store.get<RunCarry>(this.#run, "run.carry")) ?? { cycles: [] };
  }

  putCarry(carry: RunCarry): Promise<void> {
    return this.#store.put(this.#run, "run.carry", carry, this.#now());
  }

  /** Removes everything the run staged, every cycle. */
  async clear(): Promise<void> {
    await this.#store.clearRun(this.#run);
  }
}

function checkedBatchId(batchId: string): string {
  if (!/^b\d{4,}$/.test(batchId)) throw new RangeError(`"${batchId}" is not a batch id of this engine`);
  return batchId;
}

/** Progress as stored; documents staged before the union tags were named `kind` carry `status` instead. */
type StoredProgress = BatchProgress | { readonly status: BatchProgress["kind"]; readonly kind?: undefined };

/**
 * A run in flight across an upgrade must still see that its batch was being sent (else it would send it again
 * without looking for its writes first), so the older tag is read as the new one.
 */
function batchProgressOf(stored: StoredProgress): BatchProgress {
  if (stored.kind !== undefined) return stored;
  const { status, ...rest } = stored as { status: BatchProgress["kind"] } & Record<string, unknown>;
  return { ...rest, kind: status } as BatchProgress;
}

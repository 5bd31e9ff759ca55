import type { RunStagingStore } from "../../state/runStagingStore";
import { type ItemStateUpdate, type ReadyPlan, writesAwaited } from "../../sync";
import { CycleDocuments } from "./cycleDocuments";
import type { RunRef } from "./runContract";
import type { BatchProgress, PageProgress, RunCarry, RunContext, StagedBatch } from "./stagedDocuments";

/**
 * One cycle of one run's staged documents, typed. Activities pass only the run reference; everything else they need
 * comes from here.
 */
export class StagedRun {
  readonly #documents: CycleDocuments;

  constructor(store: RunStagingStore, ref: RunRef, now: () => string) {
    this.#documents = new CycleDocuments(store, ref, now);
  }

  context(): Promise<RunContext> {
    return this.#documents.required("context");
  }

  /** The context, or undefined when the run is no longer staged (committed and cleaned up). */
  contextIfStaged(): Promise<RunContext | undefined> {
    return this.#documents.get("context");
  }

  putContext(context: RunContext): Promise<void> {
    return this.#documents.put("context", context);
  }

  /** The cycle's plan, whole (its state updates as `planToStage` left them, each without `before`). */
  async plan(): Promise<ReadyPlan> {
    const [plan, decisions, sharePoint, page] = await Promise.all([
      this.#documents.required<ReadyPlan>("plan"),
      this.#documents.get<ReadyPlan["decisions"]>("decisions"),
      this.#documents.get<ReadyPlan["stateUpdates"]>("stateUpdates.awaitingSharePoint"),
      this.#documents.get<ReadyPlan["stateUpdates"]>("stateUpdates.awaitingPage"),
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
      this.#documents.required<ReadyPlan>("plan"),
      this.#documents.get<ReadyPlan["stateUpdates"]>("stateUpdates.awaitingSharePoint"),
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
      this.#documents.put("plan", { ...plan, decisions: [], stateUpdates: [] }),
      this.#documents.put("decisions", plan.decisions),
      this.#documents.put("stateUpdates.awaitingSharePoint", stateUpdates.filter(awaitsSharePoint)),
      this.#documents.put(
        "stateUpdates.awaitingPage",
        stateUpdates.filter((update) => !awaitsSharePoint(update)),
      ),
    ]);
  }

  batch(batchId: string): Promise<StagedBatch> {
    return this.#documents.required(`batch.${checkedBatchId(batchId)}`);
  }

  putBatch(batch: StagedBatch): Promise<void> {
    return this.#documents.put(`batch.${checkedBatchId(batch.batchId)}`, batch);
  }

  async progress(batchId: string): Promise<BatchProgress | undefined> {
    const stored = await this.#documents.get<StoredProgress>(`progress.${checkedBatchId(batchId)}`);
    return stored === undefined ? undefined : batchProgressOf(stored);
  }

  putProgress(batchId: string, progress: BatchProgress): Promise<void> {
    return this.#documents.put(`progress.${checkedBatchId(batchId)}`, progress);
  }

  /** Every batch's progress, by batch id. */
  async allProgress(): Promise<Map<string, BatchProgress>> {
    const documents = await this.#documents.list<StoredProgress>("progress.");
    return new Map([...documents].map(([batchId, stored]) => [batchId, batchProgressOf(stored)]));
  }

  /** The item state versions as the cycle's last state commit left them. */
  async versions(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.#documents.required<Record<string, string>>("versions")));
  }

  putVersions(versions: ReadonlyMap<string, string>): Promise<void> {
    return this.#documents.put("versions", Object.fromEntries(versions));
  }

  page(): Promise<PageProgress | undefined> {
    return this.#documents.get("page");
  }

  putPage(progress: PageProgress): Promise<void> {
    return this.#documents.put("page", progress);
  }

  async carry(): Promise<RunCarry> {
    return (await this.#documents.getOfRun<RunCarry>("run.carry")) ?? { cycles: [] };
  }

  putCarry(carry: RunCarry): Promise<void> {
    return this.#documents.putOfRun("run.carry", carry);
  }

  /** Removes everything the run staged, every cycle. */
  async clear(): Promise<void> {
    await this.#documents.clearRun();
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

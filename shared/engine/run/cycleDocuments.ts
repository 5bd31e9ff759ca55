import type { RunStagingStore } from "../../state/runStagingStore";
import type { RunRef } from "./runContract";
import { RunStagingMissing } from "./runStagingMissing";

/**
 * One cycle's staged documents by name: how a document of cycle n is named (`c{n}.{document}`) and what a missing one
 * means. Table mode's `StagedRun` and pages mode's `PagesStagedRun` are typed views over the same documents, so both
 * name them alike and a run staged by one is cleared by the other.
 */
export class CycleDocuments {
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

  /** The document, or undefined when it is not staged. */
  get<T>(document: string): Promise<T | undefined> {
    return this.#store.get<T>(this.#run, this.#name(document));
  }

  /**
   * The document; its absence means the run's staging was lost or cleared, which no activity can repair, so it is a
   * typed error naming the run and the document rather than an undefined to guess from.
   */
  async required<T>(document: string): Promise<T> {
    const value = await this.get<T>(document);
    if (value === undefined)
      throw new RunStagingMissing(this.#ref.profileKey, this.#ref.runId, `${document} of cycle ${this.#ref.cycle}`);
    return value;
  }

  put(document: string, value: unknown): Promise<void> {
    return this.#store.put(this.#run, this.#name(document), value, this.#now());
  }

  /** Every document of this cycle whose name starts with `prefix`, by the rest of its name. */
  async list<T>(prefix: string): Promise<Map<string, T>> {
    const full = this.#name(prefix);
    const documents = await this.#store.list<T>(this.#run, full);
    return new Map(documents.map(({ name, value }) => [name.slice(full.length), value]));
  }

  /** A document of the whole run, not of one cycle (what one cycle carries to the next). */
  getOfRun<T>(name: string): Promise<T | undefined> {
    return this.#store.get<T>(this.#run, name);
  }

  putOfRun(name: string, value: unknown): Promise<void> {
    return this.#store.put(this.#run, name, value, this.#now());
  }

  /** Removes everything the run staged, every cycle. */
  async clearRun(): Promise<void> {
    await this.#store.clearRun(this.#run);
  }
}

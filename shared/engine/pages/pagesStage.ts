import type { PagesProfile } from "../../config/profile";
import type { ItemLink, PageRecord, PendingItem } from "../../state/pageLinkStore";
import type { RunStagingStore } from "../../state/runStagingStore";
import type { PagesCursor, PagesSetup } from "../../state/syncCursorStore";
import type { CanonicalValue, HeldChange } from "../../sync";
import type { CodecInputs } from "../codecInputs";
import { CycleDocuments } from "../run/cycleDocuments";
import type { RunRef } from "../run/runContract";
import type { ApiCalls, RunItemReport, RunProblem } from "../run/runReport";

/**
 * The documents a pages-mode cycle stages besides the table-mode ones it shares (context, plan, SharePoint batches
 * and their progress; docs/engine.md#staged-documents): the page jobs, each job's progress, the backlinks, and what the
 * commit needs (`c{cycle}.pages`).
 */

/** One page write of the run: an activity of its own (docs/pages-mode.md §9). */
export type PageJob =
  | {
      /** Write changed values into the page's block (version n + 1), and the link property when it has none of ours. */
      readonly kind: "update";
      readonly jobId: string;
      readonly itemId: string;
      readonly pageId: string;
      readonly title: string;
      /** The version read: the write makes `version + 1`. */
      readonly version: number;
      /** The body as read. */
      readonly storage: string;
      /** New values by field (empty when only the link is written). */
      readonly values: Readonly<Record<string, CanonicalValue>>;
      readonly writeProperty: boolean;
    }
  | {
      /** Move the page to the trash (`deletes.toConfluence: delete`). */
      readonly kind: "trash";
      readonly jobId: string;
      readonly itemId: string;
      readonly pageId: string;
    }
  | {
      /** Create the item's page from the template (docs/pages-mode.md §6). */
      readonly kind: "create";
      readonly jobId: string;
      readonly itemId: string;
      readonly title: string;
      readonly collisionTitle: string;
      /** Every mapped field's value (unset ones keep the template's cell). */
      readonly values: Readonly<Record<string, CanonicalValue>>;
      /**
       * An earlier attempt may have created the page: look these titles up under the parent before creating (the
       * planned title, and the one an earlier run announced).
       */
      readonly lookupTitles: readonly string[];
    };

/** A cell the page could not show: left as it was, its base does not move. */
export interface RejectedPageCell {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

/** What became of a page job (`c{cycle}.pagejob.{jobId}.done`). */
export type PageJobOutcome =
  | {
      readonly kind: "written";
      readonly itemId: string;
      readonly pageId: string;
      /** The version the write made; the version read when nothing needed writing. */
      readonly version: number;
      readonly rejected: readonly RejectedPageCell[];
    }
  | {
      readonly kind: "created";
      readonly itemId: string;
      readonly pageId: string;
      readonly version: number;
      readonly title: string;
      /** The page's address, for the URL column. */
      readonly url: string | null;
      /** Found from an earlier attempt instead of created now. */
      readonly adopted: boolean;
      readonly rejected: readonly RejectedPageCell[];
    }
  | { readonly kind: "trashed"; readonly itemId: string; readonly pageId: string }
  /** Someone saved the page after it was read: nothing written; the next run reads it again. */
  | { readonly kind: "versionConflict"; readonly itemId: string; readonly pageId: string }
  /** The page answered 404 (trashed or hidden meanwhile): nothing written; a sweep follows. */
  | { readonly kind: "gone"; readonly itemId: string; readonly pageId: string }
  /** Not attempted: the profile's points share is spent, or a quota 429 stopped Confluence calls. */
  | {
      readonly kind: "deferred";
      readonly itemId: string;
      readonly pageId: string | null;
      readonly reason: string;
      /** A quota 429 stopped Confluence calls until then. */
      readonly until?: string;
    }
  | { readonly kind: "failed"; readonly itemId: string; readonly pageId: string | null; readonly problem: RunProblem };

/** A job's progress: `sending` is staged before a create goes out, so a retry looks for the page first. */
export type PageJobProgress =
  | { readonly kind: "sending" }
  | { readonly kind: "done"; readonly outcome: PageJobOutcome; readonly apiCalls: ApiCalls; readonly points: number };

/** A page id (and URL) to write into an item's columns. */
export interface Backlink {
  readonly itemId: string;
  readonly pageId: string;
  readonly url: string | null;
}

/** What the backlink activity did (`c{cycle}.backlinks`). */
export interface BacklinkProgress {
  /** Items written, with the eTag the write gave them: the state keeps it, so the write's echo is recognised. */
  readonly written: readonly {
    readonly itemId: string;
    readonly eTag: string | null;
    readonly modifiedAt: string | null;
  }[];
  readonly failed: readonly { readonly itemId: string; readonly problem: RunProblem }[];
  readonly apiCalls: ApiCalls;
}

/** A page read this run: the version its body was read at, for `seenVersion`. */
export interface PageSeen {
  readonly pageId: string;
  readonly itemId: string | null;
  readonly version: number;
}

/** What a pages-mode cycle prepared for its later activities (`c{cycle}.pages`). */
export interface PagesCycle {
  readonly profile: PagesProfile;
  readonly jobIds: readonly string[];
  /** The item of each job, for jobs whose activity failed for good (no outcome staged). */
  readonly jobItems: Readonly<Record<string, string>>;
  /** The items the run looked at: only their conflicts can be settled by it. */
  readonly considered: readonly string[];
  /** Link rows found this run (pages read for the first time, copies, pairs found by column, property or matchBy). */
  readonly records: readonly PageRecord[];
  readonly links: readonly ItemLink[];
  readonly pagesSeen: readonly PageSeen[];
  /** Backlinks known before any page job (a column that disagrees with the link). */
  readonly backlinks: readonly Backlink[];
  /** Items already pending when the run began (cleared if the run settles them). */
  readonly pendingBefore: readonly string[];
  /** Items the run could not settle whatever its writes do (deferred creates, unreadable pages, …). */
  readonly pending: readonly PendingItem[];
  readonly held: readonly HeldChange[];
  /** Report entries of pages mode's own (copies, unlinked pages, item pages that cannot be read). */
  readonly reports: readonly RunItemReport[];
  /** The cursor the commit stores (its `points` move on by what the later activities spend). */
  readonly cursor: PagesCursor;
}

/**
 * What every page job of a cycle needs, and nothing that grows with the run (`c{cycle}.pagejobs`): each job reads it,
 * so a run of N jobs reads N small documents, not N copies of the cycle.
 */
export interface PageJobsContext {
  readonly profile: PagesProfile;
  readonly codecInputs: CodecInputs;
  readonly setup: PagesSetup;
  readonly template?: { readonly storage: string; readonly version: number };
}

/** A pages-mode cycle's own staged documents, typed (next to `StagedRun`'s shared ones). */
export class PagesStagedRun {
  readonly #documents: CycleDocuments;

  constructor(store: RunStagingStore, ref: RunRef, now: () => string) {
    this.#documents = new CycleDocuments(store, ref, now);
  }

  cycle(): Promise<PagesCycle> {
    return this.#documents.required("pages");
  }

  cycleIfStaged(): Promise<PagesCycle | undefined> {
    return this.#documents.get("pages");
  }

  putCycle(cycle: PagesCycle): Promise<void> {
    return this.#documents.put("pages", cycle);
  }

  jobsContext(): Promise<PageJobsContext> {
    return this.#documents.required("pagejobs");
  }

  putJobsContext(context: PageJobsContext): Promise<void> {
    return this.#documents.put("pagejobs", context);
  }

  job(jobId: string): Promise<PageJob> {
    return this.#documents.required(`pagejob.${checkedJobId(jobId)}`);
  }

  putJob(job: PageJob): Promise<void> {
    return this.#documents.put(`pagejob.${checkedJobId(job.jobId)}`, job);
  }

  progress(jobId: string): Promise<PageJobProgress | undefined> {
    return this.#documents.get(`pagedone.${checkedJobId(jobId)}`);
  }

  putProgress(jobId: string, progress: PageJobProgress): Promise<void> {
    return this.#documents.put(`pagedone.${checkedJobId(jobId)}`, progress);
  }

  /** Every job's progress, by job id. */
  allProgress(): Promise<Map<string, PageJobProgress>> {
    return this.#documents.list<PageJobProgress>("pagedone.");
  }

  backlinks(): Promise<BacklinkProgress | undefined> {
    return this.#documents.get("backlinks");
  }

  putBacklinks(progress: BacklinkProgress): Promise<void> {
    return this.#documents.put("backlinks", progress);
  }
}

/** Job ids are `j` and four or more digits: safe in a staged document's name. */
export function jobIdOf(index: number): string {
  return `j${String(index).padStart(4, "0")}`;
}

function checkedJobId(jobId: string): string {
  if (!/^j\d{4,}$/.test(jobId)) throw new RangeError(`"${jobId}" is not a page job id of this engine`);
  return jobId;
}

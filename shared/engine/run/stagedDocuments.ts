import type { Profile } from "../../config/profile";
import type { CanonicalValue, CreateRef, FieldKey, SharePointCreateOutcome, SharePointOpOutcome } from "../../sync";
import type { CodecInputs } from "../codecInputs";
import type { ApplyConfluencePageResult } from "./runContract";
import type { ApiCalls, RunCounts, RunItemReport, RunProblem, SyncTrigger } from "./runReport";

/** What `prepareRun` stages for the rest of its cycle (document `c{cycle}.context`). */
export interface RunContext {
  /** The profile as validated when the cycle started: every activity of the cycle works with this one. */
  readonly profile: Profile;
  readonly codecInputs: CodecInputs;
  /** The page as read: the update is made on top of exactly this body and version. */
  readonly page: {
    readonly id: string;
    readonly title: string;
    readonly version: number;
    readonly storage: string;
    readonly editedAt: string;
  };
  /** The delta link the cycle's read ended at, and the `$select` it was opened with. */
  readonly readLink: string;
  readonly select: readonly string[];
  readonly fieldSamples: Readonly<Record<string, unknown>>;
  /** The cursor row's version when read (`null`: there was none), to store the new link over. */
  readonly cursorVersion: string | null;
  /** The highest SharePoint item id the cycle knew of: items created by its writes have higher ones. */
  readonly maxItemIdAtRead: number;
  readonly trigger: SyncTrigger;
  readonly startedAt: string;
  /** Calls `prepareRun` made. */
  readonly apiCalls: ApiCalls;
  /** Report entries found while reading (rows whose key is not an item id). */
  readonly readProblems: readonly RunItemReport[];
  readonly batchIds: readonly string[];
  /** Items whose SharePoint gate was closed as last read (docs/pages-mode.md §5), kept in the cursor. */
  readonly sharePointGateClosed?: readonly string[];
}

/** One SharePoint operation of a staged batch, with the canonical values to write. */
export type StagedOp =
  | {
      readonly kind: "create";
      readonly createRef: CreateRef;
      readonly rowRef: number;
      readonly fields: Readonly<Record<FieldKey, CanonicalValue>>;
    }
  | {
      readonly kind: "update";
      readonly sharePointId: string;
      readonly ifMatch: string;
      readonly fields: Readonly<Record<FieldKey, CanonicalValue>>;
    }
  | { readonly kind: "delete"; readonly sharePointId: string; readonly ifMatch: string };

/** At most 20 operations: one Graph `$batch` (document `c{cycle}.batch.{batchId}`). */
export interface StagedBatch {
  readonly batchId: string;
  readonly ops: readonly StagedOp[];
}

/** A field SharePoint cannot hold or the page cannot show: left out of the write, its base does not move. */
export interface RefusedField {
  readonly field: FieldKey;
  readonly code: string;
  readonly message: string;
}

/** What became of one staged operation. */
export type StagedOpOutcome =
  | {
      readonly kind: "create";
      readonly createRef: CreateRef;
      readonly result: SharePointCreateOutcome;
      readonly refused: readonly RefusedField[];
      readonly problem?: RunProblem;
    }
  | {
      readonly kind: "update" | "delete";
      readonly sharePointId: string;
      readonly result: SharePointOpOutcome;
      readonly refused: readonly RefusedField[];
      readonly problem?: RunProblem;
    };

/**
 * A batch's progress (document `c{cycle}.progress.{batchId}`): `sending` is staged before the `$batch` goes out, so
 * a retried activity knows the writes may have happened and looks for them before sending again.
 */
export type BatchProgress =
  | { readonly kind: "sending" }
  | {
      readonly kind: "done";
      readonly outcomes: readonly StagedOpOutcome[];
      readonly apiCalls: ApiCalls;
      readonly recovered: number;
    };

/** A cell the page update left as it was because the page cannot show the value; keyed like refusals. */
export interface RejectedCell extends RefusedField {
  /** The SharePoint id, or the create's ref, of the item whose cell it is. */
  readonly target: string;
}

/** What the page update did (document `c{cycle}.page`). */
export interface PageProgress {
  readonly result: ApplyConfluencePageResult;
  readonly rejected: readonly RejectedCell[];
  /** Cells and key write-backs left out because the SharePoint create they belong to failed. */
  readonly skipped: number;
  readonly apiCalls: ApiCalls;
}

/** What earlier cycles of the run did (document `run.carry`), so the last cycle's report covers the whole run. */
export interface RunCarry {
  readonly cycles: readonly {
    readonly cycle: number;
    readonly counts: RunCounts;
    readonly items: readonly RunItemReport[];
    readonly apiCalls: ApiCalls;
  }[];
}

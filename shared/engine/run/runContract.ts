import type { PlannedWrites } from "./runProgress";
import type { RunOutcome, RunProblem, RunReport, SyncTrigger } from "./runReport";

export type { RunOutcome, RunProblem, RunReport, SyncTrigger } from "./runReport";

/**
 * The contract between the orchestrators (which only sequence work) and the activities (which do all the I/O).
 *
 * Activities exchange references — profile key, run id, cycle, batch id — never big payloads: what one activity
 * prepares for the next (the plan, per-batch outcomes) is staged in Table Storage under the run id. Expected
 * outcomes come back as tagged results; activities throw only for failures worth retrying (throttling, outages),
 * which Durable retries with `ACTIVITY_RETRY` on top of each client's own bounded HTTP retries.
 */

/** Names the activities are registered under (functions/) and looked up by in the local host. */
export const ActivityName = {
  /** The enabled profiles' keys, for the scheduled fan-out. */
  listActiveProfiles: "listActiveProfiles",
  /** Validate the profile, read both sides and the state, plan; stage the plan (unless dry run). */
  prepareRun: "prepareRun",
  /** Apply one staged SharePoint `$batch` (≤ 20 operations) and stage its per-operation outcomes. */
  applySharePointBatch: "applySharePointBatch",
  /** Apply the run's one Confluence page update (version n+1), using the staged SharePoint outcomes. */
  applyConfluencePage: "applyConfluencePage",
  /** Commit the state that the applied writes justify, the delta link, conflicts and the run record. */
  commitRun: "commitRun",
  /** Record a run that ended by an activity failing for good (retries exhausted), so diagnostics show it. */
  recordRunFailure: "recordRunFailure",
  /** Pages mode: one page write, trash or create (docs/pages-mode.md §9), idempotent on retry. */
  applyPageWrite: "applyPageWrite",
  /** Pages mode: the page ids (and URLs) of pages created or paired this run, into their items, in `$batch`es. */
  linkCreatedPages: "linkCreatedPages",
  /** Pages mode: commit the state, the link rows, the cursor, conflicts and the run record. */
  commitPagesRun: "commitPagesRun",
} as const;
export type ActivityName = (typeof ActivityName)[keyof typeof ActivityName];

export const OrchestratorName = {
  syncProfile: "syncProfile",
  syncAllProfiles: "syncAllProfiles",
  /** Pages mode: one chunk of a run's page jobs, each its own activity (docs/pages-mode.md §9). */
  syncPageJobs: "syncPageJobs",
} as const;

/** Input of the `syncProfile` orchestration. */
export interface SyncProfileInput {
  profileKey: string;
  dryRun: boolean;
  trigger: SyncTrigger;
}

/** Input of the `syncAllProfiles` orchestration. */
export interface SyncAllProfilesInput {
  trigger: SyncTrigger;
  /**
   * Profiles whose own run (`sync-{key}`) was busy when the fan-out was started: they are skipped, not started as
   * sub-orchestrations, because a sub-orchestration whose id a running instance holds is not reliably refused (on
   * the Azure Storage backend its start is dropped and the parent would wait for ever). The run in flight covers them.
   */
  busyProfileKeys?: string[];
  /** How long the fan-out waits for one profile's run, ms (default PROFILE_RUN_DEADLINE_MS). */
  profileRunDeadlineMs?: number;
}

/**
 * How long the scheduled fan-out waits for one profile's run before reporting it as `deadlinePassed` and finishing, so
 * that one stuck child (or a start the backend dropped) cannot hold every later scheduled sync back. The child keeps
 * running; only the fan-out stops waiting for it.
 */
export const PROFILE_RUN_DEADLINE_MS = 60 * 60_000;

/**
 * One profile is synced by at most one orchestration at a time: every trigger starts (or coalesces into) the
 * instance with this id.
 */
export function syncInstanceId(profileKey: string): string {
  return `sync-${profileKey}`;
}

/** The profile whose run `instanceId` is, or undefined when it is not a profile run's id. */
export function profileKeyOfSyncInstance(instanceId: string): string | undefined {
  return instanceId.startsWith("sync-") ? instanceId.slice("sync-".length) : undefined;
}

/** A run may re-read and re-plan when the page changed under it (409); this bounds how often. */
export const MAX_RUN_CYCLES = 3;

/** Identifies one cycle of one run; every activity input carries it. */
export interface RunRef {
  profileKey: string;
  runId: string;
  /** 1-based; a new cycle re-reads both sides after a page version conflict. */
  cycle: number;
}

export interface PrepareRunInput extends RunRef {
  dryRun: boolean;
  trigger: SyncTrigger;
  /** Orchestration time (from history) when the run started, ISO 8601. */
  startedAt: string;
}

export type PrepareRunResult =
  /** The profile cannot run: schema problems or missing secrets (names only). Nothing was read or written. */
  | { kind: "invalid"; missingSecrets: string[]; errors: Array<{ path: string; message: string }>; report: RunReport }
  /** A permanent failure before any write (page without the table, malformed page, dead grant, …). */
  | { kind: "failed"; problem: RunProblem; report: RunReport }
  /** The plan refused to write (mass-delete limit, duplicate keys); nothing was written, state included. */
  | { kind: "stopped"; problem: RunProblem; report: RunReport }
  /**
   * Nothing new on either side since a run that planned nothing (same page version, empty delta, same profile and
   * codec inputs): the run ends after its two reads, without loading the state; only the delta link moves on.
   */
  | { kind: "unchanged"; report: RunReport }
  /** Dry run: the plan, reported and not staged; nothing was written, state included. */
  | { kind: "dryRun"; report: RunReport }
  /**
   * The plan is staged: apply these SharePoint batches, then the page (if needed), then commit. `planned` counts its
   * writes, for the progress (absent in histories from before it).
   */
  | { kind: "planned"; sharePointBatchIds: string[]; confluenceWrite: boolean; planned?: PlannedWrites }
  /**
   * Pages mode: apply these SharePoint batches and page jobs (at most `parallelPageWrites` jobs at once), then the
   * backlinks, then commit (docs/pages-mode.md §9). `planned` counts the plan's writes, for the progress.
   */
  | {
      kind: "plannedPages";
      sharePointBatchIds: string[];
      pageJobIds: string[];
      parallelPageWrites: number;
      planned?: PlannedWrites;
    };

export interface ApplyPageWriteInput extends RunRef {
  jobId: string;
}

export interface ApplyPageWriteResult {
  jobId: string;
  /** The job's outcome kind (`written`, `created`, `trashed`, `versionConflict`, `gone`, `deferred`, `failed`). */
  outcome: string;
}

/** Input of `syncPageJobs`: the jobs of one chunk, and how many may run at once. */
export interface SyncPageJobsInput extends RunRef {
  jobIds: string[];
  parallelPageWrites: number;
}

/** Output of `syncPageJobs`: the jobs whose activity failed for good. */
export interface SyncPageJobsResult {
  failedJobIds: string[];
}

export interface CommitPagesRunInput extends RunRef {
  trigger: SyncTrigger;
  startedAt: string;
  /** Batches whose activity failed for good: their operations count as not applied. */
  failedBatchIds: string[];
  /** Page jobs whose activity failed for good: not applied (a create may have happened: the next run looks for it). */
  failedJobIds: string[];
}

export interface ApplySharePointBatchInput extends RunRef {
  batchId: string;
}

export interface ApplySharePointBatchResult {
  batchId: string;
  applied: number;
  failed: number;
}

export type ApplyConfluencePageResult =
  | { kind: "applied"; version: number }
  /** Someone edited the page after it was read: commit what SharePoint got, then run another cycle. */
  | { kind: "versionConflict"; currentVersion: number | null }
  | { kind: "failed"; problem: RunProblem };

export interface CommitRunInput extends RunRef {
  trigger: SyncTrigger;
  startedAt: string;
  /** What happened to the page update; `notAttempted` when the plan had no Confluence writes. */
  confluence: ApplyConfluencePageResult["kind"] | "notAttempted";
  /** Batches whose activity failed for good (retries exhausted): their operations count as not applied. */
  failedBatchIds: string[];
  /** When this cycle is the last one the run may make. */
  finalCycle: boolean;
}

export interface RecordRunFailureInput extends RunRef {
  dryRun: boolean;
  trigger: SyncTrigger;
  startedAt: string;
  finishedAt: string;
  /** The stage that failed and the error as the orchestrator saw it (already free of secrets). */
  problem: RunProblem;
}

export interface CommitRunResult {
  report: RunReport;
}

/** Final output of `syncAllProfiles`. */
export interface SyncAllProfilesResult {
  profiles: Array<{ profileKey: string; outcome: ProfileFanOutOutcome; problem?: RunProblem }>;
}

/**
 * What the fan-out saw of one profile: the run's own outcome; `notStarted` (its orchestration failed, with the
 * problem); `alreadyRunning` (skipped: a run of its own was in flight); `deadlinePassed` (no answer within the
 * deadline; the run may still be going).
 */
export type ProfileFanOutOutcome = RunOutcome | "notStarted" | "alreadyRunning" | "deadlinePassed";

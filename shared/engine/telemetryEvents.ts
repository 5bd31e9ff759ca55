import type { TelemetryEvent } from "../runtime";
import type { OpenConflictSummary } from "../state/conflictStore";
import { TOKEN_REFRESH_OUTCOMES, type TokenRefreshRecord } from "../state/tokenRefreshHistory";
import type { RunOutcome, RunReport, SyncTrigger } from "./run/runReport";

/**
 * The events operators query (docs/operations.md#application-insights): their names and every column each can carry.
 * The alert rules and the workbook in infra/ read exactly these (test/infra/telemetryQueries.test.ts holds their KQL
 * to this schema), so a rename here without one there fails the tests instead of silencing an alert.
 */
export interface TelemetryEventSchema {
  readonly name: string;
  /** Text columns (Application Insights customDimensions, Log Analytics `Properties`). */
  readonly dimensions: readonly string[];
  /** Numeric columns (customMeasurements, `Measurements`). */
  readonly measurements: readonly string[];
  /** The values a text column takes, where queries compare it with literals (`Outcome == "failed"`). */
  readonly values: Readonly<Record<string, readonly string[]>>;
}

/** Every outcome a run record can have (a dry run records nothing). */
const RECORDED_OUTCOMES = [
  "completed",
  "completedWithErrors",
  "stopped",
  "invalid",
  "failed",
] as const satisfies readonly Exclude<RunOutcome, "dryRun">[];
const TRIGGERS = ["schedule", "webhook", "manual", "cli"] as const satisfies readonly SyncTrigger[];

/** One per run that leaves a run record: every outcome but dry runs (which record nothing). */
export const RUN_ENDED_EVENT = {
  name: "ConfluenceSync.RunEnded",
  dimensions: ["Profile", "RunId", "Trigger", "Outcome", "ProblemCode", "OldestOpenConflictAt"],
  measurements: [
    "SharePointCreated",
    "SharePointUpdated",
    "SharePointDeleted",
    "ConfluenceCreated",
    "ConfluenceUpdated",
    "ConfluenceDeleted",
    "ConflictsSeen",
    "ConflictsOpened",
    "ConflictsOpen",
    "ItemErrors",
    "GraphCalls",
    "ConfluenceCalls",
    "DurationMs",
    "Cycles",
  ],
  values: { Outcome: RECORDED_OUTCOMES, Trigger: TRIGGERS },
} as const satisfies TelemetryEventSchema;

/**
 * One per Confluence token refresh, whatever its outcome (a dead grant is `reauthorization-required`), and one when a
 * rotated refresh token that could not be stored at once was stored after all (`saved-late`) or given up
 * (`unsaved-dropped`). `refreshed-unsaved` carries the store's error code and `SaveAttempts`: the grant then hangs on a
 * process's memory, which is what the unsaved-refresh-token alert watches.
 */
export const TOKEN_REFRESH_EVENT = {
  name: "ConfluenceSync.TokenRefresh",
  dimensions: ["Profile", "Outcome", "ErrorCode", "NewExpiry"],
  measurements: ["DurationMs", "SaveAttempts"],
  values: { Outcome: TOKEN_REFRESH_OUTCOMES },
} as const satisfies TelemetryEventSchema;

export const TELEMETRY_EVENTS: readonly TelemetryEventSchema[] = [RUN_ENDED_EVENT, TOKEN_REFRESH_EVENT];

type Columns<S extends TelemetryEventSchema, K extends "dimensions" | "measurements"> = S[K][number];

/**
 * The run's event, from its report and the profile's open conflicts as the run left them (undefined when they could
 * not be counted: the conflict columns are then absent rather than wrong). Only codes and counts: no problem message
 * and no value, since those can carry list and page content, which the run record holds for those allowed to read it.
 */
export function runEndedEvent(report: RunReport, conflicts: OpenConflictSummary | undefined): TelemetryEvent {
  const { counts, apiCalls } = report;
  const dimensions: Partial<Record<Columns<typeof RUN_ENDED_EVENT, "dimensions">, string>> = {
    Profile: report.profile,
    RunId: report.runId,
    Trigger: report.trigger,
    Outcome: report.outcome,
    ProblemCode: report.problem?.code ?? "",
  };
  if (conflicts?.oldestOpenedAt) dimensions.OldestOpenConflictAt = conflicts.oldestOpenedAt;
  const measurements: Partial<Record<Columns<typeof RUN_ENDED_EVENT, "measurements">, number>> = {
    SharePointCreated: counts.sharePoint.created,
    SharePointUpdated: counts.sharePoint.updated,
    SharePointDeleted: counts.sharePoint.deleted,
    ConfluenceCreated: counts.confluence.created,
    ConfluenceUpdated: counts.confluence.updated,
    ConfluenceDeleted: counts.confluence.deleted,
    ConflictsSeen: counts.conflicts,
    ItemErrors: counts.errors,
    GraphCalls: apiCalls.graph,
    ConfluenceCalls: apiCalls.confluence,
    DurationMs: Math.max(0, Date.parse(report.finishedAt) - Date.parse(report.startedAt)),
    Cycles: report.cycles,
  };
  if (conflicts) {
    measurements.ConflictsOpen = conflicts.open;
    measurements.ConflictsOpened = conflicts.openedSince;
  }
  return { name: RUN_ENDED_EVENT.name, dimensions, measurements, at: Date.parse(report.finishedAt) };
}

/** A token refresh's event: outcome, error code, new expiry, duration and failed stores (never a token). */
export function tokenRefreshEvent(record: TokenRefreshRecord): TelemetryEvent {
  const dimensions: Partial<Record<Columns<typeof TOKEN_REFRESH_EVENT, "dimensions">, string>> = {
    Profile: record.profileKey,
    Outcome: record.outcome,
  };
  if (record.errorCode !== undefined) dimensions.ErrorCode = record.errorCode;
  if (record.newExpiry !== undefined) dimensions.NewExpiry = record.newExpiry;
  const measurements: Partial<Record<Columns<typeof TOKEN_REFRESH_EVENT, "measurements">, number>> = {
    DurationMs: record.durationMs,
  };
  if (record.saveAttempts !== undefined) measurements.SaveAttempts = record.saveAttempts;
  return { name: TOKEN_REFRESH_EVENT.name, dimensions, measurements, at: Date.parse(record.at) };
}

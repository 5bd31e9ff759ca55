import type { OpenConflictSummary } from "../state/conflictStore";
import type { EngineServices } from "./engineServices";
import type { RunReport } from "./run/runReport";
import { runEndedEvent } from "./telemetryEvents";

/**
 * Emits the run's event where its record was just written (`closeRun`), so there is one event per run record. With
 * telemetry configured this costs one Table Storage query (the profile's open conflicts, `openedAt` column only) and
 * no Graph or Confluence call; without it, nothing. Telemetry never fails a run: a failed count only leaves the
 * conflict columns out. A run whose commit is retried after its record was written may emit twice with the same
 * `RunId`; the queries count runs by `RunId` (docs/operations.md#application-insights).
 */
export async function emitRunEnded(services: EngineServices, report: RunReport): Promise<void> {
  const { telemetry } = services;
  if (!telemetry.enabled || report.dryRun) return;
  let conflicts: OpenConflictSummary | undefined;
  try {
    conflicts = await services.state.conflicts.openSummary(report.profile, report.startedAt);
  } catch (error) {
    services.logger.warn("could not count the open conflicts for the run's event", {
      profile: report.profile,
      runId: report.runId,
      message: error instanceof Error ? error.message : String(error),
    });
  }
  telemetry.emit(runEndedEvent(report, conflicts));
  // Sent before the activity returns: a Functions instance may be reclaimed once its invocations are done.
  await telemetry.flush();
}

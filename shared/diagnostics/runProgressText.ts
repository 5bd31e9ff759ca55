import type { RunProgress, StepCount } from "../engine/run/runProgress";

/**
 * Where a run is, in a few words, from its `RunProgress` (docs/engine.md#progress): the stage, the counts so far and,
 * once it can be known, the estimate of the stage's time left. What the CLI prints on stderr while a run works, and
 * what the demo lists per sync. Never names a value of an item, only counts.
 */
export function runProgressText(progress: RunProgress): string {
  const parts = [stageText(progress)];
  if (progress.secondsLeft !== undefined) parts.push(`about ${durationText(progress.secondsLeft * 1000)} left`);
  const text = parts.join(", ");
  return progress.cycle > 1 ? `cycle ${progress.cycle}: ${text}` : text;
}

/** The stage with its counts, without the estimate. */
export function stageText(progress: RunProgress): string {
  switch (progress.stage) {
    case "preparing":
      return "reading SharePoint and Confluence, planning";
    case "writingSharePoint": {
      const batches = progress.batches;
      const text = batches ? `writing SharePoint: ${countText(batches, "batch", "batches")}` : "writing SharePoint";
      const planned = progress.planned ? plannedSharePointWrites(progress) : undefined;
      const applied = progress.sharePointWritesApplied;
      if (applied === undefined || batches === undefined || batches.total === 0) return text;
      return planned === undefined ? `${text}, ${applied} written` : `${text}, ${applied}/${planned} items written`;
    }
    case "updatingPage":
      return "updating the Confluence page";
    case "writingPages":
      return progress.pages ? `writing pages: ${countText(progress.pages, "page", "pages")}` : "writing pages";
    case "linkingPages":
      return "writing page ids back to SharePoint";
    case "committing":
      return "committing";
    case "recordingFailure":
      return "recording the failure";
    default:
      return String(progress.stage);
  }
}

/** "12/40 batches (1 failed)". */
function countText(count: StepCount, one: string, many: string): string {
  const failed = count.failed > 0 ? ` (${count.failed} failed)` : "";
  return `${count.done}/${count.total} ${count.total === 1 ? one : many}${failed}`;
}

function plannedSharePointWrites(progress: RunProgress): number | undefined {
  const sharePoint = progress.planned?.sharePoint;
  return sharePoint === undefined ? undefined : sharePoint.created + sharePoint.updated + sharePoint.deleted;
}

/** "0.4 s", "12 s", "3 min 05 s", "1 h 02 min". */
export function durationText(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

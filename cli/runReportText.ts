import type { ConflictReport, RunItemReport, RunReport } from "../shared/engine/run/runReport";
import { type CanonicalValue, canonicalJson } from "../shared/sync";

const OUTCOME_WORDS: Record<RunReport["outcome"], string> = {
  completed: "completed",
  completedWithErrors: "completed with errors",
  stopped: "stopped before writing anything",
  invalid: "could not start: the profile is invalid",
  failed: "failed",
  dryRun: "dry run: nothing was written",
};

/** A run report for people: what changed where, conflicts with both values, errors, and the calls it cost. */
export function runReportText(report: RunReport): string {
  const seconds = ((Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000).toFixed(1);
  const { sharePoint: sp, confluence: cf } = report.counts;
  const verb = report.dryRun ? "would be" : "";
  const lines = [
    `Sync of profile "${report.profile}" (run ${report.runId}): ${OUTCOME_WORDS[report.outcome]}${report.cycles > 1 ? ` after ${report.cycles} cycles` : ""}, ${seconds} s`,
  ];
  if (report.problem) lines.push(`  ${report.problem.code}: ${report.problem.message}`);
  lines.push(
    `SharePoint: ${sp.created} created, ${sp.updated} updated, ${sp.deleted} deleted${verb ? ` (${verb})` : ""}`,
    `Confluence: ${cf.created} rows added, ${cf.updated} updated, ${cf.deleted} removed${verb ? ` (${verb})` : ""}`,
    `Conflicts: ${report.counts.conflicts}   Errors: ${report.counts.errors}   API calls: Graph ${report.apiCalls.graph}, Confluence ${report.apiCalls.confluence}`,
  );
  const items = report.items as RunItemReport[];
  const changes = items.flatMap((item) =>
    item.changes.map(
      (change) =>
        `  ${who(item)} ${change.field}: ${change.to === "both" ? "already equal on both sides" : `→ ${change.to === "sharePoint" ? "SharePoint" : "Confluence"}`}${change.value === undefined ? "" : ` ${shown(change.value)}`}`,
    ),
  );
  const structural = items.filter((item) =>
    [
      "createInSharePoint",
      "appendToConfluence",
      "deleteInSharePoint",
      "removeFromConfluence",
      "pair",
      "keepDeleted",
    ].includes(item.action),
  );
  if (structural.length + changes.length > 0) {
    lines.push("", report.dryRun ? "Planned:" : "Changes:");
    for (const item of structural)
      lines.push(`  ${who(item)}: ${actionWords(item)}${item.result === "failed" ? " (failed)" : ""}`);
    lines.push(...changes);
  }
  const conflicts = items.flatMap((item) =>
    item.conflicts.map((conflict) => `  ${who(item)} ${conflictLine(conflict)}`),
  );
  if (conflicts.length > 0) lines.push("", "Conflicts:", ...conflicts);
  const errors = items.flatMap((item) =>
    item.errors.map((error) => `  ${who(item)}${error.field ? ` ${error.field}` : ""}: ${error.code} ${error.message}`),
  );
  if (errors.length > 0) lines.push("", "Errors:", ...errors);
  if (report.itemsOmitted)
    lines.push("", `(${report.itemsOmitted} more items not shown; see --json or the run record)`);
  return lines.join("\n");
}

function who(item: RunItemReport): string {
  if (item.sharePointId !== null) return `item ${item.sharePointId}${item.row === null ? "" : ` (row ${item.row})`}`;
  return item.row === null ? "item" : `row ${item.row}`;
}

function actionWords(item: RunItemReport): string {
  switch (item.action) {
    case "createInSharePoint":
      return "new row → created in SharePoint, id written back";
    case "appendToConfluence":
      return "new item → row added in Confluence";
    case "deleteInSharePoint":
      return "row removed → item deleted in SharePoint";
    case "removeFromConfluence":
      return "item deleted → row removed in Confluence";
    case "keepDeleted":
      return `${item.note ?? "deleted"}; kept on the other side (delete policy keep)`;
    default:
      return item.note ?? item.action;
  }
}

function conflictLine(conflict: ConflictReport): string {
  if (conflict.cause === "deleteVsEdit")
    return `deleted in ${conflict.deletedIn === "sharePoint" ? "SharePoint" : "Confluence"} but edited on the other side: nothing deleted or re-created`;
  const base = conflict.base === undefined ? "" : `, was ${shown(conflict.base)}`;
  return `${conflict.field}: SharePoint ${shown(conflict.sharePoint)} vs Confluence ${shown(conflict.confluence)}${base} — ${conflict.resolution}`;
}

function shown(value: CanonicalValue | undefined): string {
  if (value === undefined) return "(too long to show)";
  const text = canonicalJson(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

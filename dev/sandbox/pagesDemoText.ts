import { checkReportText } from "../../shared/diagnostics";
import type { RunItemReport } from "../../shared/engine/run/runReport";
import type { ServiceCalls } from "./apiCallTally";
import type { PagesDemoEvent, PagesDemoResult, PagesDemoRun } from "./pagesDemo";
import { sandboxCustomers } from "./pagesScenario";
import { progressStages } from "./progressStages";

/** The pages demo as text: section by section while it runs, then the checks. */
export function pagesDemoText(): { event(event: PagesDemoEvent): string; end(result: PagesDemoResult): string } {
  let runs = 0;
  return {
    event(event) {
      if (event.kind === "ready")
        return (
          `Pages mode sandbox ready in ${seconds(event.setupMs)}: a list of ${event.customers} customers (two with their ` +
          `"Sync tracker" gate closed), a parent page "Customers" and a page template with a Page Properties block.\n\n`
        );
      if (event.kind === "check")
        return `${checkReportText(event.report)
          .split("\n")
          .map((line, index) =>
            index === 0 ? `Before the first sync: confluence-sync check ${event.report.profileKey}` : line,
          )
          .join("\n")}\n\n`;
      if (event.kind === "settled") {
        const { settlement } = event;
        const customer = sandboxCustomers.find((candidate) => String(candidate.id) === settlement.itemId);
        return (
          `A person settles the conflict: ${settlement.command}\n` +
          `  settled      #${settlement.itemId} ${customer?.name ?? ""}, ${settlement.field}: ${settlement.person} takes ` +
          `${settlement.take === "sharePoint" ? "SharePoint's" : "Confluence's"} ${JSON.stringify(settlement.value)}; the next sync writes it\n\n`
        );
      }
      if (event.kind === "edits")
        return `Meanwhile, people edit both sides\n${event.edits
          .map((edit) => `  ${edit.side.padEnd(10)}  ${edit.who.padEnd(15)}  ${edit.what}`)
          .join("\n")}\n\n`;
      runs += 1;
      return describeRun(runs, event.run);
    },
    end(result) {
      const failed = result.checks.filter((check) => !check.ok).length;
      return (
        `Checked against both services (${result.checks.length - failed} of ${result.checks.length} hold)\n` +
        result.checks
          .map(
            (check) =>
              `  ${check.ok ? "✓" : "✗"} ${check.expectation}${check.ok ? "" : `: found ${check.found ?? "?"}`}`,
          )
          .join("\n") +
        `\n\nDone in ${seconds(result.totalMs)}.${result.keptHome === null ? "" : ` CONFLUENCE_SYNC_HOME kept at ${result.keptHome}`}\n`
      );
    },
  };
}

function describeRun(number: number, run: PagesDemoRun): string {
  const { report } = run;
  const lines: string[] = [];
  const line = (label: string, text: string) => lines.push(`  ${label.padEnd(12)} ${text}`);
  const created = report.items.filter((item) => item.action === "appendToConfluence" && item.result === "applied");
  if (created.length > 0)
    line(
      "created",
      `${created.length} page${created.length === 1 ? "" : "s"} (${names(created.slice(0, 3))}${created.length > 3 ? ", …" : ""}), ids written back`,
    );
  for (const item of report.items) {
    const who = label(item);
    if (item.action === "update" || item.action === "pair")
      for (const change of item.changes)
        if (change.to !== "both")
          line(
            change.to === "confluence" ? "list → page" : "page → list",
            `${who}: ${change.field} = ${String(change.value)}`,
          );
    for (const conflict of item.conflicts)
      if (conflict.cause !== "deleteVsEdit")
        line(
          "conflict",
          `${who}, ${conflict.field}: SharePoint ${JSON.stringify(conflict.sharePoint)} vs Confluence ${JSON.stringify(conflict.confluence)}: flagged, nothing written`,
        );
    for (const settlement of item.settlements ?? [])
      line(
        settlement.outcome === "applied" ? "settled" : "not settled",
        settlement.outcome === "applied"
          ? `${who}, ${settlement.field}: the conflict is closed, both sides hold the chosen value`
          : `${who}, ${settlement.field}: ${settlement.reason ?? settlement.outcome}`,
      );
    if (item.action === "held") line("held", `${who}: ${item.note ?? ""}`);
    if (item.action === "keepDeleted")
      line("unlinked", `${who}: its page is in the trash; the item is kept, no new page`);
    if (item.action === "skip" && item.errors.some((error) => error.code === "PAGE_COPY"))
      line("copy", item.note ?? "");
  }
  if (lines.length === 0) line("quiet", "nothing to write on either side");
  line("API calls", `${calls("Graph", run.calls.graph)}`);
  line("", calls("Confluence", run.calls.confluence));
  if (run.progress.length > 0) line("progress", progressStages(run.progress));
  return `Sync ${number}: ${run.label} (${seconds(run.durationMs)})\n${lines.join("\n")}\n\n`;
}

function label(item: RunItemReport): string {
  const customer = sandboxCustomers.find((candidate) => String(candidate.id) === item.sharePointId);
  return customer === undefined ? "a page" : `#${customer.id} ${customer.name}`;
}

function names(items: readonly RunItemReport[]): string {
  return items.map(label).join(", ");
}

function calls(service: string, tally: ServiceCalls): string {
  const kinds = tally.kinds
    .filter((kind) => kind.kind !== "token refresh" && kind.kind !== "sign-in" && kind.kind !== "site lookup")
    .map((kind) => `${kind.kind} ${kind.calls}`);
  const total = tally.kinds
    .filter((kind) => kind.kind !== "token refresh" && kind.kind !== "sign-in" && kind.kind !== "site lookup")
    .reduce((sum, kind) => sum + kind.calls, 0);
  return `${service} ${total}${kinds.length > 0 ? `: ${kinds.join(", ")}` : ""}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

import { checkReportText, type ProfileCheckReport } from "../../shared/diagnostics";
import type { RunItemReport } from "../../shared/engine/run/runReport";
import { EMULATOR_ENDPOINT_SETTINGS } from "../emulators/emulatorEndpoints";
import type { ServiceCalls } from "./apiCallTally";
import type { DemoEvent, DemoPersonEdit, DemoResult, DemoRun, DemoSandbox, DemoSettlement } from "./demoResult";
import { progressStages } from "./progressStages";

/**
 * The demo's report for people: what the sandbox holds, what each sync changed where (per side, item and field),
 * the conflict with both values, what became of the new row and the deleted item, the API calls each service
 * served and the time taken, then the end result checked against both services. One section per event, so it
 * prints as the demo goes.
 */
export interface DemoTextReport {
  event(event: DemoEvent): string;
  end(result: DemoResult): string;
}

const INDENT = "  ";
/** Lines are wrapped to this width (fixed, so the output is the same in every terminal and in CI logs). */
const WIDTH = 120;
/** Items listed by name before the rest are summed up as "(+n more)". */
const LISTED_ITEMS = 2;

export function demoTextReport(): DemoTextReport {
  let sandbox: DemoSandbox | undefined;
  let runNumber = 0;
  /** Conflicts already shown (`id/field`): shown again, they are "still open", not new. */
  const shownConflicts = new Set<string>();
  return {
    event(event) {
      switch (event.kind) {
        case "ready":
          sandbox = event.sandbox;
          return introduction(event.sandbox, event.setupMs);
        case "check":
          return checkSection(event.report);
        case "run":
          runNumber += 1;
          return runSection(event.run, runNumber, sandbox, shownConflicts);
        case "edits":
          return editsSection(event.edits);
        case "settled":
          return settledSection(event.settlement, sandbox);
      }
    },
    end: (result) => ending(result),
  };
}

function introduction(box: DemoSandbox, setupMs: number): string {
  const kinds = [...new Set(box.fields.map((f) => f.kind))];
  const deletes =
    box.deletes.toConfluence === "delete"
      ? "an item deleted in SharePoint loses its row"
      : "deletions are not propagated";
  const conflicts =
    box.conflictPolicy === "flag"
      ? "conflicts are flagged (nothing written, both values kept)"
      : `conflicts: ${box.conflictPolicy}`;
  return block(
    "ConfluenceSync demo: one SharePoint list and one Confluence page, kept in sync both ways, field by field",
    [
      [
        "SharePoint",
        `list "${box.listName}" on site ${box.siteName}: ${box.items} projects, ${box.fields.length} columns synced (${kinds.join(", ")})`,
      ],
      [
        "Confluence",
        `page "${box.pageTitle}": the same projects as a table (status lozenges, mentions, dates), but only ${box.rowsOnPage} of them, and a few cells differ`,
      ],
      [
        "Profile",
        `${box.profileKey}: ${box.direction === "both" ? "both directions" : box.direction}; ${conflicts}; ${deletes}`,
      ],
      [
        "Runs on",
        `this machine only: emulated Graph and Confluence, Azurite, the SQLite config store (ready in ${seconds(setupMs)})`,
      ],
    ],
  );
}

/** `confluence-sync check <key>`, as the CLI prints it, under its own heading. */
function checkSection(report: ProfileCheckReport): string {
  return `${checkReportText(report)
    .split("\n")
    .map((line, index) => (index === 0 ? `Before the first sync: confluence-sync check ${report.profileKey}` : line))
    .join("\n")}\n`;
}

function editsSection(edits: readonly DemoPersonEdit[]): string {
  const rows = edits.map((edit): [string, string, string] => {
    const what =
      edit.action === "delete"
        ? `deletes #${edit.itemId} ${edit.title}`
        : edit.action === "addRow"
          ? `adds a row "${edit.title}", its ID cell left empty`
          : `#${edit.itemId} ${edit.title}: ${edit.field} ${edit.from} → ${edit.to}`;
    return [edit.side === "sharePoint" ? "SharePoint" : "Confluence", edit.person, what];
  });
  return block("Meanwhile, people edit both sides", rows);
}

function settledSection(settlement: DemoSettlement, box: DemoSandbox | undefined): string {
  const name = `#${settlement.itemId} ${box?.titles[settlement.itemId] ?? ""}`.trimEnd();
  const header = box?.fields.find((f) => f.sharePoint === settlement.field)?.confluence ?? settlement.field;
  const side = settlement.take === "sharePoint" ? "SharePoint's" : "Confluence's";
  return block(`A person settles the conflict: ${settlement.command}`, [
    [
      "settled",
      `${name}, ${header}: ${settlement.person} takes ${side} "${displayValue(box, settlement.field, settlement.value)}"; the next sync writes it`,
    ],
  ]);
}

function runSection(run: DemoRun, number: number, box: DemoSandbox | undefined, shownConflicts: Set<string>): string {
  const items = run.report.items as RunItemReport[];
  const name = (id: string | null): string =>
    id === null ? "a new item" : `#${id} ${box?.titles[id] ?? titleOf(items, id) ?? ""}`.trimEnd();
  const header = (field: string | null): string =>
    field === null ? "the item" : (box?.fields.find((f) => f.sharePoint === field)?.confluence ?? field);
  const value = (field: string | null, v: unknown): string => displayValue(box, field, v);
  const rows: [string, string][] = [];

  const paired = items.filter((item) => item.action === "pair");
  if (paired.length > 0) {
    rows.push([
      "paired",
      `${plural(paired.length, "row")} with their items, by the ID column; blanks on either side were filled from the other:`,
    ]);
  }
  for (const item of items) {
    if (item.action === "appendToConfluence" || item.action === "createInSharePoint") continue;
    for (const change of item.changes) {
      if (change.to === "both") continue;
      rows.push([
        change.to === "confluence" ? "list → page" : "page → list",
        `${name(item.sharePointId)}: ${header(change.field)} = ${value(change.field, change.value)}`,
      ]);
    }
  }
  const stillOpen: string[] = [];
  for (const item of items) {
    for (const conflict of item.conflicts) {
      const key = `${item.sharePointId}/${conflict.field}`;
      if (shownConflicts.has(key)) {
        stillOpen.push(`#${item.sharePointId} ${header(conflict.field)}`);
        continue;
      }
      shownConflicts.add(key);
      if (conflict.field === null) {
        rows.push([
          "conflict",
          `${name(item.sharePointId)} was deleted in ${conflict.deletedIn ?? "one side"} and edited on the other: nothing deleted`,
        ]);
        continue;
      }
      const was = conflict.base === undefined ? "" : ` (was "${value(conflict.field, conflict.base)}")`;
      rows.push([
        "conflict",
        `${name(item.sharePointId)}, ${header(conflict.field)}: SharePoint "${value(conflict.field, conflict.sharePoint)}" ` +
          `vs Confluence "${value(conflict.field, conflict.confluence)}"${was}`,
      ]);
      rows.push([
        "",
        conflict.resolution === "flagged"
          ? "flagged: nothing written on either side, both values kept in the conflict log"
          : `${conflict.resolution.replace("-", " ")}; the losing value is kept in the conflict log`,
      ]);
    }
  }
  for (const item of items.filter((i) => i.action === "createInSharePoint")) {
    const title = String(item.changes.find((c) => c.field === "Title")?.value ?? "");
    rows.push(
      item.result === "applied" && item.sharePointId !== null
        ? [
            "created",
            `#${item.sharePointId} ${title} in SharePoint, from the new row; ID ${item.sharePointId} written into the row`,
          ]
        : ["not created", `the new row "${title}" (${item.result})`],
    );
  }
  const appended = items.filter((item) => item.action === "appendToConfluence");
  if (appended.length > 0)
    rows.push([
      "appended",
      `${plural(appended.length, "item")} the page did not have: ${listNames(appended.map((i) => name(i.sharePointId)))}`,
    ]);
  for (const item of items)
    for (const settlement of item.settlements ?? [])
      rows.push(
        settlement.outcome === "applied"
          ? [
              "settled",
              `the conflict on #${item.sharePointId} ${header(settlement.field)} is closed: both sides hold ${chosenValue(item, settlement.field, value)}`,
            ]
          : ["not settled", `#${item.sharePointId} ${header(settlement.field)}: ${settlement.reason ?? "stale"}`],
      );
  const policy = box === undefined ? "" : ` (deletes.toConfluence: ${box.deletes.toConfluence})`;
  for (const item of items) {
    if (item.action === "removeFromConfluence")
      rows.push(["deleted", `${name(item.sharePointId)}, deleted in SharePoint: row removed${policy}`]);
    if (item.action === "keepDeleted")
      rows.push([
        "kept",
        `${name(item.sharePointId)}, ${item.note ?? "deleted on one side"}: the other side keeps it, as the profile says`,
      ]);
    for (const error of item.errors)
      rows.push([
        "problem",
        `${name(item.sharePointId)}: ${error.field === null ? "" : `${header(error.field)}: `}${error.message} (${error.code})`,
      ]);
  }

  const { counts } = run.report;
  const writes =
    counts.sharePoint.created +
    counts.sharePoint.updated +
    counts.sharePoint.deleted +
    counts.confluence.created +
    counts.confluence.updated +
    counts.confluence.deleted;
  if (writes === 0) {
    const open =
      stillOpen.length === 0 ? "" : `; the conflict on ${stillOpen.join(" and ")} stays open until someone settles it`;
    rows.push(["quiet", `nothing to write on either side${open}`]);
  } else {
    const pageWrites = counts.confluence.created + counts.confluence.updated + counts.confluence.deleted;
    rows.push([
      "written",
      `SharePoint: ${sideCounts(counts.sharePoint, "item", "deleted")} · Confluence: ${sideCounts(counts.confluence, "row", "removed")}${pageWrites > 0 ? " (one page update)" : ""}`,
    ]);
  }
  rows.push(["API calls", `Graph ${callList(run.calls.graph)}`]);
  rows.push(["", `Confluence ${callList(run.calls.confluence)}`]);
  if (run.progress.length > 0) rows.push(["progress", progressStages(run.progress)]);
  return block(`Sync ${number}: ${run.label} (${seconds(run.durationMs)})`, rows);
}

function ending(result: DemoResult): string {
  const { outcome, openConflicts } = result;
  const checks = outcome.checks.map((check): [string, string] => [
    check.ok ? "✓" : "✗",
    check.ok ? check.expectation : `${check.expectation}: NO — ${check.found ?? ""}`,
  ]);
  const open =
    openConflicts.length === 0
      ? "no open conflicts"
      : `${plural(openConflicts.length, "open conflict")} waiting for a person`;
  const lines = [
    block("Checked against both services afterwards", checks),
    `\nDone in ${seconds(result.totalMs)}: ${outcome.listItems} items in the list, ${outcome.rowIds.length} rows on the page (now version ${outcome.pageVersion}), ${open}.\n`,
    "Next: the README shows how to write a profile for your own list and page, and how to deploy to Azure (`azd up`).\n",
  ];
  if (result.keptHome !== null) {
    lines.push(`Kept the demo's CONFLUENCE_SYNC_HOME (profile, secrets, state): ${result.keptHome}\n`);
    // Its profile points at the (now stopped) loopback emulators, which only an explicit allowlist accepts.
    const allowlist = Object.entries(EMULATOR_ENDPOINT_SETTINGS)
      .map(([name, value]) => `${name}=${value}`)
      .join(" ");
    lines.push(
      `${INDENT}CONFLUENCE_SYNC_HOME=${result.keptHome} ${allowlist} npx confluence-sync diagnostics ${result.sandbox.profileKey}\n`,
    );
  }
  return lines.join("");
}

/** `10 rows added, 3 updated`: the unit named once, after the first number. */
function sideCounts(
  side: { created: number; updated: number; deleted: number },
  unit: string,
  deletedWord: string,
): string {
  const parts = [
    [side.created, "added"],
    [side.updated, "updated"],
    [side.deleted, deletedWord],
  ] as const;
  const written = parts
    .filter(([n]) => n > 0)
    .map(([n, verb], index) => (index === 0 ? `${plural(n, unit)} ${verb}` : `${n} ${verb}`));
  return written.length === 0 ? "nothing" : written.join(", ");
}

function callList(calls: ServiceCalls): string {
  const kinds = calls.kinds.map(({ kind, calls: n }) =>
    kind === "$batch" && calls.batchedOperations > 0
      ? `${kind} ${n} (${plural(calls.batchedOperations, "write")})`
      : `${kind} ${n}`,
  );
  return `${calls.total}: ${kinds.join(", ")}`;
}

/** A canonical value roughly as the page shows it: lookups by name, percentages, links by description. */
function displayValue(box: DemoSandbox | undefined, field: string | null, value: unknown): string {
  if (value === null || value === undefined) return "(empty)";
  const kind = box?.fields.find((f) => f.sharePoint === field)?.kind;
  if (typeof value === "string") {
    const lookedUp = field === null ? undefined : box?.lookupValues[field]?.[value];
    if (lookedUp !== undefined) return lookedUp;
    if (kind === "percentage" && /^-?\d+(\.\d+)?$/.test(value)) return `${Math.round(Number(value) * 10000) / 100}%`;
    return value;
  }
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (Array.isArray(value)) return value.map((v) => displayValue(box, field, v)).join(", ");
  if (typeof value === "object" && "url" in value) {
    const link = value as { url: string; description?: string };
    return link.description && link.description !== link.url ? `${link.description} (${link.url})` : link.url;
  }
  return JSON.stringify(value);
}

/** The value a settlement wrote, as the report's change shows it; "the chosen value" when nothing was written. */
function chosenValue(item: RunItemReport, field: string, value: (field: string | null, v: unknown) => string): string {
  const change = item.changes.find((candidate) => candidate.field === field && candidate.value !== undefined);
  return change === undefined ? "the chosen value" : `"${value(field, change.value)}"`;
}

function titleOf(items: readonly RunItemReport[], id: string): string | undefined {
  const title = items.find((i) => i.sharePointId === id)?.changes.find((c) => c.field === "Title")?.value;
  return typeof title === "string" ? title : undefined;
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, LISTED_ITEMS).join(", ");
  return names.length > LISTED_ITEMS ? `${shown} (+${names.length - LISTED_ITEMS} more)` : shown;
}

/** A titled block of rows: leading cells aligned in columns, the last cell wrapped under itself. */
function block(title: string, rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? [])
    .slice(0, -1)
    .map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  const lead = INDENT.length + widths.reduce((sum, width) => sum + width + 2, 0);
  const lines = rows.map((row) => {
    const prefix = INDENT + widths.map((width, column) => `${row[column] ?? ""}`.padEnd(width + 2)).join("");
    return prefix + wrap(row[row.length - 1] ?? "", WIDTH - lead).join(`\n${" ".repeat(lead)}`);
  });
  return `\n${title}\n${lines.join("\n")}\n`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

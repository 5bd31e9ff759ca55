import {
  type ProjectStatus,
  pageDrift,
  type SandboxProject,
  STATUS_COLOURS,
  sandboxClients,
  sandboxPeople,
} from "./sandboxPortfolio";

/**
 * The Confluence side of the sandbox: storage XHTML as Confluence Cloud's editor saves it (layouts, an info panel,
 * `ac:macro-id`s on macros, `ri:local-id`s on mentions, `<p>` inside every cell, header cells in the first row), so the
 * sync meets the page a real team would have. Cell renderings are written out here, not borrowed from the SyncMapper:
 * the seed is what the mapper is checked against.
 */

/** Headers of the managed table, left to right (the profile maps each one but `ID`). */
export const PORTFOLIO_HEADERS = [
  "ID",
  "Project",
  "Client",
  "Owner",
  "Status",
  "Tags",
  "Progress",
  "Budget",
  "Billable",
  "Due",
  "Next review",
  "Repository",
  "Summary",
] as const;
export type PortfolioHeader = (typeof PORTFOLIO_HEADERS)[number];

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Stable, unique uuid-shaped ids for the editor's `ac:macro-id` / `ri:local-id` / `ac:local-id` attributes. */
function editorId(kind: number, n: number): string {
  return `${(0x5a17c0de + kind).toString(16)}-7c1e-4b2a-9f3d-${n.toString(16).padStart(12, "0")}`;
}

export function statusMacro(status: ProjectStatus, n: number): string {
  return (
    `<ac:structured-macro ac:name="status" ac:schema-version="1" ac:macro-id="${editorId(1, n)}">` +
    `<ac:parameter ac:name="title">${escapeXml(status)}</ac:parameter>` +
    `<ac:parameter ac:name="colour">${STATUS_COLOURS[status]}</ac:parameter>` +
    `</ac:structured-macro>`
  );
}

export function mention(personIndex: number, n: number): string {
  return `<ac:link><ri:user ri:account-id="${sandboxPeople[personIndex]!.accountId}" ri:local-id="${editorId(2, n)}" /></ac:link>`;
}

/** A cell as the editor stores it: one paragraph, `<p />` when empty. */
export function cell(inner: string): string {
  return inner === "" ? "<td><p /></td>" : `<td><p>${inner}</p></td>`;
}

function percent(progress: number): string {
  return `${Math.round(progress * 100)}%`;
}

/** The inner XHTML of each cell of a project's row, by header. */
export function projectCells(project: SandboxProject): Record<PortfolioHeader, string> {
  const link = project.repository;
  return {
    ID: String(project.id),
    Project: escapeXml(project.title),
    Client: escapeXml(sandboxClients.find((c) => c.id === project.clientId)!.name),
    Owner: mention(project.owner, project.id),
    Status: statusMacro(project.status, project.id),
    Tags: project.tags.join(", "),
    Progress: percent(project.progress),
    Budget: String(project.budget),
    Billable: project.billable ? "Yes" : "No",
    Due: `<time datetime="${project.due}" />`,
    "Next review": project.nextReview ?? "",
    Repository: link === null ? "" : `<a href="${escapeXml(link.url)}">${escapeXml(link.description)}</a>`,
    Summary: escapeXml(project.summary),
  };
}

export function row(cells: Record<PortfolioHeader, string>): string {
  return `<tr>${PORTFOLIO_HEADERS.map((header) => cell(cells[header])).join("")}</tr>`;
}

/** The page's copy of a project: as in the list, except where `pageDrift` says the page differs. */
function pageRow(project: SandboxProject): string {
  const cells = projectCells(project);
  for (const blank of pageDrift.blankOnPage) if (blank.id === project.id) cells[blank.header as PortfolioHeader] = "";
  const extra = (
    pageDrift.onlyOnPage as Record<
      number,
      { repository?: { url: string; description: string }; tags?: readonly string[] }
    >
  )[project.id];
  if (extra?.repository)
    cells.Repository = `<a href="${escapeXml(extra.repository.url)}">${escapeXml(extra.repository.description)}</a>`;
  if (extra?.tags) cells.Tags = extra.tags.join(", ");
  return row(cells);
}

const COLUMN_WIDTHS = [60, 220, 170, 150, 120, 130, 90, 100, 80, 120, 190, 190, 320];

export function portfolioPageBody(projects: readonly SandboxProject[]): string {
  const header = `<tr>${PORTFOLIO_HEADERS.map((h) => `<th><p><strong>${escapeXml(h)}</strong></p></th>`).join("")}</tr>`;
  const colgroup = `<colgroup>${COLUMN_WIDTHS.map((w) => `<col style="width: ${w}.0px;" />`).join("")}</colgroup>`;
  const portfolio =
    `<table data-table-width="1800" data-layout="full-width" ac:local-id="${editorId(3, 1)}">${colgroup}` +
    `<tbody>${header}${projects.map(pageRow).join("")}</tbody></table>`;
  const keyDates =
    `<table data-table-width="760" data-layout="default" ac:local-id="${editorId(3, 2)}"><tbody>` +
    `<tr><th><p><strong>Milestone</strong></p></th><th><p><strong>Date</strong></p></th></tr>` +
    `<tr><td><p>Q2 portfolio review</p></td><td><p><time datetime="2026-04-14" /></p></td></tr>` +
    `<tr><td><p>Budget freeze</p></td><td><p><time datetime="2026-09-30" /></p></td></tr>` +
    `</tbody></table>`;
  return (
    `<ac:layout>` +
    `<ac:layout-section ac:type="two_right_sidebar" ac:breakout-mode="default">` +
    `<ac:layout-cell>` +
    `<p>Every project the PMO tracks, one row each. Owners keep their rows current here or in the SharePoint list ` +
    `<a href="https://contoso.sharepoint.com/sites/projects/Lists/Projects">Projects</a>&nbsp;&mdash; whichever is at hand.</p>` +
    `<p>Status meanings: <strong>At risk</strong> needs a decision at the next review, <strong>Blocked</strong> waits on someone outside the team.</p>` +
    `</ac:layout-cell>` +
    `<ac:layout-cell>` +
    `<ac:structured-macro ac:name="info" ac:schema-version="1" ac:macro-id="${editorId(4, 1)}">` +
    `<ac:parameter ac:name="title">Kept in sync</ac:parameter>` +
    `<ac:rich-text-body><p>The <strong>Portfolio</strong> table is synced with SharePoint both ways. To add a project, add a row and leave its <strong>ID</strong> empty: the sync fills it in.</p></ac:rich-text-body>` +
    `</ac:structured-macro>` +
    `</ac:layout-cell>` +
    `</ac:layout-section>` +
    `<ac:layout-section ac:type="fixed-width" ac:breakout-mode="wide">` +
    `<ac:layout-cell>` +
    `<h2>Portfolio</h2>${portfolio}` +
    `<h2>Key dates</h2>${keyDates}` +
    `<p><em>Questions about a project go to its owner; about this page, to the PMO.</em></p>` +
    `</ac:layout-cell>` +
    `</ac:layout-section>` +
    `</ac:layout>`
  );
}

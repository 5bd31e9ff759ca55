import { appendPortfolioRow, portfolioCell, setPortfolioCell } from "./portfolioPageEdits";
import { SANDBOX_PORTFOLIO_PAGE_ID } from "./sandboxConfluenceSeed";
import { SANDBOX_PROJECTS_LIST_ID, SANDBOX_SITE_ID } from "./sandboxGraphSeed";
import { mention, type PortfolioHeader, statusMacro } from "./sandboxPage";
import { sandboxPeople, sandboxProjects } from "./sandboxPortfolio";

/**
 * What people do between two syncs in the sandbox, through the emulators' admin surfaces (the SharePoint UI and the
 * Confluence editor, as far as the services can tell): on one project, one edit on each side to different fields;
 * on another, both sides change the same field to different values; a project is added as a row on the page; one is
 * deleted in SharePoint.
 */

/** One thing a person did, for the demo's story. Values as the person sees them. */
export interface PersonEdit {
  side: "sharePoint" | "confluence";
  person: string;
  action: "edit" | "addRow" | "delete";
  /** SharePoint id of the project (null for the new row, which has none yet). */
  itemId: number | null;
  title: string;
  /** Confluence header of the field (edits only). */
  field?: string;
  from?: string;
  to?: string;
}

/** The scripted edits, as data: the demo and its test both read them. */
export const peopleEdits = {
  /** Different fields of one project, one on each side: both must land. */
  bothSides: {
    itemId: 7,
    confluence: { header: "Due" as PortfolioHeader, from: "2026-05-29", to: "2026-06-12" },
    sharePoint: { field: "Budget", header: "Budget", from: 120000, to: 135000 },
  },
  /** The same field of one project on both sides: a conflict, flagged with both values. */
  conflict: {
    itemId: 12,
    header: "Status",
    field: "Status",
    base: "At risk",
    sharePoint: "Blocked",
    confluence: "On track",
  },
  /**
   * After the syncs: the person who changed the conflicting field in SharePoint settles the conflict by taking the
   * page's value, through `conflicts resolve` (the conflict's id is `item {itemId}|{field}`).
   */
  settlement: { take: "confluence" as const, person: 3 },
  /** A project added on the page, ID cell empty: becomes a list item, its id written back. */
  newRow: {
    title: "Orchid supplier onboarding",
    client: "Fabrikam",
    owner: 4,
    status: "Not started" as const,
    tags: "Compliance, Web",
    progress: "0%",
    budget: "45000",
    billable: "Yes",
    due: "2026-09-30",
    summary: "Collect supplier certificates and bank details before the first order.",
  },
  /** Deleted in SharePoint; the profile's deletes.toConfluence says what happens to its row. */
  deleted: { itemId: 33 },
} as const;

export interface SandboxAdminUrls {
  /** Graph emulator origin (its `/_admin/` surface). */
  graphBaseUrl: string;
  /** Confluence emulator origin (its `/_admin/` surface). */
  confluenceBaseUrl: string;
}

const title = (id: number): string => sandboxProjects.find((p) => p.id === id)!.title;
export const person = (index: number): (typeof sandboxPeople)[number] => sandboxPeople[index]!;

/** Makes the edits and says what was done, in order. */
export async function makePeopleEdits(urls: SandboxAdminUrls): Promise<PersonEdit[]> {
  const { bothSides, conflict, newRow, deleted } = peopleEdits;
  const done: PersonEdit[] = [];
  const listItem = (id: number): string =>
    `${urls.graphBaseUrl}/_admin/sites/${encodeURIComponent(SANDBOX_SITE_ID)}/lists/${SANDBOX_PROJECTS_LIST_ID}/items/${id}`;

  // SharePoint: two people edit items, a third deletes one.
  const budgetEditor = person(6);
  await admin("PATCH", listItem(bothSides.itemId), {
    fields: { [bothSides.sharePoint.field]: bothSides.sharePoint.to },
    editor: { email: budgetEditor.email },
  });
  done.push({
    side: "sharePoint",
    person: budgetEditor.displayName,
    action: "edit",
    itemId: bothSides.itemId,
    title: title(bothSides.itemId),
    field: bothSides.sharePoint.header,
    from: String(bothSides.sharePoint.from),
    to: String(bothSides.sharePoint.to),
  });

  const statusEditor = person(3);
  await admin("PATCH", listItem(conflict.itemId), {
    fields: { [conflict.field]: conflict.sharePoint },
    editor: { email: statusEditor.email },
  });
  done.push({
    side: "sharePoint",
    person: statusEditor.displayName,
    action: "edit",
    itemId: conflict.itemId,
    title: title(conflict.itemId),
    field: conflict.header,
    from: conflict.base,
    to: conflict.sharePoint,
  });

  await admin("DELETE", listItem(deleted.itemId));
  done.push({
    side: "sharePoint",
    person: person(0).displayName,
    action: "delete",
    itemId: deleted.itemId,
    title: title(deleted.itemId),
  });

  // Confluence: one person opens the page, changes two cells, adds a row, and saves once.
  const state = (await admin("GET", `${urls.confluenceBaseUrl}/_admin/state`)) as {
    pages: { id: string; body: string }[];
  };
  const page = state.pages.find((p) => p.id === SANDBOX_PORTFOLIO_PAGE_ID);
  if (page === undefined) throw new Error(`the Confluence emulator has no page ${SANDBOX_PORTFOLIO_PAGE_ID}`);
  const pageEditor = person(2).displayName;
  let body = page.body;

  const dueNow = portfolioCell(body, bothSides.itemId, bothSides.confluence.header);
  if (dueNow !== `<time datetime="${bothSides.confluence.from}" />`)
    throw new Error(
      `project ${bothSides.itemId}'s Due cell is not ${bothSides.confluence.from} before the edit: ${dueNow}`,
    );
  body = setPortfolioCell(
    body,
    bothSides.itemId,
    bothSides.confluence.header,
    `<time datetime="${bothSides.confluence.to}" />`,
  );
  done.push({
    side: "confluence",
    person: pageEditor,
    action: "edit",
    itemId: bothSides.itemId,
    title: title(bothSides.itemId),
    field: bothSides.confluence.header,
    from: bothSides.confluence.from,
    to: bothSides.confluence.to,
  });

  body = setPortfolioCell(body, conflict.itemId, "Status", statusMacro(conflict.confluence, 1000 + conflict.itemId));
  done.push({
    side: "confluence",
    person: pageEditor,
    action: "edit",
    itemId: conflict.itemId,
    title: title(conflict.itemId),
    field: conflict.header,
    from: conflict.base,
    to: conflict.confluence,
  });

  body = appendPortfolioRow(body, {
    ID: "",
    Project: newRow.title,
    Client: newRow.client,
    Owner: mention(newRow.owner, 1000),
    Status: statusMacro(newRow.status, 1000),
    Tags: newRow.tags,
    Progress: newRow.progress,
    Budget: newRow.budget,
    Billable: newRow.billable,
    Due: `<time datetime="${newRow.due}" />`,
    "Next review": "",
    Repository: "",
    Summary: newRow.summary,
  });
  done.push({ side: "confluence", person: pageEditor, action: "addRow", itemId: null, title: newRow.title });

  await admin("PUT", `${urls.confluenceBaseUrl}/_admin/pages/${SANDBOX_PORTFOLIO_PAGE_ID}`, {
    body,
    message: "Moved Garnet's due date, Lumen is back on track, added Orchid",
  });
  return done;
}

async function admin(method: string, url: string, body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${method} ${new URL(url).pathname} answered ${response.status}: ${text.slice(0, 300)}`);
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

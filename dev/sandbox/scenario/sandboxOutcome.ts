import { portfolioCell, portfolioRowIds } from "./portfolioPageEdits";
import { SANDBOX_PORTFOLIO_PAGE_ID } from "./sandboxConfluenceSeed";
import { SANDBOX_PROJECTS_LIST_ID, siteMidnightUtc } from "./sandboxGraphSeed";
import { peopleEdits } from "./sandboxPeopleEdits";

/** One expectation about the sandbox after the demo's syncs, checked against what the emulators hold. */
export interface SandboxCheck {
  ok: boolean;
  /** What should be true, in words. */
  expectation: string;
  /** What was found instead (only when not ok). */
  found?: string;
}

/** Both sides after the demo, as the emulators' `GET /_admin/state` show them, and the story's expectations checked. */
export interface SandboxOutcome {
  listItems: number;
  pageVersion: number;
  /** ID cell of each table row, in order (null = empty). */
  rowIds: (number | null)[];
  checks: SandboxCheck[];
}

interface GraphState {
  sites: { lists: { id: string; items: { id: string; fields: Record<string, unknown> }[] }[] }[];
}
interface ConfluenceState {
  pages: { id: string; body: string; version: { number: number } }[];
}

/**
 * Reads the list and the page straight from the emulators (not from the run reports) and checks that every edit
 * people made reached the other side, that the conflicting field holds the value the person settling it chose on both
 * sides, that the new row
 * became an item whose id the row now holds, and that the deleted item's row is gone.
 */
export function sandboxOutcome(states: { graph: unknown; confluence: unknown }): SandboxOutcome {
  const list = (states.graph as GraphState).sites
    .flatMap((site) => site.lists)
    .find((l) => l.id === SANDBOX_PROJECTS_LIST_ID);
  const page = (states.confluence as ConfluenceState).pages.find((p) => p.id === SANDBOX_PORTFOLIO_PAGE_ID);
  if (list === undefined || page === undefined) throw new Error("the sandbox list or page is gone from the emulators");
  const item = (id: number | string) => list.items.find((i) => i.id === String(id))?.fields;
  const cell = (id: number, header: Parameters<typeof portfolioCell>[2]) => portfolioCell(page.body, id, header);
  const rowIds = portfolioRowIds(page.body);
  const checks: SandboxCheck[] = [];
  const check = (ok: boolean, expectation: string, found: () => string): void => {
    checks.push(ok ? { ok, expectation } : { ok, expectation, found: found() });
  };

  const { bothSides, conflict, newRow, deleted, settlement } = peopleEdits;
  const seven = item(bothSides.itemId);
  const budget = bothSides.sharePoint.to;
  const due = bothSides.confluence.to;
  check(
    seven?.Budget === budget &&
      seven?.Due_x0020_Date === siteMidnightUtc(due) &&
      cell(bothSides.itemId, "Budget") === String(budget) &&
      cell(bothSides.itemId, "Due") === `<time datetime="${due}" />`,
    `both edits to #${bothSides.itemId} landed on both sides: Budget ${budget}, Due ${due}`,
    () =>
      `list: Budget ${String(seven?.Budget)}, Due ${String(seven?.Due_x0020_Date)}; page: Budget ${cell(bothSides.itemId, "Budget")}, Due ${cell(bothSides.itemId, "Due")}`,
  );

  const twelve = item(conflict.itemId);
  const pageStatus = cell(conflict.itemId, "Status") ?? "";
  const chosen = conflict[settlement.take];
  check(
    twelve?.Status === chosen && pageStatus.includes(`>${chosen}</ac:parameter>`),
    `the conflict on #${conflict.itemId} was settled as chosen: ${conflict.header} is "${chosen}" on both sides`,
    () => `list: ${String(twelve?.Status)}; page cell: ${pageStatus}`,
  );

  const created = list.items.find((i) => i.fields.Title === newRow.title);
  const createdId = created === undefined ? undefined : Number(created.id);
  check(
    createdId !== undefined &&
      rowIds.includes(createdId) &&
      cell(createdId, "Project") === newRow.title &&
      !rowIds.includes(null),
    `the new row became item #${createdId ?? "?"} in SharePoint, and the row now holds ID ${createdId ?? "?"}`,
    () =>
      created === undefined
        ? "no list item has that title"
        : `row IDs on the page: ${rowIds.map((id) => id ?? "(empty)").join(", ")}`,
  );

  check(
    item(deleted.itemId) === undefined && !rowIds.includes(deleted.itemId),
    `#${deleted.itemId} is gone from the list, and its row from the page`,
    () => `list has it: ${item(deleted.itemId) !== undefined}; page has its row: ${rowIds.includes(deleted.itemId)}`,
  );

  const listIds = new Set(list.items.map((i) => Number(i.id)));
  const unmatched =
    rowIds.filter((id) => id === null || !listIds.has(id)).length +
    [...listIds].filter((id) => !rowIds.includes(id)).length;
  const doubled = rowIds.length - new Set(rowIds).size;
  check(
    unmatched === 0 && doubled === 0,
    `every list item has exactly one row on the page (${list.items.length} of each)`,
    () => `${unmatched} items or rows without a partner, ${doubled} rows doubled`,
  );

  return { listItems: list.items.length, pageVersion: page.version.number, rowIds, checks };
}

import type { ConfluenceClient } from "../shared/confluence";
import { findTables, parseStorage } from "../shared/mapping";
import { mapBounded } from "../shared/runtime";
import { type ItemWrite, MAX_BATCH_SIZE } from "../shared/sharepoint/batchWriter";
import type { SharePointItem } from "../shared/sharepoint/listItem";
import type { SharePointClient } from "../shared/sharepoint/sharePointClient";
import { type BenchValues, pageBody, tableRow } from "./benchSite";

/** What one naive run did. */
export interface NaiveRunSummary {
  itemsRead: number;
  rowsRead: number;
  itemsWritten: number;
  writesFailed: number;
  rowsWritten: number;
}

export interface NaiveRunOptions {
  pageId: string;
  /** `$batch` calls in flight at once. */
  concurrency: number;
  /** Items per page read (`$top`): the engine's, so the two read the list in as many calls. */
  pageSize: number;
  /** Give items without a row one (a two-way profile); otherwise the page keeps only the rows it has. */
  appendMissing: boolean;
  /** Called once everything is read and before anything is written: the moment the run holds the most. */
  onAllRead?: () => void;
}

/**
 * The naive full-scan baseline the sync benchmark measures the engine against (docs/performance.md#the-sync-benchmark):
 * what an iPaaS flow or the old .NET service does, with the project's own Graph and Confluence clients (same retry
 * policy, same `$batch` writer). Every run it reads every item page by page and the whole page, writes every item back
 * to SharePoint (a row's values where the item has a row, else its own values), and saves the page with the whole table
 * rebuilt from the result. It keeps no state, so it cannot tell what changed: it costs the same whatever happened since
 * the last run (and a SharePoint edit to an item with a row is overwritten by the row, the lost update the engine
 * exists to prevent).
 */
export async function runNaiveFullScan(
  sharePoint: SharePointClient,
  confluence: ConfluenceClient,
  options: NaiveRunOptions,
): Promise<NaiveRunSummary> {
  const items: SharePointItem[] = [];
  for await (const page of sharePoint.readItems({ select: ["Title", "Status", "Amount"], pageSize: options.pageSize }))
    items.push(...page);
  const page = await confluence.getPage(options.pageId, { storage: true });
  const rows = tableValues(page.storage ?? "", options.pageId);
  options.onAllRead?.();

  const result = items.map((item) => ({
    id: Number(item.id),
    values: rows.get(item.id) ?? valuesOf(item),
    onPage: rows.has(item.id),
  }));
  const writes: ItemWrite[] = result.map(({ id, values }) => ({
    kind: "update",
    itemId: String(id),
    fields: { Title: values.title, Status: values.status, Amount: values.amount },
  }));
  const chunks = Array.from({ length: Math.ceil(writes.length / MAX_BATCH_SIZE) }, (_, index) =>
    writes.slice(index * MAX_BATCH_SIZE, (index + 1) * MAX_BATCH_SIZE),
  );
  const outcomes = (await mapBounded(chunks, options.concurrency, (chunk) => sharePoint.applyWrites(chunk))).flat();

  const kept = result.filter((entry) => options.appendMissing || entry.onPage).sort((a, b) => a.id - b.id);
  await confluence.updatePage({
    id: page.id,
    title: page.title,
    storage: pageBody(kept.map((entry) => tableRow(entry.id, entry.values))),
    version: page.version.number + 1,
  });
  return {
    itemsRead: items.length,
    rowsRead: rows.size,
    itemsWritten: outcomes.filter((outcome) => outcome.kind === "applied").length,
    writesFailed: outcomes.filter((outcome) => outcome.kind !== "applied").length,
    rowsWritten: kept.length,
  };
}

/** The first table's rows by their ID cell: Title, Status and Amount as text (a flow reads cells as text). */
function tableValues(storage: string, pageId: string): Map<string, BenchValues> {
  const parsed = parseStorage(storage, { pageId });
  if (!parsed.ok) throw parsed.error;
  const table = findTables(parsed.document)[0];
  if (table === undefined) throw new Error(`page ${pageId} has no table`);
  const rows = new Map<string, BenchValues>();
  for (const row of table.bodyRows) {
    const cell = (column: number) => row.slots[column]?.content.text.trim() ?? "";
    rows.set(cell(0), { title: cell(1), status: cell(2), amount: Number(cell(3)) });
  }
  return rows;
}

function valuesOf(item: SharePointItem): BenchValues {
  return {
    title: String(item.fields.Title ?? ""),
    status: String(item.fields.Status ?? ""),
    amount: Number(item.fields.Amount ?? 0),
  };
}

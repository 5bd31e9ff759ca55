import { type Profile, tableProfile } from "../config/profile";
import {
  type FieldCodecs,
  type ManagedTable,
  parseStorage,
  readTableRows,
  selectManagedTable,
  type TableRowReading,
} from "../mapping";
import type { ConfluenceRowReading, ConfluenceSide } from "../sync";
import type { RunProblem } from "./run/runReport";

/** The prefix of the version message on every page version the sync writes: how it tells its own versions. */
export const SYNC_VERSION_MESSAGE_PREFIX = "ConfluenceSync run ";

/** The version message of the page update of run `runId`; a retried update finds its own write by it. */
export function syncVersionMessage(runId: string): string {
  return `${SYNC_VERSION_MESSAGE_PREFIX}${runId}`;
}

export function isSyncVersion(message: string): boolean {
  return message.startsWith(SYNC_VERSION_MESSAGE_PREFIX);
}

export type ManagedPageResult =
  | { ok: true; table: ManagedTable; rows: TableRowReading[] }
  | { ok: false; problem: RunProblem };

/**
 * The profile's table on the page, checked and read through the codecs. A page the sync cannot work on (malformed
 * storage, no such table, a missing key or mapped column, merged cells, duplicate keys) is a problem for the whole
 * run, with the mapper's code and every message.
 */
export function readManagedPage(profile: Profile, storage: string, codecs: FieldCodecs): ManagedPageResult {
  const target = tableProfile(profile).confluence.target;
  const pageId = target.pageId;
  const parsed = parseStorage(storage, { pageId });
  if (!parsed.ok) return { ok: false, problem: { code: parsed.error.code, message: parsed.error.message } };
  const selected = selectManagedTable(parsed.document, target, codecs);
  if (!selected.ok) {
    const first = selected.errors[0];
    return {
      ok: false,
      problem: {
        code: first?.code ?? "TABLE_NOT_FOUND",
        message: selected.errors.map((error) => error.message).join("; "),
      },
    };
  }
  return { ok: true, table: selected.table, rows: readTableRows(selected.table) };
}

/**
 * The planner's view of the table. Rows whose key cell holds text that is no item id are left out (and returned,
 * for the report): the sync neither pairs, creates nor removes them.
 */
export function confluenceSide(
  rows: readonly TableRowReading[],
  page: { version: number; editedAt: string },
): { side: ConfluenceSide; invalidKeyRows: TableRowReading[] } {
  const kept: ConfluenceRowReading[] = [];
  const invalidKeyRows: TableRowReading[] = [];
  for (const row of rows) {
    if (row.key.kind === "invalid") {
      invalidKeyRows.push(row);
      continue;
    }
    kept.push({ rowRef: row.index, rowKey: row.key.kind === "item" ? row.key.id : null, cells: row.fields });
  }
  return { side: { rows: kept, page }, invalidKeyRows };
}

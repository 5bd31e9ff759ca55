import type { Profile } from "../config/profile";
import { headerKey, type ManagedTable, readNodeContent } from "../mapping";
import { readGateCell } from "../mapping/keyValueBlock";
import type { ClosedGates } from "../sync";
import type { RunProblem } from "./run/runReport";
import type { SharePointChanges } from "./sharePointChanges";

/** The gates a table-mode cycle found closed: per direction, and the items whose SharePoint gate is closed. */
export interface TableGates {
  readonly ok: true;
  readonly closed: ClosedGates;
  readonly sharePointClosed: string[];
}

/**
 * Table mode's gates (docs/pages-mode.md §5): a SharePoint yes/no column per item, and a column of the table per row.
 * A closed SharePoint gate holds the item's changes back from the page (and a new item's row); a closed Confluence gate
 * holds the row's changes back from the list (and a new row's item). Items the delta does not report keep the gate
 * they were last read with (`storedClosed`): an item whose gate flips is in the delta, the flip being an edit.
 */
export function tableGates(
  profile: Profile,
  changes: Pick<SharePointChanges, "changed" | "deletedIds">,
  storedClosed: readonly string[],
  table: ManagedTable,
): TableGates | { ok: false; problem: RunProblem } {
  const sharePointClosed = new Set(storedClosed);
  const gate = profile.gates.sharePoint;
  if (gate === undefined) sharePointClosed.clear();
  else
    for (const item of changes.changed) {
      if (item.fields[gate] === true) sharePointClosed.delete(item.id);
      else sharePointClosed.add(item.id);
    }
  for (const id of changes.deletedIds) sharePointClosed.delete(id);
  const towardSharePoint = new Set<string>();
  const rowsTowardSharePoint = new Set<number>();
  const header = profile.gates.confluence;
  if (header !== undefined) {
    const columns = table.table.headers.flatMap((text, column) =>
      headerKey(text) === headerKey(header) ? [column] : [],
    );
    const [column] = columns;
    if (columns.length !== 1 || column === undefined)
      return {
        ok: false,
        problem: {
          code: columns.length === 0 ? "COLUMN_MISSING" : "COLUMN_AMBIGUOUS",
          message: `profile "${profile.key}": the table has ${columns.length === 0 ? "no" : `${columns.length}`} column "${header}" (gates.confluence)`,
        },
      };
    for (const row of table.rows) {
      const cell = row.row.slots[column];
      const reading =
        cell === undefined ? { kind: "closed" as const } : readGateCell(readNodeContent(table.document, cell.node));
      if (reading.kind === "open") continue;
      if (row.key.kind === "item") towardSharePoint.add(row.key.id);
      else rowsTowardSharePoint.add(row.index);
    }
  }
  return {
    ok: true,
    closed: { towardConfluence: sharePointClosed, towardSharePoint, rowsTowardSharePoint },
    sharePointClosed: [...sharePointClosed].sort(),
  };
}

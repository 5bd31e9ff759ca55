import type { Profile } from "../../config/profile";
import type { FieldCodecs, ManagedTable } from "../../mapping";
import type { ConfluenceSide } from "../../sync";
import { confluenceSide, readManagedPage } from "../managedPage";
import { pageEditedAt } from "../pageEditedAt";
import type { RunItemReport, RunProblem } from "../run/runReport";
import type { CycleReads } from "./cycleReads";

export type PageRows =
  | {
      readonly ok: true;
      readonly side: ConfluenceSide;
      /** Rows whose key cell holds no item id: reported, left alone. */
      readonly readProblems: readonly RunItemReport[];
      /** When a person last saved the page (see pageEditedAt.ts). */
      readonly editedAt: string;
      /** The managed table as checked (its gate column is read from it). */
      readonly table: ManagedTable;
    }
  | { readonly ok: false; readonly problem: RunProblem };

/** The managed table of the page as the planner's Confluence side, every cell read by its field's codec. */
export function readPageRows(profile: Profile, reads: CycleReads, codecs: FieldCodecs, cycle: number): PageRows {
  const managed = readManagedPage(profile, reads.page.storage ?? "", codecs);
  if (!managed.ok) return { ok: false, problem: managed.problem };
  const editedAt = pageEditedAt(reads.page, reads.cursor?.cursor);
  const { side, invalidKeyRows } = confluenceSide(managed.rows, { version: reads.page.version.number, editedAt });
  const readProblems = invalidKeyRows.map(
    (row): RunItemReport => ({
      sharePointId: null,
      row: row.index + 1,
      action: "error",
      changes: [],
      conflicts: [],
      errors: [
        {
          field: null,
          side: "confluence",
          code: "ROW_KEY_INVALID",
          message: `row ${row.rowNumber}: the key cell holds "${row.key.kind === "invalid" ? row.key.text : ""}", which is no SharePoint item id; the row is left alone`,
        },
      ],
      result: "unchanged",
      cycle,
    }),
  );
  return { ok: true, side, readProblems, editedAt, table: managed.table };
}

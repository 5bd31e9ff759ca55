import type { AppError } from "../../errors";
import type { RunItemReport, RunProblem } from "../run/runReport";

/** A report entry of pages mode's own (a copy, an unlinked page, an item whose page cannot be read, …). */
export function pagesReportEntry(
  itemId: string | null,
  action: "error" | "skip",
  problem: RunProblem,
  cycle: number,
): RunItemReport {
  return {
    sharePointId: itemId,
    row: null,
    action,
    note: problem.message,
    changes: [],
    conflicts: [],
    errors: [{ field: null, side: "confluence", code: problem.code, message: problem.message }],
    result: "unchanged",
    cycle,
  };
}

/** An error as a report problem: its stable code and message. */
export function pagesProblem(error: AppError & { code: string }): RunProblem {
  return { code: error.code, message: error.message };
}

import { stageText } from "../../shared/diagnostics/runProgressText";
import type { RunProgress, StepCount } from "../../shared/engine/run/runProgress";

/**
 * The stages a sync's progress went through, as an operator watching its Durable status saw them; the batches with the
 * count they ended at (the status that moves on from a stage carries it).
 */
export function progressStages(progress: readonly RunProgress[]): string {
  const last = progress.at(-1)!;
  const stages = progress.map((status) => status.stage).filter((stage, i, all) => stage !== all[i - 1]);
  const count = (of: StepCount | undefined, one: string, many: string): string =>
    of === undefined ? "" : ` (${of.done}/${of.total} ${of.total === 1 ? one : many})`;
  return stages
    .map((stage) => {
      switch (stage) {
        case "preparing":
          return "reading, planning";
        case "writingSharePoint":
          return `writing SharePoint${count(last.batches, "batch", "batches")}`;
        case "updatingPage":
          return "updating the page";
        case "writingPages":
          return `writing pages${count(last.pages, "page", "pages")}`;
        default:
          return stageText({ ...last, stage });
      }
    })
    .join(" → ");
}

import type { CellContent } from "./cellContent";
import type { ColumnStyle } from "./fieldCodec";
import { normaliseText } from "./canonicalText";

/**
 * How a column shows its values now, judged from its non-empty cells: the kind most of them use (status lozenge, date,
 * link, mention, or plain text), plus the colour each status title has. `undefined` for a column with no values yet.
 * A value written later is rendered the same way, so a status column stays a status column.
 */
export function inferColumnStyle(cells: readonly CellContent[]): ColumnStyle | undefined {
  const votes = new Map<ColumnStyle["kind"], number>();
  const statusColours = new Map<string, string>();
  for (const cell of cells) {
    const kind = cellStyle(cell);
    if (kind === undefined) continue;
    votes.set(kind, (votes.get(kind) ?? 0) + 1);
    for (const reading of cell.readings) {
      if (reading.kind === "status" && !statusColours.has(normaliseText(reading.title))) statusColours.set(normaliseText(reading.title), reading.colour);
    }
  }
  let best: ColumnStyle["kind"] | undefined;
  for (const [kind, count] of votes) if (best === undefined || count > (votes.get(best) ?? 0)) best = kind;
  return best === undefined ? undefined : { kind: best, statusColours };
}

function cellStyle(cell: CellContent): ColumnStyle["kind"] | undefined {
  const first = cell.readings.find((reading) => reading.kind !== "emoticon" && reading.kind !== "task");
  switch (first?.kind) {
    case "status":
      return "status";
    case "date":
      return "date";
    case "link":
      return "link";
    case "mention":
      return "mention";
    default:
      return normaliseText(cell.text) === "" ? undefined : "text";
  }
}

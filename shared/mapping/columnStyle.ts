import { normaliseText } from "./canonicalText";
import type { CellContent } from "./cellContent";
import type { ColumnStyle } from "./fieldCodec";

/** How many non-empty cells decide a column's style: enough to see its habit without reading a whole big table. */
const STYLE_SAMPLE = 64;

/**
 * How a column shows its values now: the kind most of its first non-empty cells use (status lozenge, date, link,
 * mention, or plain text), and the colour each status title has on the page. `undefined` for a column with no values
 * yet. A value written later is rendered the same way, so a status column stays a status column. Cells are read
 * lazily: the style looks at a sample, colours are searched for only when asked.
 */
export function inferColumnStyle(cells: readonly { readonly content: CellContent }[]): ColumnStyle | undefined {
  const votes = new Map<ColumnStyle["kind"], number>();
  let sampled = 0;
  for (const cell of cells) {
    if (sampled >= STYLE_SAMPLE) break;
    const kind = cellStyle(cell.content);
    if (kind === undefined) continue;
    sampled += 1;
    votes.set(kind, (votes.get(kind) ?? 0) + 1);
  }
  let best: ColumnStyle["kind"] | undefined;
  for (const [kind, count] of votes) if (best === undefined || count > (votes.get(best) ?? 0)) best = kind;
  if (best === undefined) return undefined;

  const colours = new Map<string, string>();
  let scanned = 0;
  return {
    kind: best,
    statusColour(title) {
      const wanted = normaliseText(title);
      // Scan on from where the last search stopped; each cell is read at most once.
      while (!colours.has(wanted) && scanned < cells.length) {
        for (const reading of cells[scanned]?.content.readings ?? []) {
          const seen = reading.kind === "status" ? normaliseText(reading.title) : undefined;
          if (seen !== undefined && reading.kind === "status" && !colours.has(seen)) colours.set(seen, reading.colour);
        }
        scanned += 1;
      }
      return colours.get(wanted);
    },
  };
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

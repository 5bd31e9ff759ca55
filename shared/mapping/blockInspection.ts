import type { CanonicalValue } from "../sync/canonicalValue";
import { normaliseMultilineText } from "./canonicalText";
import { type CellReading, readNodeContent } from "./cellContent";
import { cellSignature, type GateReading, type PageBlock, type PlaceholderCell, readGateCell } from "./keyValueBlock";

/** An item page's block as pages mode reads it (docs/pages-mode.md §4): what `inspect-page --item` prints. JSON-safe. */
export interface BlockInspection {
  /** Where the block is on the page, e.g. `macro "details"`. */
  location: string;
  fields: {
    field: string;
    key: string;
    text: string;
    readings: CellReading[];
    /** The cell shows the template's placeholder: the value is unset. */
    placeholder: boolean;
    /** The canonical value, or why the cell cannot be read. */
    value: { ok: true; value: CanonicalValue } | { ok: false; code: string; message: string };
  }[];
  gate?: GateReading;
}

export function inspectBlock(block: PageBlock, placeholders: ReadonlyMap<string, PlaceholderCell>): BlockInspection {
  const { document } = block;
  const fields = [...block.codecs].map(([field, codec]) => {
    const cell = block.cells.get(field);
    const content =
      cell === undefined ? { text: "", textOutsideMentions: "", readings: [] } : readNodeContent(document, cell.node);
    const placeholder = placeholders.get(field)?.signature === cellSignature(content);
    const reading = placeholder ? { ok: true as const, value: null } : codec.readConfluence(content);
    return {
      field,
      key: codec.header,
      text: normaliseMultilineText(content.text),
      readings: [...content.readings],
      placeholder,
      value: reading.ok
        ? { ok: true as const, value: reading.value }
        : { ok: false as const, code: reading.error.code, message: reading.error.message },
    };
  });
  return {
    location: block.table.location,
    fields,
    ...(block.gateCell === undefined ? {} : { gate: readGateCell(readNodeContent(document, block.gateCell.node)) }),
  };
}

import { createHash } from "node:crypto";
import type { CanonicalValue } from "../sync/canonicalValue";
import { fieldHash } from "../sync/fieldHash";
import { booleanCodec } from "./booleanCodec";
import { normaliseText } from "./canonicalText";
import { type CellContent, readNodeContent } from "./cellContent";
import { inferColumnStyle } from "./columnStyle";
import type { FieldReading } from "./fieldCodec";
import type { FieldCodecs } from "./fieldCodecs";
import type { FieldValueError } from "./fieldValueError";
import { headerKey } from "./managedTable";
import { NO_NODE, type NodeId, type StorageDocument } from "./storageDocument";
import { StoragePageError } from "./storagePageError";
import { applySplices, type Splice } from "./storageSplice";
import { findTables, type StorageTable, type TableCell } from "./storageTable";
import { cellSplice, PLAIN_PARAGRAPH } from "./tablePatch";

/**
 * The key/value block of an item page (docs/pages-mode.md §4): which table on the page is ours, its entries (first
 * cell the key, second the value), reading the mapped values through the codecs, and patching value cells in place.
 * Pure; every byte outside the cells written stays as the page had it.
 */

/** Which block is ours: the `details` macro with this `id` parameter, else the first `details` table or key/value table. */
export interface BlockSelection {
  readonly detailsId?: string | undefined;
}

/** One row of the block: its key as shown, and the cells. */
export interface BlockEntry {
  readonly key: string;
  readonly keyCell: TableCell;
  readonly valueCell: TableCell | undefined;
}

/** A page's block, checked against the profile: the value cell of every mapped field (and of the gate key). */
export interface PageBlock {
  readonly document: StorageDocument;
  readonly table: StorageTable;
  readonly codecs: FieldCodecs;
  /** Value cell per mapped field (SharePoint name). */
  readonly cells: ReadonlyMap<string, TableCell>;
  /** The Confluence gate's value cell, when the profile has a gate key. */
  readonly gateCell?: TableCell;
}

/**
 * What the template's value cell of a field says, so that a page cell saying the same reads as unset, and an unset
 * value is written back as the template had it (docs/pages-mode.md §4).
 */
export interface PlaceholderCell {
  /** `cellSignature` of the template's cell. */
  readonly signature: string;
  /** The cell's inner storage XHTML, as the template has it. */
  readonly inner: string;
}

export type PageBlockResult = { ok: true; block: PageBlock } | { ok: false; errors: StoragePageError[] };

/**
 * Finds the block and checks it holds each mapped key (and the gate key, if any) exactly once, with a plain value
 * cell. Every problem is reported, naming the page and key.
 */
export function selectPageBlock(
  document: StorageDocument,
  selection: BlockSelection,
  codecs: FieldCodecs,
  options: { readonly gateKey?: string | undefined } = {},
): PageBlockResult {
  const pageId = document.pageId;
  const at = (column?: string) => ({
    ...(pageId === undefined ? {} : { pageId }),
    ...(column === undefined ? {} : { column }),
  });
  const table = findBlockTable(document, selection);
  if (table === undefined) {
    const which =
      selection.detailsId === undefined
        ? "no details macro with a table and no table whose first column is all header cells"
        : `no details macro with id "${selection.detailsId}" holding a table`;
    return { ok: false, errors: [new StoragePageError("BLOCK_NOT_FOUND", `the page has ${which}`, at())] };
  }
  const byKey = new Map<string, BlockEntry[]>();
  for (const entry of blockEntries(table)) {
    const key = headerKey(entry.key);
    if (key === "") continue;
    byKey.set(key, [...(byKey.get(key) ?? []), entry]);
  }
  const errors: StoragePageError[] = [];
  const valueCell = (key: string): TableCell | undefined => {
    const entries = byKey.get(headerKey(key)) ?? [];
    if (entries.length === 0) {
      const keys = [...byKey.values()].map((list) => JSON.stringify(list[0]?.key ?? "")).join(", ");
      errors.push(
        new StoragePageError(
          "BLOCK_KEY_MISSING",
          `the block (${table.location}) has no row "${key}" (its keys are ${keys || "none"})`,
          at(key),
        ),
      );
      return undefined;
    }
    if (entries.length > 1) {
      errors.push(
        new StoragePageError("BLOCK_KEY_DUPLICATE", `the block has ${entries.length} rows "${key}"`, at(key)),
      );
      return undefined;
    }
    const cell = entries[0]?.valueCell;
    if (cell === undefined) {
      errors.push(new StoragePageError("CELL_MISSING", `row "${key}" of the block has no value cell`, at(key)));
      return undefined;
    }
    if (cell.colspan > 1 || cell.rowspan > 1) {
      errors.push(
        new StoragePageError(
          "MERGED_CELL",
          `the value cell of row "${key}" is merged (colspan ${cell.colspan}, rowspan ${cell.rowspan}); split it`,
          at(key),
        ),
      );
      return undefined;
    }
    return cell;
  };
  const cells = new Map<string, TableCell>();
  for (const codec of codecs.values()) {
    const cell = valueCell(codec.header);
    if (cell !== undefined) cells.set(codec.name, cell);
  }
  const gateCell = options.gateKey === undefined ? undefined : valueCell(options.gateKey);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, block: { document, table, codecs, cells, ...(gateCell === undefined ? {} : { gateCell }) } };
}

/** The block's entries in row order: every row with a key cell (header rows included; their keys map to nothing). */
export function blockEntries(table: StorageTable): BlockEntry[] {
  return table.rows.flatMap((row) => {
    const keyCell = row.cells[0];
    if (keyCell === undefined) return [];
    const valueCell = row.slots[keyCell.column + keyCell.colspan];
    return [{ key: normaliseText(keyCell.content.text), keyCell, valueCell }];
  });
}

/** The table a selection names (see `BlockSelection`), or undefined. */
export function findBlockTable(document: StorageDocument, selection: BlockSelection): StorageTable | undefined {
  const tables = findTables(document);
  const details = detailsMacros(document);
  const inside = (macro: NodeId) =>
    tables.find((table) => table.node > macro && table.node < document.subtreeEnd(macro));
  if (selection.detailsId !== undefined) {
    const macro = details.find((node) => detailsIdOf(document, node) === selection.detailsId);
    return macro === undefined ? undefined : inside(macro);
  }
  for (const macro of details) {
    const table = inside(macro);
    if (table !== undefined) return table;
  }
  return tables.find((table) => table.orientation === "keyValue");
}

function detailsMacros(document: StorageDocument): NodeId[] {
  const found: NodeId[] = [];
  for (let node = 0; node < document.nodeCount; node += 1) {
    if (!document.isElement(node) || document.name(node) !== "ac:structured-macro") continue;
    if (document.attribute(node, "ac:name") !== "details") continue;
    if (insideFallback(document, node)) continue;
    found.push(node);
  }
  return found;
}

function insideFallback(document: StorageDocument, node: NodeId): boolean {
  for (let parent = document.parent(node); parent !== NO_NODE; parent = document.parent(parent))
    if (document.name(parent) === "ac:adf-fallback") return true;
  return false;
}

/** The `id` parameter of a `details` macro (the Page Properties ID a report can select). */
function detailsIdOf(document: StorageDocument, macro: NodeId): string | undefined {
  for (let child = document.firstChild(macro); child !== NO_NODE; child = document.nextSibling(child)) {
    if (!document.isElement(child) || document.name(child) !== "ac:parameter") continue;
    if (document.attribute(child, "ac:name") !== "id") continue;
    let text = "";
    for (let inner = child + 1; inner < document.subtreeEnd(child); inner += 1) text += document.text(inner);
    return text.trim();
  }
  return undefined;
}

/**
 * What a cell says, as a short fingerprint: its normalised text and typed readings. Two cells with the same
 * signature read the same whatever their markup (local ids, wrappers): used to tell a cell still showing the
 * template's placeholder.
 */
export function cellSignature(content: CellContent): string {
  const readings = content.readings.map((reading) =>
    reading.kind === "status" ? { ...reading, colour: reading.colour.toLowerCase() } : reading,
  );
  return createHash("sha256")
    .update(JSON.stringify({ text: normaliseText(content.text), readings }))
    .digest("base64url");
}

/**
 * The template's value cells that say "unset", by field: what such a cell looks like on a page made from the
 * template. Only a cell that holds no value for its field counts (empty, `<ac:placeholder>` text only, or something
 * the field cannot read, like a grey "SELECT" lozenge in a choice field): a cell holding a real value ("0", a
 * choice) is a default, not a placeholder, or a page showing that very value would read as unset.
 */
export function placeholderCells(block: PageBlock): Map<string, PlaceholderCell> {
  const placeholders = new Map<string, PlaceholderCell>();
  const { document } = block;
  for (const [field, cell] of block.cells) {
    const content = readNodeContent(document, cell.node);
    const reading = block.codecs.get(field)?.readConfluence(content);
    if (reading?.ok === true && reading.value !== null) continue;
    const inner = document.selfClosing(cell.node)
      ? ""
      : document.source.slice(document.innerStart(cell.node), document.innerEnd(cell.node));
    placeholders.set(field, { signature: cellSignature(content), inner });
  }
  return placeholders;
}

/** The gate as read: open, closed, or not readable as yes/no (which keeps it closed and is reported). */
export type GateReading =
  | { readonly kind: "open" }
  | { readonly kind: "closed" }
  | { readonly kind: "invalid"; readonly text: string };

const GATE_CODEC = booleanCodec("gate");

/** Reads a gate cell: yes opens it; no, empty or anything else keeps it closed. */
export function readGateCell(content: CellContent): GateReading {
  const read = GATE_CODEC.fromConfluence(content);
  if (!read.ok) return { kind: "invalid", text: normaliseText(content.text) };
  return read.value === true ? { kind: "open" } : { kind: "closed" };
}

/** The mapped values of a page's block, read through the codecs; a cell showing its template placeholder is unset. */
export interface PageBlockReading {
  readonly fields: Readonly<Record<string, FieldReading>>;
  /** The Confluence gate, when the profile has one. */
  readonly gate?: GateReading;
}

export function readPageBlock(
  block: PageBlock,
  placeholders: ReadonlyMap<string, Pick<PlaceholderCell, "signature">> = new Map(),
): PageBlockReading {
  const { document } = block;
  const fields: Record<string, FieldReading> = {};
  const where = `the block on page ${document.pageId ?? "?"}`;
  for (const [name, codec] of block.codecs) {
    const cell = block.cells.get(name);
    const content = cell === undefined ? EMPTY_CELL : readNodeContent(document, cell.node);
    const placeholder = placeholders.get(name);
    if (placeholder !== undefined && cellSignature(content) === placeholder.signature) {
      fields[name] = { ok: true, value: null, hash: UNSET_HASH };
      continue;
    }
    const reading = codec.readConfluence(content);
    fields[name] = reading.ok ? reading : { ok: false, error: reading.error.at(where) };
  }
  return {
    fields,
    ...(block.gateCell === undefined ? {} : { gate: readGateCell(readNodeContent(document, block.gateCell.node)) }),
  };
}

const EMPTY_CELL: CellContent = { text: "", textOutsideMentions: "", readings: [] };
const UNSET_HASH = fieldHash(null);

/** A value the page cannot show: its cell is left as it was. */
export interface RejectedBlockCell {
  readonly field: string;
  readonly error: FieldValueError;
}

export type PatchBlockResult =
  | { ok: true; storage: string; rejected: RejectedBlockCell[] }
  | { ok: false; error: StoragePageError };

/**
 * Writes new values into the block's value cells and answers the new storage; nothing else on the page changes.
 * Each value is rendered the way its cell shows values now (a lozenge stays a lozenge), inside the cell's own
 * wrapper; an unset value is written as the template's cell (`placeholders`), or as an empty cell when unknown.
 */
export function patchPageBlock(
  block: PageBlock,
  values: Readonly<Record<string, CanonicalValue>>,
  placeholders: ReadonlyMap<string, PlaceholderCell> = new Map(),
): PatchBlockResult {
  const { document } = block;
  const splices: Splice[] = [];
  const rejected: RejectedBlockCell[] = [];
  for (const [field, value] of Object.entries(values)) {
    const codec = block.codecs.get(field);
    const cell = block.cells.get(field);
    if (codec === undefined || cell === undefined) {
      return {
        ok: false,
        error: new StoragePageError("PATCH_INVALID", `the block has no cell for field "${field}"`, {
          ...(document.pageId === undefined ? {} : { pageId: document.pageId }),
        }),
      };
    }
    const placeholder = placeholders.get(field);
    if (value === null && placeholder !== undefined) {
      splices.push(innerSplice(document, cell, placeholder.inner));
      continue;
    }
    const rendered = codec.renderConfluence(value, inferColumnStyle([cell]));
    if (!rendered.ok) {
      rejected.push({ field, error: rendered.error });
      continue;
    }
    splices.push(cellSplice(document, cell, rendered.value.blocks, () => PLAIN_PARAGRAPH));
  }
  const storage = applySplices(document.source, splices);
  if (!storage.ok)
    return {
      ok: false,
      error: new StoragePageError("PATCH_INVALID", storage.message, {
        ...(document.pageId === undefined ? {} : { pageId: document.pageId }),
      }),
    };
  return { ok: true, storage: storage.text, rejected };
}

/** Replaces a cell's inner XHTML with `inner` verbatim (a self-closing `<td />` is written out in full). */
function innerSplice(document: StorageDocument, cell: TableCell, inner: string): Splice {
  const node = cell.node;
  if (!document.selfClosing(node))
    return { start: document.innerStart(node), end: document.innerEnd(node), text: inner };
  const tag = document.source.slice(document.start(node), document.end(node)).replace(/\s*\/>$/, ">");
  return { start: document.start(node), end: document.end(node), text: `${tag}${inner}</${document.name(node)}>` };
}

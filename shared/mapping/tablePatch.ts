import type { CanonicalValue } from "../sync/canonicalValue";
import { escapeText, isStorableText } from "./cellRendering";
import type { FieldValueError } from "./fieldValueError";
import { describeRow, type ManagedTable } from "./managedTable";
import { firstChildNamed, NO_NODE, type NodeId, type StorageDocument, startTagSource } from "./storageDocument";
import { StoragePageError } from "./storagePageError";
import { applySplices, type Splice } from "./storageSplice";
import type { TableCell, TableRow } from "./storageTable";

/**
 * One change to the managed table. Rows are addressed by their position among the body rows as read
 * (`ManagedRow.index`, `TableRowReading.index`); values are canonical, by SharePoint field name.
 * - `update`: new values for some cells of a row, and optionally its key (to write back the id of an item created
 *   from a row a person added);
 * - `append`: a new row for an item, shaped like the table's existing rows;
 * - `remove`: delete the row.
 */
export type TableEdit =
  | {
      readonly kind: "update";
      readonly row: number;
      readonly key?: string;
      readonly values: Readonly<Record<string, CanonicalValue>>;
    }
  | { readonly kind: "append"; readonly key: string; readonly values: Readonly<Record<string, CanonicalValue>> }
  | { readonly kind: "remove"; readonly row: number };

/** A value the page cannot show; its cell is left as it was (or empty, in an appended row). */
export interface RejectedCell {
  /** Index of the edit in the list given to `patchTable`. */
  readonly edit: number;
  readonly field: string;
  readonly error: FieldValueError;
}

export type PatchTableResult =
  | { ok: true; storage: string; rejected: RejectedCell[] }
  | { ok: false; error: StoragePageError };

/**
 * Applies edits to the managed table and returns the new storage body. Surgical: only the content of the changed
 * cells, the removed rows and the appended rows change; every other byte of the page stays as it was. A written value
 * takes the column's rendering (status lozenge, `<time>`, link, text) and the cell's wrapper (`<p>` or bare); an
 * appended row copies the attributes and wrappers of the last complete row. Values that cannot be shown are returned
 * in `rejected` and the rest is applied; structural mistakes (a row that is not there, two edits of one row) fail
 * the whole patch with `PATCH_INVALID`.
 */
export function patchTable(managed: ManagedTable, edits: readonly TableEdit[]): PatchTableResult {
  const { document, table } = managed;
  const splices: Splice[] = [];
  const rejected: RejectedCell[] = [];
  const touched = new Set<number>();
  const fail = (message: string): PatchTableResult => ({
    ok: false,
    error: new StoragePageError("PATCH_INVALID", message, {
      ...(document.pageId === undefined ? {} : { pageId: document.pageId }),
      table: table.index,
    }),
  });
  // Only cells with nothing in them need the table's usual wrapper; work it out once, if at all.
  let usualWrapper: Wrapper | undefined;
  const defaultWrapper = (): Wrapper => (usualWrapper ??= tableWrapper(document, managed));
  const appended: string[] = [];

  for (const [editIndex, edit] of edits.entries()) {
    if (edit.kind === "append") {
      const template = templateRow(managed);
      if (template === undefined)
        return fail(`table ${table.index + 1} has no complete row or header row to shape a new row on`);
      const contents = new Map<number, string[]>();
      contents.set(managed.keyColumn, [keyText(edit.key)]);
      for (const [field, value] of Object.entries(edit.values)) {
        const rendered = renderField(managed, field, value, editIndex, rejected);
        if (rendered === "unknown")
          return fail(`edit ${editIndex} sets field "${field}", which the profile does not map`);
        if (rendered !== undefined) contents.set(managed.fieldColumns.get(field) ?? -1, rendered);
      }
      appended.push(buildRow(document, template, contents, defaultWrapper));
      continue;
    }
    const row = managed.rows[edit.row];
    if (row === undefined)
      return fail(
        `edit ${editIndex} addresses body row ${edit.row}, but table ${table.index + 1} has ${managed.rows.length}`,
      );
    if (touched.has(edit.row))
      return fail(`edit ${editIndex} changes ${describeRow(managed, row)} again; combine the edits of one row`);
    touched.add(edit.row);
    if (edit.kind === "remove") {
      if (isMergedAcrossRows(row.row))
        return fail(`${describeRow(managed, row)} shares merged cells with other rows and cannot be removed alone`);
      splices.push({
        start: withLeadingWhitespace(document.source, document.start(row.row.node)),
        end: document.end(row.row.node),
        text: "",
      });
      continue;
    }
    if (edit.key !== undefined)
      splices.push(cellSplice(document, slotOf(row.row, managed.keyColumn), [keyText(edit.key)], defaultWrapper));
    for (const [field, value] of Object.entries(edit.values)) {
      const rendered = renderField(managed, field, value, editIndex, rejected);
      if (rendered === "unknown")
        return fail(`edit ${editIndex} sets field "${field}", which the profile does not map`);
      if (rendered !== undefined)
        splices.push(
          cellSplice(document, slotOf(row.row, managed.fieldColumns.get(field) ?? -1), rendered, defaultWrapper),
        );
    }
  }

  if (appended.length > 0) splices.push(appendSplice(managed, appended));
  const storage = applySplices(document.source, splices);
  if (!storage.ok) return fail(storage.message);
  return { ok: true, storage: storage.text, rejected };
}

/** Blocks for one field's new value, `undefined` if rejected (recorded), `"unknown"` for a field not mapped. */
function renderField(
  managed: ManagedTable,
  field: string,
  value: CanonicalValue,
  edit: number,
  rejected: RejectedCell[],
): string[] | undefined | "unknown" {
  const codec = managed.codecs.get(field);
  if (codec === undefined) return "unknown";
  const rendered = codec.renderConfluence(value, managed.styleOf(field));
  if (rendered.ok) return [...rendered.value.blocks];
  rejected.push({ edit, field, error: rendered.error });
  return undefined;
}

function keyText(key: string): string {
  // Keys are SharePoint item ids (digits); escape anyway, so a bad key can never break the page.
  return isStorableText(key) ? escapeText(key) : "";
}

function slotOf(row: TableRow, column: number): TableCell {
  const cell = row.slots[column];
  // selectManagedTable guarantees every body row has its own, unmerged cell in each managed column.
  if (cell === undefined)
    throw new Error(`invariant: row ${row.index + 1} has no cell in managed column ${column + 1}`);
  return cell;
}

function isMergedAcrossRows(row: TableRow): boolean {
  return (
    row.cells.some((cell) => cell.rowspan > 1) || row.slots.some((cell) => cell !== undefined && cell.row !== row.index)
  );
}

// Copied tags must not repeat the template's unique ids (`ac:local-id` on table parts, `local-id` on paragraphs);
// Confluence assigns new ones on save.
const LOCAL_ID_ATTRIBUTE = /\s(?:ac:)?local-id=(?:"[^"]*"|'[^']*')/g;

/** How a cell's content is wrapped: in paragraphs (with the first paragraph's attributes, ids aside), or bare. */
export type Wrapper = { readonly kind: "p"; readonly open: string } | { readonly kind: "bare" };

/** The editor's default wrapper, for an empty cell in a table that shows no habit. */
export const PLAIN_PARAGRAPH: Wrapper = { kind: "p", open: "<p>" };

function cellWrapper(document: StorageDocument, cell: NodeId): Wrapper | undefined {
  let content = 0;
  let paragraphs = 0;
  let firstParagraph: NodeId = NO_NODE;
  for (let child = document.firstChild(cell); child !== NO_NODE; child = document.nextSibling(child)) {
    if (!document.isElement(child)) {
      if (document.text(child).trim() !== "") content += 1;
      continue;
    }
    content += 1;
    if (document.name(child) !== "p") continue;
    paragraphs += 1;
    if (firstParagraph === NO_NODE) firstParagraph = child;
  }
  if (content === 0) return undefined;
  if (paragraphs === content && firstParagraph !== NO_NODE)
    return {
      kind: "p",
      // The paragraph's attributes shape every new block, but never its unique id (docs/references.md#what-confluence-changes-on-save).
      open: startTagSource(document, firstParagraph)
        .replace(/\s*\/>$/, ">")
        .replace(LOCAL_ID_ATTRIBUTE, ""),
    };
  return { kind: "bare" };
}

/** The wrapper for empty cells: the one most cells of the table use; paragraphs (the editor's default) if none. */
function tableWrapper(document: StorageDocument, managed: ManagedTable): Wrapper {
  let paragraphs = 0;
  let bare = 0;
  for (const row of managed.table.bodyRows) {
    for (const cell of row.cells) {
      const wrapper = cellWrapper(document, cell.node);
      if (wrapper?.kind === "p") paragraphs += 1;
      if (wrapper?.kind === "bare") bare += 1;
    }
  }
  return bare > paragraphs ? { kind: "bare" } : PLAIN_PARAGRAPH;
}

function wrapBlocks(blocks: readonly string[], wrapper: Wrapper): string {
  if (wrapper.kind === "bare") return blocks.join("<br />");
  const emptyParagraph = wrapper.open === "<p>" ? "<p />" : `${wrapper.open}</p>`;
  return blocks.map((block) => (block === "" ? emptyParagraph : `${wrapper.open}${block}</p>`)).join("");
}

/**
 * The splice that replaces a cell's content with `blocks`, wrapped the way the cell already wraps its content (or as
 * `fallback` says, for an empty cell). Also used by the key/value block patch (`keyValueBlock.ts`).
 */
export function cellSplice(
  document: StorageDocument,
  cell: TableCell,
  blocks: readonly string[],
  fallback: () => Wrapper,
): Splice {
  const { node } = cell;
  const content = wrapBlocks(blocks, cellWrapper(document, node) ?? fallback());
  if (!document.selfClosing(node))
    return { start: document.innerStart(node), end: document.innerEnd(node), text: content };
  // `<td />` has no inside to replace: write the cell out in full, keeping its attributes.
  return {
    start: document.start(node),
    end: document.end(node),
    text: `${openTag(startTagSource(document, node))}${content}</${document.name(node)}>`,
  };
}

function openTag(startTag: string): string {
  return startTag.replace(/\s*\/>$/, ">");
}

/** The row new rows are shaped on: the last body row with one plain cell per column, else the header row. */
function templateRow(managed: ManagedTable): { row: TableRow; fromHeader: boolean } | undefined {
  const { table } = managed;
  const complete = (row: TableRow): boolean =>
    row.cells.length === table.columnCount &&
    row.cells.every((cell) => cell.colspan === 1 && cell.rowspan === 1) &&
    row.slots.every((cell) => cell?.row === row.index);
  for (let index = table.bodyRows.length - 1; index >= 0; index -= 1) {
    const row = table.bodyRows[index];
    if (row !== undefined && complete(row)) return { row, fromHeader: false };
  }
  return table.headerRow !== undefined && complete(table.headerRow)
    ? { row: table.headerRow, fromHeader: true }
    : undefined;
}

function buildRow(
  document: StorageDocument,
  template: { row: TableRow; fromHeader: boolean },
  contents: ReadonlyMap<number, string[]>,
  fallback: () => Wrapper,
): string {
  const { source } = document;
  const { row, fromHeader } = template;
  let text = "";
  let position = document.start(row.node);
  for (const cell of row.cells) {
    text += source.slice(position, document.start(cell.node)).replace(LOCAL_ID_ATTRIBUTE, "");
    const wrapper = cellWrapper(document, cell.node) ?? fallback();
    let open = openTag(startTagSource(document, cell.node)).replace(LOCAL_ID_ATTRIBUTE, "");
    let name = document.name(cell.node);
    if (fromHeader) {
      open = open.replace(/^<th\b/, "<td");
      name = "td";
    }
    text += `${open}${wrapBlocks(contents.get(cell.column) ?? [""], wrapper)}</${name}>`;
    position = document.end(cell.node);
  }
  return text + source.slice(position, document.end(row.node));
}

/** Where appended rows go: after the last body row (or the header), keeping the indentation between rows. */
function appendSplice(managed: ManagedTable, rows: readonly string[]): Splice {
  const { document, table } = managed;
  const { source } = document;
  const last = table.bodyRows[table.bodyRows.length - 1] ?? table.headerRow;
  const all = table.rows;
  const before = all.length >= 2 ? all[all.length - 2] : undefined;
  const lastOfAll = all[all.length - 1];
  const gap =
    before !== undefined && lastOfAll !== undefined
      ? source.slice(document.end(before.node), document.start(lastOfAll.node))
      : "";
  const separator = /^\s*$/.test(gap) ? gap : "";
  const joined = rows.map((row) => separator + row).join("");
  if (last === undefined) {
    const end = document.innerEnd(table.node);
    return { start: end, end, text: `<tbody>${joined}</tbody>` };
  }
  if (table.bodyRows.length === 0 && document.name(last.groupNode) === "thead") {
    // Only a head so far: the rows go into the table's body, created if needed.
    const body = firstChildNamed(document, table.node, "tbody");
    if (body !== NO_NODE && !document.selfClosing(body))
      return { start: document.innerEnd(body), end: document.innerEnd(body), text: joined };
    if (body !== NO_NODE)
      return { start: document.start(body), end: document.end(body), text: `<tbody>${joined}</tbody>` };
    const groupEnd = document.end(last.groupNode);
    return { start: groupEnd, end: groupEnd, text: `<tbody>${joined}</tbody>` };
  }
  const rowEnd = document.end(last.node);
  return { start: rowEnd, end: rowEnd, text: joined };
}

/** Removing a row takes the indentation in front of it too, so a pretty-printed table stays tidy. */
function withLeadingWhitespace(source: string, start: number): number {
  let index = start;
  while (index > 0 && /\s/.test(source.charAt(index - 1))) index -= 1;
  return source.charAt(index - 1) === ">" ? index : start;
}

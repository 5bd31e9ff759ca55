import type { TableEdit } from "../mapping";
import type { CanonicalValue, ConfluenceWrites, CreateRef } from "../sync";

/** The table edits of a page update, and whose item each edit's cells belong to (to place refused cells). */
export interface PageEdits {
  readonly edits: readonly TableEdit[];
  /** Per edit: the SharePoint id, or create ref, of the item its cells belong to (null for a bare key write-back). */
  readonly targets: readonly (string | null)[];
  /** Cell updates and key write-backs left out because the create they depend on failed. */
  readonly skipped: number;
}

/**
 * The planned page changes as table edits, given which creates succeeded: one edit per row (patchTable takes one per
 * row, so a row's cells and its key write-back travel together), appends and removals as planned. Writes that belong
 * to a failed create are left out: the row keeps its empty key and is planned again next run.
 */
export function pageEdits(writes: ConfluenceWrites, createdIds: ReadonlyMap<CreateRef, string>): PageEdits {
  const rows = new Map<number, { values: Map<string, CanonicalValue>; key?: string; target: string | null }>();
  const rowEdit = (rowRef: number) => {
    let edit = rows.get(rowRef);
    if (edit === undefined) {
      edit = { values: new Map(), target: null };
      rows.set(rowRef, edit);
    }
    return edit;
  };
  let skipped = 0;
  for (const update of writes.rowUpdates) {
    if (update.afterCreate !== null && !createdIds.has(update.afterCreate)) {
      skipped += 1;
      continue;
    }
    const edit = rowEdit(update.rowRef);
    for (const [field, value] of Object.entries(update.cells)) edit.values.set(field, value);
    edit.target = update.sharePointId ?? update.afterCreate;
  }
  for (const writeBack of writes.keyWriteBacks) {
    const id = writeBack.key.kind === "existing" ? writeBack.key.sharePointId : createdIds.get(writeBack.key.createRef);
    if (id === undefined) {
      skipped += 1;
      continue;
    }
    rowEdit(writeBack.rowRef).key = id;
  }
  const edits: TableEdit[] = [];
  const targets: (string | null)[] = [];
  for (const [row, edit] of [...rows].sort(([a], [b]) => a - b)) {
    // fromEntries, not assignment: a field key is data and may be `__proto__`.
    edits.push({
      kind: "update",
      row,
      ...(edit.key === undefined ? {} : { key: edit.key }),
      values: Object.fromEntries(edit.values),
    });
    targets.push(edit.target);
  }
  for (const removal of writes.removals) {
    edits.push({ kind: "remove", row: removal.rowRef });
    targets.push(removal.sharePointId);
  }
  for (const append of writes.appends) {
    edits.push({ kind: "append", key: append.sharePointId, values: append.cells });
    targets.push(append.sharePointId);
  }
  return { edits, targets, skipped };
}

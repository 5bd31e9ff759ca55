import type { CanonicalValue, FieldKey, FieldReading } from "../../../shared/sync";

/** A value a person types: a canonical value, or text the column's codec cannot read (`abc` in a Number column). */
export type TypedValue = CanonicalValue | { readonly unreadable: string };

/**
 * What people do to the two replicas, independent of how the replicas are implemented (plain maps here, the
 * emulators' admin surface in the engine's model test). `pick` chooses among the existing items/rows modulo their
 * count, so any generated sequence applies to any world; an edit with nothing to pick is skipped.
 */
export type PersonEdit =
  | { readonly kind: "createItem"; readonly values: readonly TypedValue[] }
  | { readonly kind: "editItem"; readonly pick: number; readonly field: number; readonly value: TypedValue }
  | { readonly kind: "deleteItem"; readonly pick: number }
  | { readonly kind: "addRow"; readonly at: number; readonly values: readonly TypedValue[] }
  | { readonly kind: "editCell"; readonly pick: number; readonly field: number; readonly value: TypedValue }
  | { readonly kind: "removeRow"; readonly pick: number };

/** An item (by SharePoint id) or a row (by the world's own row identity). */
export type EntityRef = { readonly side: "sharePoint"; readonly id: string } | { readonly side: "confluence"; readonly uid: string };

/** What a person edit did, concretely: what the invariant checks follow. */
export type PersonEvent =
  | { readonly kind: "created"; readonly entity: EntityRef; readonly values: Readonly<Record<FieldKey, FieldReading>> }
  | {
      readonly kind: "edited";
      readonly entity: EntityRef;
      readonly field: FieldKey;
      readonly value: FieldReading;
      /** The value it replaced: typing the same value again is no edit. */
      readonly previous: FieldReading | undefined;
    }
  | { readonly kind: "deleted"; readonly entity: EntityRef };

/** The operations people have on the two replicas. */
export interface PersonEditTarget {
  readonly fieldKeys: readonly FieldKey[];
  itemIds(): readonly string[];
  rowUids(): readonly string[];
  itemValue(id: string, field: FieldKey): FieldReading | undefined;
  cellValue(uid: string, field: FieldKey): FieldReading | undefined;
  createItem(values: Readonly<Record<FieldKey, FieldReading>>): string;
  editItem(id: string, field: FieldKey, value: FieldReading): void;
  deleteItem(id: string): void;
  /** Adds a row with an empty key cell at `position` (clamped) and returns its identity. */
  addRow(position: number, values: Readonly<Record<FieldKey, FieldReading>>): string;
  editCell(uid: string, field: FieldKey, value: FieldReading): void;
  removeRow(uid: string): void;
}

export function readingOf(value: TypedValue): FieldReading {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && "unreadable" in value && typeof value.unreadable === "string") {
    return { ok: false, error: { code: "UNREADABLE", message: `cannot read "${value.unreadable}"` } };
  }
  return { ok: true, value: value as CanonicalValue };
}

function pickFrom<T>(list: readonly T[], pick: number): T | undefined {
  return list.length === 0 ? undefined : list[pick % list.length];
}

/** Applies one person edit and says what it did (`null` when there was nothing to pick). */
export function applyPersonEdit(target: PersonEditTarget, edit: PersonEdit): PersonEvent | null {
  const keys = target.fieldKeys;
  const fieldOf = (index: number) => keys[index % keys.length] as FieldKey;
  const valuesOf = (values: readonly TypedValue[]) =>
    Object.fromEntries(keys.map((key, index) => [key, readingOf(values[index] ?? null)]));
  switch (edit.kind) {
    case "createItem": {
      const values = valuesOf(edit.values);
      return { kind: "created", entity: { side: "sharePoint", id: target.createItem(values) }, values };
    }
    case "editItem": {
      const id = pickFrom(target.itemIds(), edit.pick);
      if (id === undefined) return null;
      const value = readingOf(edit.value);
      const previous = target.itemValue(id, fieldOf(edit.field));
      target.editItem(id, fieldOf(edit.field), value);
      return { kind: "edited", entity: { side: "sharePoint", id }, field: fieldOf(edit.field), value, previous };
    }
    case "deleteItem": {
      const id = pickFrom(target.itemIds(), edit.pick);
      if (id === undefined) return null;
      target.deleteItem(id);
      return { kind: "deleted", entity: { side: "sharePoint", id } };
    }
    case "addRow": {
      const values = valuesOf(edit.values);
      return { kind: "created", entity: { side: "confluence", uid: target.addRow(edit.at, values) }, values };
    }
    case "editCell": {
      const uid = pickFrom(target.rowUids(), edit.pick);
      if (uid === undefined) return null;
      const value = readingOf(edit.value);
      const previous = target.cellValue(uid, fieldOf(edit.field));
      target.editCell(uid, fieldOf(edit.field), value);
      return { kind: "edited", entity: { side: "confluence", uid }, field: fieldOf(edit.field), value, previous };
    }
    case "removeRow": {
      const uid = pickFrom(target.rowUids(), edit.pick);
      if (uid === undefined) return null;
      target.removeRow(uid);
      return { kind: "deleted", entity: { side: "confluence", uid } };
    }
  }
}

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
  /** The items (SharePoint) or rows (Confluence, in table order) that exist now. */
  entities(side: EntityRef["side"]): readonly EntityRef[];
  valueOf(entity: EntityRef, field: FieldKey): FieldReading | undefined;
  setValue(entity: EntityRef, field: FieldKey, value: FieldReading): void;
  remove(entity: EntityRef): void;
  createItem(values: Readonly<Record<FieldKey, FieldReading>>): string;
  /** Adds a row with an empty key cell at `position` (clamped) and returns its identity. */
  addRow(position: number, values: Readonly<Record<FieldKey, FieldReading>>): string;
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
  const valuesOf = (values: readonly TypedValue[]) =>
    Object.fromEntries(keys.map((key, index) => [key, readingOf(values[index] ?? null)]));
  const pick = (side: EntityRef["side"], index: number) => pickFrom(target.entities(side), index);
  const change = (entity: EntityRef | undefined, fieldIndex: number, typed: TypedValue): PersonEvent | null => {
    if (entity === undefined) return null;
    const field = keys[fieldIndex % keys.length] as FieldKey;
    const value = readingOf(typed);
    const previous = target.valueOf(entity, field);
    target.setValue(entity, field, value);
    return { kind: "edited", entity, field, value, previous };
  };
  const remove = (entity: EntityRef | undefined): PersonEvent | null => {
    if (entity === undefined) return null;
    target.remove(entity);
    return { kind: "deleted", entity };
  };
  switch (edit.kind) {
    case "createItem": {
      const values = valuesOf(edit.values);
      return { kind: "created", entity: { side: "sharePoint", id: target.createItem(values) }, values };
    }
    case "addRow": {
      const values = valuesOf(edit.values);
      return { kind: "created", entity: { side: "confluence", uid: target.addRow(edit.at, values) }, values };
    }
    case "editItem":
      return change(pick("sharePoint", edit.pick), edit.field, edit.value);
    case "editCell":
      return change(pick("confluence", edit.pick), edit.field, edit.value);
    case "deleteItem":
      return remove(pick("sharePoint", edit.pick));
    case "removeRow":
      return remove(pick("confluence", edit.pick));
  }
}

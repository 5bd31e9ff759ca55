import type { CanonicalValue, FieldKey, FieldReading } from "../../../shared/sync";

/** A value a person types: a canonical value, or text the column's codec cannot read (`abc` in a Number column). */
export type TypedValue = CanonicalValue | { readonly unreadable: string };

/**
 * What people do to the two replicas, independent of how the replicas are implemented (plain maps in the pure model,
 * the emulators' admin surfaces in the engine's end-to-end model). `pick` chooses among the existing items/rows modulo
 * their count, so any generated sequence applies to any world; an edit with nothing to pick is skipped. `V` is what a
 * person types into a field: a {@link TypedValue} in the pure model, per-side input in the end-to-end one.
 */
export type PersonEdit<V = TypedValue> =
  | { readonly kind: "createItem"; readonly values: readonly V[] }
  | { readonly kind: "editItem"; readonly pick: number; readonly field: number; readonly value: V }
  | { readonly kind: "deleteItem"; readonly pick: number }
  | { readonly kind: "addRow"; readonly at: number; readonly values: readonly V[] }
  | { readonly kind: "editCell"; readonly pick: number; readonly field: number; readonly value: V }
  | { readonly kind: "removeRow"; readonly pick: number };

/** An item (by SharePoint id) or a row (by the world's own row identity). */
export type EntityRef =
  | { readonly side: "sharePoint"; readonly id: string }
  | { readonly side: "confluence"; readonly uid: string };

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

/** What a world shows people to choose from: its mapped fields and the items/rows that exist now. */
export interface PersonEditView {
  readonly fieldKeys: readonly FieldKey[];
  /** The items (SharePoint) or rows (Confluence, in table order) that exist now. */
  entities(side: EntityRef["side"]): readonly EntityRef[];
}

/** A person edit with its choices made: which entity, which field. What is left is doing it. */
export type PersonAction<V = TypedValue> =
  | { readonly kind: "createItem"; readonly values: readonly V[] }
  | { readonly kind: "addRow"; readonly at: number; readonly values: readonly V[] }
  | { readonly kind: "setValue"; readonly entity: EntityRef; readonly field: FieldKey; readonly value: V }
  | { readonly kind: "remove"; readonly entity: EntityRef };

/** The operations people have on the two replicas (synchronously: the pure model's plain-data world). */
export interface PersonEditTarget extends PersonEditView {
  valueOf(entity: EntityRef, field: FieldKey): FieldReading | undefined;
  setValue(entity: EntityRef, field: FieldKey, value: FieldReading): void;
  remove(entity: EntityRef): void;
  createItem(values: Readonly<Record<FieldKey, FieldReading>>): string;
  /** Adds a row with an empty key cell at `position` (clamped) and returns its identity. */
  addRow(position: number, values: Readonly<Record<FieldKey, FieldReading>>): string;
}

export function readingOf(value: TypedValue): FieldReading {
  if (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    "unreadable" in value &&
    typeof value.unreadable === "string"
  ) {
    return { ok: false, error: { code: "UNREADABLE", message: `cannot read "${value.unreadable}"` } };
  }
  return { ok: true, value: value as CanonicalValue };
}

function pickFrom<T>(list: readonly T[], pick: number): T | undefined {
  return list.length === 0 ? undefined : list[pick % list.length];
}

/** Makes the edit's choices against what the world shows now; `null` when there is nothing to pick. */
export function resolvePersonEdit<V>(view: PersonEditView, edit: PersonEdit<V>): PersonAction<V> | null {
  const keys = view.fieldKeys;
  const pick = (side: EntityRef["side"], index: number) => pickFrom(view.entities(side), index);
  const set = (entity: EntityRef | undefined, fieldIndex: number, value: V): PersonAction<V> | null =>
    entity === undefined
      ? null
      : { kind: "setValue", entity, field: keys[fieldIndex % keys.length] as FieldKey, value };
  const remove = (entity: EntityRef | undefined): PersonAction<V> | null =>
    entity === undefined ? null : { kind: "remove", entity };
  switch (edit.kind) {
    case "createItem":
      return { kind: "createItem", values: edit.values };
    case "addRow":
      return { kind: "addRow", at: edit.at, values: edit.values };
    case "editItem":
      return set(pick("sharePoint", edit.pick), edit.field, edit.value);
    case "editCell":
      return set(pick("confluence", edit.pick), edit.field, edit.value);
    case "deleteItem":
      return remove(pick("sharePoint", edit.pick));
    case "removeRow":
      return remove(pick("confluence", edit.pick));
  }
}

/** Applies one person edit to a plain-data world and says what it did (`null` when there was nothing to pick). */
export function applyPersonEdit(target: PersonEditTarget, edit: PersonEdit): PersonEvent | null {
  const action = resolvePersonEdit(target, edit);
  if (action === null) return null;
  const valuesOf = (values: readonly TypedValue[]) =>
    Object.fromEntries(target.fieldKeys.map((key, index) => [key, readingOf(values[index] ?? null)]));
  switch (action.kind) {
    case "createItem": {
      const values = valuesOf(action.values);
      return { kind: "created", entity: { side: "sharePoint", id: target.createItem(values) }, values };
    }
    case "addRow": {
      const values = valuesOf(action.values);
      return { kind: "created", entity: { side: "confluence", uid: target.addRow(action.at, values) }, values };
    }
    case "setValue": {
      const value = readingOf(action.value);
      const previous = target.valueOf(action.entity, action.field);
      target.setValue(action.entity, action.field, value);
      return { kind: "edited", entity: action.entity, field: action.field, value, previous };
    }
    case "remove":
      target.remove(action.entity);
      return { kind: "deleted", entity: action.entity };
  }
}

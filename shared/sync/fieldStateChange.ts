import { boundedObservation, boundedSnapshot, type FieldObservation, type FieldSnapshot } from "./fieldValue";
import type { FieldState, ItemState } from "./itemState";
import { type FieldMerge, fieldWriteOf } from "./mergeField";
import type { FieldStateChange } from "./plan";

/**
 * What the state keeps for a field whose sides did not (yet) agree: the base unchanged, plus SharePoint's current
 * value when it differs from the base, so an item that drops out of the delta keeps its unpropagated edit.
 */
export function heldFieldState(base: FieldSnapshot | null, sharePoint: FieldObservation, maxChars: number): FieldState {
  const keptBase = base === null ? null : boundedSnapshot(base, maxChars);
  if (sharePoint.ok && base !== null && sharePoint.hash === base.hash) return { base: keptBase };
  return { base: keptBase, sharePoint: boundedObservation(sharePoint, maxChars) };
}

/**
 * The next state of a field after its merge. The base moves to the written value only if that write succeeds; a
 * convergent field moves unconditionally; everything else (conflicts left open, unreadable values, noop) holds.
 */
export function fieldStateChange(
  merge: FieldMerge,
  base: FieldSnapshot | null,
  sharePoint: FieldObservation,
  maxChars: number,
): FieldStateChange {
  // A flagged conflict dissolves the agreement: until a person makes the sides equal, neither value is "the base"
  // (one side set back to the old value is a new claim in the dispute, not an end to it).
  if (merge.kind === "conflict" && merge.resolution.kind === "flagged") {
    const dissolved: FieldState = { base: null, sharePoint: boundedObservation(sharePoint, maxChars), disputed: true };
    return { requires: null, ifApplied: dissolved, otherwise: dissolved };
  }
  const unsettled = heldFieldState(base, sharePoint, maxChars);
  // A first pairing that could not settle a field (the sides differ, or one could not be read) leaves it disputed:
  // from then on an empty side may be someone's deliberate clearing, not a blank to fill.
  const disputed =
    base === null && ((merge.kind === "conflict" && merge.cause === "noBase") || merge.kind === "invalid");
  const held: FieldState = disputed ? { ...unsettled, disputed: true } : unsettled;
  if (merge.kind === "convergent") {
    const agreed: FieldState = { base: boundedSnapshot(merge.value, maxChars) };
    return { requires: null, ifApplied: agreed, otherwise: agreed };
  }
  const write = fieldWriteOf(merge);
  if (write === null) return { requires: null, ifApplied: held, otherwise: held };
  const written = boundedSnapshot(write.value, maxChars);
  if (write.to === "sharePoint") return { requires: "sharePointWrite", ifApplied: { base: written }, otherwise: held };
  return {
    requires: "confluenceWrite",
    ifApplied: { base: written },
    otherwise: { ...held, unconfirmedWrite: written },
  };
}

/** A field state that stays as it is. */
export function unchangedFieldState(state: FieldState): FieldStateChange {
  return { requires: null, ifApplied: state, otherwise: state };
}

/**
 * A field's merge base when its row is found by the item's id. An unconfirmed page write (`unconfirmedWrite`) is
 * the base when the cell holds exactly that value (the write landed, or the sides met there anyway), and for an item
 * awaiting its row, whose id in the row proves the page update that linked them landed with the cells it wrote.
 * Otherwise it proves nothing (for an active pair the row was there before) and the stored base stands.
 */
export function baseWhenLinked(
  status: ItemState["status"],
  field: FieldState,
  cell: FieldObservation,
): FieldState["base"] {
  const written = field.unconfirmedWrite;
  if (written === undefined) return field.base;
  if (status === "awaitingRow" || (cell.ok && cell.hash === written.hash)) return written;
  return field.base;
}

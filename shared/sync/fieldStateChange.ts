import {
  boundedObservation,
  boundedSnapshot,
  type FieldObservation,
  type FieldSnapshot,
} from "./fieldValue";
import type { FieldState } from "./itemState";
import { fieldWriteOf, type FieldMerge } from "./mergeField";
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
  const held = heldFieldState(base, sharePoint, maxChars);
  if (merge.kind === "convergent") {
    const agreed: FieldState = { base: boundedSnapshot(merge.value, maxChars) };
    return { requires: null, ifApplied: agreed, otherwise: agreed };
  }
  const write = fieldWriteOf(merge);
  if (write === null) return { requires: null, ifApplied: held, otherwise: held };
  const written = boundedSnapshot(write.value, maxChars);
  if (write.to === "sharePoint") return { requires: "sharePointWrite", ifApplied: { base: written }, otherwise: held };
  return { requires: "confluenceWrite", ifApplied: { base: written }, otherwise: { ...held, unconfirmedWrite: written } };
}

/** A field state that stays as it is. */
export function unchangedFieldState(state: FieldState): FieldStateChange {
  return { requires: null, ifApplied: state, otherwise: state };
}

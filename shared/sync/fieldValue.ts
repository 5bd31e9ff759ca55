import { type CanonicalValue, canonicalJson } from "./canonicalValue";
import { type FieldHash, fieldHash } from "./fieldHash";

/** Why a codec could not turn a cell or column value into a canonical value, e.g. `abc` in a Number column. */
export interface FieldReadError {
  readonly code: string;
  readonly message: string;
}

/** One side's value of one field as a codec read it this run. */
export type FieldReading =
  | {
      readonly ok: true;
      readonly value: CanonicalValue;
      /**
       * `fieldHash(value)`, when the reader already computed it (the mapping's codecs do): the planner then does not
       * hash every cell and field a second time, which was a third of its time on a large idle run.
       */
      readonly hash?: FieldHash;
    }
  | { readonly ok: false; readonly error: FieldReadError };

/**
 * A field value known by its hash, with the value itself when it is at hand. Values read this run always carry it;
 * values kept in the state carry it only up to the rules' `storedValueMaxChars` (Table Storage rows are bounded).
 */
export interface FieldSnapshot {
  readonly hash: FieldHash;
  readonly value?: CanonicalValue;
}

/** A snapshot whose value is known: what a write needs. */
export interface KnownValue {
  readonly hash: FieldHash;
  readonly value: CanonicalValue;
}

/** A side's current value of a field as the planner knows it: a snapshot, or the error that made it unreadable. */
export type FieldObservation =
  | ({ readonly ok: true } & FieldSnapshot)
  | { readonly ok: false; readonly error: FieldReadError };

/** The hash of an empty field (`null`). */
export const EMPTY_HASH: FieldHash = fieldHash(null);

export function knownValue(value: CanonicalValue): KnownValue {
  return { hash: fieldHash(value), value };
}

/** What a codec reading tells the planner. */
export function observe(reading: FieldReading): FieldObservation {
  if (!reading.ok) return { ok: false, error: reading.error };
  return { ok: true, hash: reading.hash ?? fieldHash(reading.value), value: reading.value };
}

/** The value of a snapshot when it is at hand (`undefined` for hash-only snapshots). */
export function valueOf(snapshot: FieldSnapshot): KnownValue | undefined {
  return snapshot.value === undefined ? undefined : { hash: snapshot.hash, value: snapshot.value };
}

/** Keeps a snapshot's value only while its canonical JSON is at most `maxChars` characters long. */
export function boundedSnapshot(snapshot: FieldSnapshot, maxChars: number): FieldSnapshot {
  if (snapshot.value === undefined) return { hash: snapshot.hash };
  return canonicalJson(snapshot.value).length <= maxChars
    ? { hash: snapshot.hash, value: snapshot.value }
    : { hash: snapshot.hash };
}

export function boundedObservation(observation: FieldObservation, maxChars: number): FieldObservation {
  return observation.ok ? { ok: true, ...boundedSnapshot(observation, maxChars) } : observation;
}

/** Strips an observation's `ok` tag: the snapshot of a readable value. */
export function snapshotOf(observation: FieldSnapshot): FieldSnapshot {
  return observation.value === undefined
    ? { hash: observation.hash }
    : { hash: observation.hash, value: observation.value };
}

/**
 * Default bound on values kept in the state (canonical JSON characters). Keeps an item's state row well inside
 * Table Storage's limits while holding every ordinary value; longer values (long notes) are kept by hash, and the
 * planner asks for a fresh read of the item on the rare occasion it needs one.
 */
export const DEFAULT_STORED_VALUE_MAX_CHARS = 4000;

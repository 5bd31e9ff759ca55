import type { FieldKey } from "./fieldKey";
import type { FieldObservation, FieldSnapshot } from "./fieldValue";

/**
 * Where an item pair stands.
 * - `active`: the SharePoint item and its row (key column = the item's id) both exist and are synced.
 * - `deletedInSharePoint`: the item is gone, its row is still on the page (kept by the `keep` policy, held by a
 *   delete-vs-edit conflict, or waiting for its removal to succeed). Never re-created automatically.
 * - `deletedInConfluence`: the row is gone, the item still exists (same reasons, other way round). Never re-appended
 *   automatically.
 * - `awaitingRow`: a SharePoint item the sync has seen that has no row yet (its append or key write-back failed, its
 *   natural key is ambiguous, or the profile does not append rows). Remembered so that a later run can still pair or
 *   append it even when it no longer shows up in the delta.
 */
export type PairStatus = "active" | "deletedInSharePoint" | "deletedInConfluence" | "awaitingRow";

/**
 * Where a row without a key sat in the table: between the nearest keyed rows above and below it (their keys; `null`
 * = the top or the bottom of the table). Keys the sync writes later into rows in between do not move it.
 */
export interface RowOrigin {
  readonly afterKey: string | null;
  readonly beforeKey: string | null;
}

/** What the state remembers about one field of a pair. */
export interface FieldState {
  /**
   * The merge base: the value both sides last agreed on. `null` when they never have (a pair first seen with
   * different values, or a field added to the profile later).
   */
  readonly base: FieldSnapshot | null;
  /**
   * SharePoint's value as last read, present only when it differs from the base (an edit not yet propagated: a
   * flagged conflict, a failed write, an unreadable value). Needed because an item that does not change again is
   * absent from later deltas, and its unpropagated edit must not be forgotten.
   */
  readonly sharePoint?: FieldObservation;
  /**
   * A value the sync wrote into the Confluence cell in a page update that did not confirm (it failed, or its answer
   * was lost). Matters only while the item awaits its row: if the row then turns up carrying the item's id, that
   * update did land, and this value, not the stored base, is what the cell and SharePoint last agreed on.
   */
  readonly unconfirmedWrite?: FieldSnapshot;
  /** The sides disagreed (or one was unreadable) when first paired and have not agreed since (see `FieldMergeRules.disputed`). */
  readonly disputed?: true;
}

/**
 * The state of one item pair, one row in the state store per profile and SharePoint id. In table mode the
 * Confluence row key is the SharePoint id itself (the key column holds it), so it is not stored twice.
 */
export interface ItemState {
  readonly sharePointId: string;
  readonly status: PairStatus;
  /** The item's eTag as last read or written, used as `If-Match`; `null` = unknown (the item must be read first). */
  readonly sharePointETag: string | null;
  /** The item's `lastModifiedDateTime` as last read or written (ISO 8601), for newest-wins; `null` = unknown. */
  readonly sharePointModifiedAt: string | null;
  readonly fields: Readonly<Record<FieldKey, FieldState>>;
  /**
   * Only while `awaitingRow`, for an item the sync created from a row, or matched with a row, but whose id it then
   * failed to write into that row: where the row was. Lets a later run find the row again even after people edited
   * it, instead of appending the item as a second row or creating the row's item a second time.
   */
  readonly awaitedRow?: RowOrigin;
  /** ISO 8601 time of the run that last changed this state. */
  readonly lastSyncedAt: string;
}

/** Whether two states hold the same knowledge (`lastSyncedAt` aside): committing `b` over `a` would change nothing. */
export function sameItemState(a: ItemState, b: ItemState): boolean {
  if (
    a.sharePointId !== b.sharePointId ||
    a.status !== b.status ||
    a.sharePointETag !== b.sharePointETag ||
    a.sharePointModifiedAt !== b.sharePointModifiedAt ||
    originKey(a) !== originKey(b)
  ) {
    return false;
  }
  const keys = Object.keys(a.fields);
  if (keys.length !== Object.keys(b.fields).length) return false;
  return keys.every((key) => {
    const left = Object.hasOwn(a.fields, key) ? a.fields[key] : undefined;
    const right = Object.hasOwn(b.fields, key) ? b.fields[key] : undefined;
    return left !== undefined && right !== undefined && sameFieldState(left, right);
  });
}

function originKey(state: ItemState): string {
  return state.awaitedRow === undefined
    ? "none"
    : JSON.stringify([state.awaitedRow.afterKey, state.awaitedRow.beforeKey]);
}

function sameFieldState(a: FieldState, b: FieldState): boolean {
  if ((a.base?.hash ?? null) !== (b.base?.hash ?? null)) return false;
  if (a.unconfirmedWrite?.hash !== b.unconfirmedWrite?.hash || a.disputed !== b.disputed) return false;
  return sameObservation(a.sharePoint, b.sharePoint);
}

function sameObservation(a: FieldObservation | undefined, b: FieldObservation | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.ok && b.ok) return a.hash === b.hash;
  if (!a.ok && !b.ok) return a.error.code === b.error.code && a.error.message === b.error.message;
  return false;
}

import { hash } from "node:crypto";
import { fieldHash } from "./fieldHash";
import type { FieldKey } from "./fieldKey";
import type { ItemState } from "./itemState";
import type { ConfluenceRowReading, SettledRow } from "./syncInput";

/**
 * A pair's digest: the item id and, field by field (sorted by key), the hash of the value both sides agree on. Two
 * equal digests mean the same id and the same values in the same fields (96 bits of SHA-256: a changed row passing for
 * unchanged is a 2⁻⁹⁶ chance).
 */
export type PairDigest = string;

function digestOf(id: string, fields: readonly (readonly [FieldKey, string])[]): PairDigest {
  const sorted = [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return hash("sha256", JSON.stringify([id, sorted]), "base64url").slice(0, 16);
}

/**
 * The digest of an item that waits for a row and that only a row without a key could pair (see
 * {@link idleAwaitingDigest}), over the profile's fields: equal to its state's digest exactly when the state holds
 * those fields and no other.
 */
export function awaitingItemDigest(sharePointId: string, fields: readonly FieldKey[]): PairDigest {
  const sorted = [...fields].sort();
  return hash("sha256", JSON.stringify(["awaitingRow", sharePointId, sorted]), "base64url").slice(0, 16);
}

/**
 * The digest of an item that is remembered while it has no row (`awaitingRow`) and that no run can do anything for
 * until a row without a key appears or the profile appends rows: no awaited row (it was never linked to one), every
 * field's SharePoint value known (its base, or the value kept beside it), no page write to confirm. Such an item's
 * state is what the planner would commit for it again; `null` for any other state. (A list larger than a page holds
 * mostly these.)
 */
export function idleAwaitingDigest(state: ItemState): PairDigest | null {
  if (state.status !== "awaitingRow" || state.awaitedRow !== undefined) return null;
  for (const field of Object.values(state.fields)) {
    if (field.unconfirmedWrite !== undefined) return null;
    if (field.base === null && field.sharePoint === undefined) return null;
    // Never stored so (the value is kept only beside a base it differs from); were it, a run would tidy it up.
    if (field.base !== null && field.sharePoint?.ok === true && field.sharePoint.hash === field.base.hash) return null;
  }
  return awaitingItemDigest(state.sharePointId, Object.keys(state.fields));
}

/** What the pair digest index keeps for a state: its settled pair's digest, its idle awaiting digest, or `null`. */
export function stateDigest(state: ItemState): PairDigest | null {
  return settledPairDigest(state) ?? idleAwaitingDigest(state);
}

/**
 * The digest of a pair whose state holds nothing but agreed values: `active`, every field with a base, no SharePoint
 * edit still to propagate, no unconfirmed page write, no dispute, no awaited row. `null` for any other state: its
 * pair needs the planner every run, whatever the sides show.
 */
export function settledPairDigest(state: ItemState): PairDigest | null {
  if (state.status !== "active" || state.awaitedRow !== undefined) return null;
  const fields: [FieldKey, string][] = [];
  for (const [key, field] of Object.entries(state.fields)) {
    if (field.base === null || field.sharePoint !== undefined || field.unconfirmedWrite !== undefined) return null;
    if (field.disputed === true) return null;
    fields.push([key, field.base.hash]);
  }
  return digestOf(state.sharePointId, fields);
}

/**
 * The digest of a keyed row as read, over the profile's fields: equal to its item's {@link settledPairDigest} exactly
 * when every cell holds the field's agreed value (and the state has no other field). `null` for a keyless row or one
 * with an unreadable or missing cell.
 */
export function rowPairDigest(row: ConfluenceRowReading, fields: readonly FieldKey[]): PairDigest | null {
  if (row.rowKey === null) return null;
  const hashes: [FieldKey, string][] = [];
  for (const key of fields) {
    const reading = Object.hasOwn(row.cells, key) ? row.cells[key] : undefined;
    if (reading === undefined || !reading.ok) return null;
    hashes.push([key, reading.hash ?? fieldHash(reading.value)]);
  }
  return digestOf(row.rowKey, hashes);
}

/**
 * Splits a table's rows into those the planner must see and the settled ones: keyed rows whose digest equals the
 * settled digest known for their item (`settledDigestOf`), when the item is not among `mentioned` (the ids the delta
 * reports changed or deleted). A key held by several rows settles none of them (the planner reports the duplicates).
 */
export function splitSettledRows(
  rows: readonly ConfluenceRowReading[],
  fields: readonly FieldKey[],
  settledDigestOf: (sharePointId: string) => PairDigest | null | undefined,
  mentioned: ReadonlySet<string>,
): { rows: ConfluenceRowReading[]; settled: SettledRow[] } {
  const keyCount = new Map<string, number>();
  for (const row of rows) if (row.rowKey !== null) keyCount.set(row.rowKey, (keyCount.get(row.rowKey) ?? 0) + 1);
  const kept: ConfluenceRowReading[] = [];
  const settled: SettledRow[] = [];
  for (const row of rows) {
    const key = row.rowKey;
    const known = key === null || mentioned.has(key) || keyCount.get(key) !== 1 ? null : settledDigestOf(key);
    if (key !== null && known !== null && known !== undefined && known === rowPairDigest(row, fields))
      settled.push({ rowRef: row.rowRef, rowKey: key });
    else kept.push(row);
  }
  return { rows: kept, settled };
}

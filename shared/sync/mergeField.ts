import type { ConflictPolicy } from "./conflictPolicy";
import {
  EMPTY_HASH,
  type FieldObservation,
  type FieldReadError,
  type FieldSnapshot,
  type KnownValue,
  snapshotOf,
  valueOf,
} from "./fieldValue";
import { otherSide, ownerOf, type Side } from "./side";
import type { SyncDirection } from "./syncDirection";

/** How one field of one item pair is merged. */
export interface FieldMergeRules {
  /** The field's effective direction (`field.direction ?? profile.direction`). */
  readonly direction: SyncDirection;
  readonly conflictPolicy: ConflictPolicy;
  /** For `newest-wins`: ISO 8601 time the SharePoint item was last modified; absent or unparsable = unknown. */
  readonly sharePointModifiedAt?: string | null;
  /** For `newest-wins`: ISO 8601 time the Confluence page was last edited by a person; absent = unknown. */
  readonly confluenceModifiedAt?: string | null;
  /**
   * Without a base: the sides already disagreed on an earlier run (an open `noBase` conflict). An empty side is then
   * a value someone may have cleared on purpose, not a blank to fill.
   */
  readonly disputed?: boolean;
}

/**
 * Why the two sides disagree.
 * - `bothChanged`: both moved away from the base, to different values.
 * - `editAgainstDirection`: only the side a one-way field does not flow to was edited (e.g. a Confluence edit of a
 *   `toConfluence` field); the owner's value is re-asserted and the edit is recorded, never silently dropped.
 * - `noBase`: the pair has never agreed on this field (first pairing) and both sides hold different non-empty values.
 */
export type ConflictCause = "bothChanged" | "editAgainstDirection" | "noBase";

/**
 * - `flagged`: nothing is written and the base stays; the conflict stays open until the sides agree again.
 *   `because: "newestUndecided"` = newest-wins could not tell which side is newer (equal or unknown times).
 * - `won`: the winner's value is written to the other side and the loser's value is recorded.
 *   `because: "direction"` = a one-way field: its owner always wins, whatever the conflict policy.
 */
export type ConflictResolution =
  | { readonly kind: "flagged"; readonly because: "policy" | "newestUndecided" }
  | { readonly kind: "won"; readonly winner: Side; readonly because: "policy" | "newer" | "direction" };

/** A value to write on one side. */
export interface FieldWrite {
  readonly to: Side;
  readonly value: KnownValue;
}

/**
 * The three-way merge of one field (docs/design.md §3):
 * - `noop`: neither side moved from the base;
 * - `toConfluence` / `toSharePoint`: write the changed side's value to the other side;
 * - `convergent`: both sides hold the same value that is not the base: nothing to write, advance the base;
 * - `conflict`: the sides disagree and both have a claim; `write` is what the resolution writes (null when flagged);
 * - `invalid`: a side's value could not be read; the field is skipped and its base is not advanced;
 * - `valueUnavailable`: a write needs a value known only by its hash (too long to keep in the state): the item must
 *   be read again before this field can be merged;
 * - `settled`: a person settled the field's conflict (conflictSettlement.ts): the chosen value is written to the sides
 *   that do not hold it.
 */
export type FieldMerge =
  | { readonly kind: "noop" }
  | { readonly kind: "toConfluence"; readonly value: KnownValue }
  | { readonly kind: "toSharePoint"; readonly value: KnownValue }
  | { readonly kind: "convergent"; readonly value: FieldSnapshot }
  | {
      readonly kind: "conflict";
      readonly cause: ConflictCause;
      readonly base: FieldSnapshot | null;
      readonly sharePoint: FieldSnapshot;
      readonly confluence: FieldSnapshot;
      readonly resolution: ConflictResolution;
      readonly write: FieldWrite | null;
    }
  | { readonly kind: "invalid"; readonly errors: readonly { readonly side: Side; readonly error: FieldReadError }[] }
  | { readonly kind: "valueUnavailable"; readonly side: Side }
  | SettledMerge;

/** The merge of a field whose conflict a person settled: the chosen value, written where it is missing. */
export interface SettledMerge {
  readonly kind: "settled";
  /** The settlement's id (the engine's conflict id). */
  readonly settlement: string;
  readonly value: FieldSnapshot;
  readonly writes: readonly FieldWrite[];
}

const NOOP: FieldMerge = { kind: "noop" };

/**
 * Merges one field of one item pair from its base (the value both sides last agreed on; `null` when they never
 * have) and each side's current value.
 *
 * Direction: a field only ever writes to a side it flows to. For a one-way field the side it flows from owns it:
 * the owner's changes are copied, and a change on the other side is overwritten with the owner's value right away
 * (so the page never shows a value SharePoint does not hold, or the reverse) and reported as a conflict holding both
 * values. The conflict policy applies to two-way fields only.
 *
 * First pairing (no base): equal values converge; an empty side takes the other side's value; different non-empty
 * values are a conflict (`noBase`) resolved like any other. Once such a conflict is open (`disputed`), an empty side
 * is a value like any other.
 */
export function mergeField(
  base: FieldSnapshot | null,
  sharePoint: FieldObservation,
  confluence: FieldObservation,
  rules: FieldMergeRules,
): FieldMerge {
  if (!sharePoint.ok || !confluence.ok) {
    const errors: { side: Side; error: FieldReadError }[] = [];
    if (!sharePoint.ok) errors.push({ side: "sharePoint", error: sharePoint.error });
    if (!confluence.ok) errors.push({ side: "confluence", error: confluence.error });
    return { kind: "invalid", errors };
  }
  const values: Record<Side, FieldSnapshot> = {
    sharePoint: snapshotOf(sharePoint),
    confluence: snapshotOf(confluence),
  };
  const changed: Record<Side, boolean> = {
    sharePoint: base === null || sharePoint.hash !== base.hash,
    confluence: base === null || confluence.hash !== base.hash,
  };
  if (!changed.sharePoint && !changed.confluence) return NOOP;
  // Different hashes from here on, unless both moved to the same value.
  if (sharePoint.hash === confluence.hash) return { kind: "convergent", value: values.sharePoint };

  const owner = ownerOf(rules.direction);
  if (owner !== null) {
    const follower = otherSide(owner);
    if (!changed[follower]) return copy(values[owner], follower);
    if (base === null && rules.disputed !== true && values[follower].hash === EMPTY_HASH)
      return copy(values[owner], follower);
    const cause: ConflictCause = base === null ? "noBase" : changed[owner] ? "bothChanged" : "editAgainstDirection";
    return conflict(cause, base, values, { kind: "won", winner: owner, because: "direction" });
  }

  if (!changed.confluence) return copy(values.sharePoint, "confluence");
  if (!changed.sharePoint) return copy(values.confluence, "sharePoint");
  if (base === null && rules.disputed !== true) {
    if (values.sharePoint.hash === EMPTY_HASH) return copy(values.confluence, "sharePoint");
    if (values.confluence.hash === EMPTY_HASH) return copy(values.sharePoint, "confluence");
  }
  return conflict(base === null ? "noBase" : "bothChanged", base, values, resolveByPolicy(rules));
}

/** Every write a merge calls for: one at most, but two for a value a person chose that neither side holds. */
export function fieldWritesOf(merge: FieldMerge): readonly FieldWrite[] {
  if (merge.kind === "settled") return merge.writes;
  const write = fieldWriteOf(merge);
  return write === null ? [] : [write];
}

/** The write a merge calls for, if any (a settled merge's are in `fieldWritesOf`). */
export function fieldWriteOf(merge: FieldMerge): FieldWrite | null {
  switch (merge.kind) {
    case "toConfluence":
      return { to: "confluence", value: merge.value };
    case "toSharePoint":
      return { to: "sharePoint", value: merge.value };
    case "conflict":
      return merge.write;
    default:
      return null;
  }
}

function copy(from: FieldSnapshot, to: Side): FieldMerge {
  const value = valueOf(from);
  if (value === undefined) return { kind: "valueUnavailable", side: otherSide(to) };
  return to === "confluence" ? { kind: "toConfluence", value } : { kind: "toSharePoint", value };
}

function conflict(
  cause: ConflictCause,
  base: FieldSnapshot | null,
  values: Record<Side, FieldSnapshot>,
  resolution: ConflictResolution,
): FieldMerge {
  let write: FieldWrite | null = null;
  if (resolution.kind === "won") {
    const value = valueOf(values[resolution.winner]);
    if (value === undefined) return { kind: "valueUnavailable", side: resolution.winner };
    write = { to: otherSide(resolution.winner), value };
  }
  return {
    kind: "conflict",
    cause,
    base,
    sharePoint: values.sharePoint,
    confluence: values.confluence,
    resolution,
    write,
  };
}

function resolveByPolicy(rules: FieldMergeRules): ConflictResolution {
  switch (rules.conflictPolicy) {
    case "flag":
      return { kind: "flagged", because: "policy" };
    case "sharepoint-wins":
      return { kind: "won", winner: "sharePoint", because: "policy" };
    case "confluence-wins":
      return { kind: "won", winner: "confluence", because: "policy" };
    case "newest-wins": {
      const sharePointAt = parseTime(rules.sharePointModifiedAt);
      const confluenceAt = parseTime(rules.confluenceModifiedAt);
      // Equal or unknown times say nothing about who edited last: never guess, flag.
      if (sharePointAt === null || confluenceAt === null || sharePointAt === confluenceAt) {
        return { kind: "flagged", because: "newestUndecided" };
      }
      return { kind: "won", winner: sharePointAt > confluenceAt ? "sharePoint" : "confluence", because: "newer" };
    }
  }
}

function parseTime(iso: string | null | undefined): number | null {
  if (iso === null || iso === undefined) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

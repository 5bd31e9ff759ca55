import { type FieldHash, fieldHash } from "./fieldHash";
import { heldFieldState } from "./fieldStateChange";
import {
  boundedSnapshot,
  type FieldObservation,
  type FieldSnapshot,
  type KnownValue,
  knownValue,
  snapshotOf,
  valueOf,
} from "./fieldValue";
import type { FieldState } from "./itemState";
import type { SettledMerge } from "./mergeField";
import type { FieldStateChange, ReadyPlan, SettlementStaleReason } from "./plan";
import type { ApplyOutcome } from "./settleState";
import { flowsTo, type Side } from "./side";
import type { SyncDirection } from "./syncDirection";
import type { FieldSettlement } from "./syncInput";

/** What a settlement means for its field this run. */
export type SettlementStep =
  | { readonly kind: "apply"; readonly merge: SettledMerge }
  | { readonly kind: "stale"; readonly reason: SettlementStaleReason }
  /** The chosen side's value is known only by its hash (kept in the state): the item must be read first. */
  | { readonly kind: "valueUnavailable"; readonly side: Side };

/** The hash of the value a settlement chose. */
export function chosenHash(settlement: FieldSettlement): FieldHash {
  const { choice } = settlement;
  return choice.kind === "value" ? fieldHash(choice.value) : settlement.seen[choice.kind];
}

/**
 * Decides one settled field from what each side holds now. Each side must hold either what it held when the person
 * decided or the chosen value (a write of an earlier attempt, or a person who typed it); the chosen value is written to
 * the sides that do not hold it, and only where the field flows.
 */
export function settleField(
  settlement: FieldSettlement,
  sharePoint: FieldObservation,
  confluence: FieldObservation,
  direction: SyncDirection,
): SettlementStep {
  const chosen = chosenHash(settlement);
  const now: Record<Side, FieldObservation> = { sharePoint, confluence };
  const sides: readonly Side[] = ["sharePoint", "confluence"];
  const edited = sides.filter((side) => {
    const observed = now[side];
    return !observed.ok || (observed.hash !== settlement.seen[side] && observed.hash !== chosen);
  });
  if (edited.length > 0) return { kind: "stale", reason: { kind: "edited", sides: edited } };
  const missing = sides.filter((side) => (now[side] as { hash: FieldHash }).hash !== chosen);
  if (missing.some((side) => !flowsTo(direction, side)))
    return { kind: "stale", reason: { kind: "oneWay", direction } };

  let value: FieldSnapshot;
  if (settlement.choice.kind === "value") value = knownValue(settlement.choice.value);
  else value = snapshotOf(now[settlement.choice.kind] as FieldSnapshot);
  const known = valueOf(value);
  if (missing.length > 0 && known === undefined) {
    // Only a stored SharePoint value can be hash-only: the cell is read every run.
    return { kind: "valueUnavailable", side: settlement.choice.kind === "confluence" ? "confluence" : "sharePoint" };
  }
  return {
    kind: "apply",
    merge: {
      kind: "settled",
      settlement: settlement.id,
      value,
      writes: missing.map((to) => ({ to, value: known as KnownValue })),
    },
  };
}

/**
 * The next state of a settled field: the chosen value becomes the base once every write it needs is applied; until
 * then the field stays as an unsettled conflict would (its base, SharePoint's value as read, still disputed).
 */
export function settledFieldStateChange(
  merge: SettledMerge,
  base: FieldSnapshot | null,
  sharePoint: FieldObservation,
  disputed: boolean,
  maxChars: number,
): FieldStateChange {
  const agreed: FieldState = { base: boundedSnapshot(merge.value, maxChars) };
  const held = heldFieldState(base, sharePoint, maxChars);
  const otherwise: FieldState = disputed || base === null ? { ...held, disputed: true } : held;
  const [first, second] = merge.writes.map((write) =>
    write.to === "sharePoint" ? ("sharePointWrite" as const) : ("confluenceWrite" as const),
  );
  if (first === undefined) return { requires: null, ifApplied: agreed, otherwise: agreed };
  return { requires: first, ...(second === undefined ? {} : { alsoRequires: second }), ifApplied: agreed, otherwise };
}

/**
 * Where an applied settlement stands after the run's writes: `done` when every write it needed was applied (the
 * conflict is over), `pending` otherwise (the next run tries again; a side that now holds the chosen value counts as
 * settled there). Pure, so the engine and the model tests decide alike.
 */
export function settlementProgress(
  plan: Pick<ReadyPlan, "settlements" | "deletionSettlements">,
  outcome: ApplyOutcome,
): { readonly done: readonly string[]; readonly pending: readonly string[] } {
  const done: string[] = [];
  const pending: string[] = [];
  for (const decision of plan.settlements ?? []) {
    if (decision.kind !== "applied") continue;
    const id = decision.item.sharePointId;
    // A write a closed gate held back was not made: the settlement waits for the run after the gate opens.
    const applied =
      (decision.held ?? []).length === 0 &&
      decision.writes.every((side) =>
        side === "confluence" ? outcome.confluenceApplied : id !== null && outcome.sharePointItems.get(id)?.ok === true,
      );
    (applied ? done : pending).push(decision.id);
  }
  for (const decision of plan.deletionSettlements ?? []) {
    if (decision.kind !== "applied") continue;
    const id = decision.item.sharePointId;
    // The survivor's delete (SharePoint, a 404 counts as done) or its row's removal in the page update.
    const applied =
      decision.deletes === "confluence"
        ? outcome.confluenceApplied
        : id !== null && outcome.sharePointItems.get(id)?.ok === true;
    (applied ? done : pending).push(decision.id);
  }
  return { done, pending };
}

import { fieldWriteOf } from "./mergeField";
import type {
  ConflictRecord,
  CreateRef,
  DropState,
  FieldStateChange,
  ItemDecision,
  ItemStateUpdate,
  PutState,
  ReadyPlan,
  SettlementDecision,
  WriteRequirement,
} from "./plan";
import type { Side } from "./side";
import type { RowRef } from "./syncInput";

/**
 * Which items (and, in table mode, which keyless rows) may not write toward a side this run (docs/pages-mode.md §5):
 * - `towardConfluence`: SharePoint ids whose changes must not reach Confluence (the SharePoint gate is closed, the
 *   page is archived, or its create was deferred);
 * - `towardSharePoint`: SharePoint ids whose row's (page's) changes must not reach SharePoint (the Confluence gate is
 *   closed);
 * - `rowsTowardSharePoint`: keyless rows whose Confluence gate is closed: they are not created as items.
 */
export interface ClosedGates {
  readonly towardConfluence: ReadonlySet<string>;
  readonly towardSharePoint: ReadonlySet<string>;
  readonly rowsTowardSharePoint?: ReadonlySet<RowRef>;
}

/** A direction an item was held back in, with the fields whose change waits for the gate. */
export interface HeldChange {
  readonly sharePointId: string | null;
  readonly rowRef: RowRef | null;
  /** The side the change would have been written to. */
  readonly toward: Side;
  readonly fields: readonly string[];
}

export const NO_CLOSED_GATES: ClosedGates = { towardConfluence: new Set(), towardSharePoint: new Set() };

/**
 * Holds a plan's writes back where a gate is closed, as if each such write had failed: nothing is written toward
 * the closed side, the bases the write would have advanced stay where they are, and the value waiting on the other
 * side is kept (pending SharePoint values in the state; page values on the page itself). Nothing is lost: when the
 * gate opens, the flip is an edit of that side, the item is planned again and the held change flows. Conflicts a
 * held write would have resolved are left for that later run (they are decided again, with the values of then) and
 * move to `heldConflicts`: still open, not decided.
 *
 * Pure; a plan with no gate closed comes back as it was.
 */
export function applyGates(plan: ReadyPlan, closed: ClosedGates): { plan: ReadyPlan; held: HeldChange[] } {
  const toConfluence = closed.towardConfluence;
  const toSharePoint = closed.towardSharePoint;
  const rowsClosed = closed.rowsTowardSharePoint ?? new Set<RowRef>();
  if (toConfluence.size === 0 && toSharePoint.size === 0 && rowsClosed.size === 0) return { plan, held: [] };

  const droppedCreates = new Set<CreateRef>(
    plan.sharePoint.creates.filter((create) => rowsClosed.has(create.rowRef)).map((create) => create.createRef),
  );
  const closedFor = (target: ItemStateUpdate["target"]): Set<WriteRequirement> => {
    const closedWrites = new Set<WriteRequirement>();
    if (target.kind === "create") return closedWrites;
    if (toConfluence.has(target.sharePointId)) closedWrites.add("confluenceWrite");
    if (toSharePoint.has(target.sharePointId)) closedWrites.add("sharePointWrite");
    return closedWrites;
  };

  const held: HeldChange[] = [];
  const decisions: ItemDecision[] = [];
  for (const decision of plan.decisions) {
    const { sharePointId, rowRef, createRef } = decision.item;
    const closedTo = (side: Side): boolean =>
      side === "confluence"
        ? sharePointId !== null && toConfluence.has(sharePointId)
        : (sharePointId !== null && toSharePoint.has(sharePointId)) ||
          (createRef !== null && droppedCreates.has(createRef));
    const kept = decision.fields.filter(({ merge }) => {
      const write = fieldWriteOf(merge);
      return write === null || !closedTo(write.to);
    });
    for (const side of ["confluence", "sharePoint"] as const) {
      const fields = decision.fields
        .filter(({ merge }) => fieldWriteOf(merge)?.to === side && closedTo(side))
        .map(({ field }) => field);
      const createHeld =
        (side === "confluence" && decision.action.kind === "appendToConfluence" && closedTo("confluence")) ||
        (side === "sharePoint" && decision.action.kind === "createInSharePoint" && closedTo("sharePoint"));
      const deleteHeld =
        (side === "confluence" && decision.action.kind === "removeFromConfluence" && closedTo("confluence")) ||
        (side === "sharePoint" && decision.action.kind === "deleteInSharePoint" && closedTo("sharePoint"));
      if (fields.length > 0 || createHeld || deleteHeld) held.push({ sharePointId, rowRef, toward: side, fields });
    }
    const actionHeld =
      (decision.action.kind === "appendToConfluence" || decision.action.kind === "removeFromConfluence") &&
      closedTo("confluence");
    const sharePointActionHeld =
      (decision.action.kind === "createInSharePoint" || decision.action.kind === "deleteInSharePoint") &&
      closedTo("sharePoint");
    if (actionHeld || sharePointActionHeld) continue;
    if (decision.action.kind === "update" && kept.length === 0 && decision.fields.length > 0) continue;
    decisions.push(kept.length === decision.fields.length ? decision : { ...decision, fields: kept });
  }

  // A conflict whose winning write is held is left for the run after the gate opens; it is kept apart, so that no
  // one takes its absence from the plan for the sides having agreed and closes it though nothing was written.
  const conflicts = plan.conflicts.filter((conflict) => !heldConflict(conflict, toConfluence, toSharePoint));
  const heldConflicts = [
    ...(plan.heldConflicts ?? []),
    ...plan.conflicts.filter((conflict) => heldConflict(conflict, toConfluence, toSharePoint)),
  ];
  // A settlement whose write is held is not applied yet: it waits, pending, for the run after the gate opens.
  const settlements = plan.settlements?.map((decision): SettlementDecision => {
    const id = decision.item.sharePointId;
    if (decision.kind !== "applied" || id === null) return decision;
    const held = decision.writes.filter((side) => (side === "confluence" ? toConfluence : toSharePoint).has(id));
    return held.length === 0 ? decision : { ...decision, held };
  });
  const stateUpdates = plan.stateUpdates.flatMap((update): ItemStateUpdate[] => {
    // An item that is not created has no state to keep: its row is still there and is planned again.
    if (update.target.kind === "create" && droppedCreates.has(update.target.createRef)) return [];
    const closedWrites = closedFor(update.target);
    if (closedWrites.size === 0) return [update];
    const change = heldChange(update.change, closedWrites);
    return change === null ? [] : [{ ...update, change }];
  });

  const isOpen = (id: string | null, set: ReadonlySet<string>) => id === null || !set.has(id);
  return {
    plan: {
      ...plan,
      sharePoint: {
        creates: plan.sharePoint.creates.filter((create) => !droppedCreates.has(create.createRef)),
        updates: plan.sharePoint.updates.filter((update) => !toSharePoint.has(update.sharePointId)),
        deletes: plan.sharePoint.deletes.filter((deletion) => !toSharePoint.has(deletion.sharePointId)),
      },
      confluence: {
        ...plan.confluence,
        rowUpdates: plan.confluence.rowUpdates.flatMap((update) => {
          if (update.afterCreate !== null && droppedCreates.has(update.afterCreate)) return [];
          return isOpen(update.sharePointId, toConfluence) ? [update] : [];
        }),
        appends: plan.confluence.appends.filter((append) => !toConfluence.has(append.sharePointId)),
        removals: plan.confluence.removals.filter((removal) => !toConfluence.has(removal.sharePointId)),
        keyWriteBacks: plan.confluence.keyWriteBacks.filter(
          (writeBack) => writeBack.key.kind !== "created" || !droppedCreates.has(writeBack.key.createRef),
        ),
      },
      conflicts,
      decisions,
      stateUpdates,
      ...(settlements === undefined ? {} : { settlements }),
      ...(heldConflicts.length === 0 ? {} : { heldConflicts }),
    },
    held,
  };
}

/** A conflict whose resolution writes toward a closed side: it is decided again once the gate opens. */
function heldConflict(
  conflict: ConflictRecord,
  toConfluence: ReadonlySet<string>,
  toSharePoint: ReadonlySet<string>,
): boolean {
  if (conflict.kind !== "field" || conflict.resolution.kind !== "won") return false;
  const id = conflict.item.sharePointId;
  if (id === null) return false;
  const writesTo: Side = conflict.resolution.winner === "sharePoint" ? "confluence" : "sharePoint";
  return writesTo === "confluence" ? toConfluence.has(id) : toSharePoint.has(id);
}

/** The state change with the closed writes counted as not made; null when nothing is left to commit. */
function heldChange(
  change: PutState | DropState,
  closedWrites: ReadonlySet<WriteRequirement>,
): PutState | DropState | null {
  if (change.kind === "drop") {
    if (change.requires === null || !closedWrites.has(change.requires)) {
      return change.otherwise === null ? change : { ...change, otherwise: heldPut(change.otherwise, closedWrites) };
    }
    return change.otherwise === null ? null : heldPut(change.otherwise, closedWrites);
  }
  const pairHeld = change.pairRequires.some((requirement) => closedWrites.has(requirement));
  if (pairHeld && change.statusIfPairFailed === null) return null;
  return heldPut(change, closedWrites);
}

function heldPut(put: PutState, closedWrites: ReadonlySet<WriteRequirement>): PutState {
  const pairHeld = put.pairRequires.some((requirement) => closedWrites.has(requirement));
  const fields: Record<string, FieldStateChange> = Object.fromEntries(
    Object.entries(put.fields).map(([key, field]) => {
      const closedHere =
        (field.requires !== null && closedWrites.has(field.requires)) ||
        (field.alsoRequires !== undefined && closedWrites.has(field.alsoRequires));
      if (!closedHere) return [key, field];
      // Held, not failed: no write was attempted, so there is no unconfirmed value to remember. (A settled value
      // written to both sides waits whole: its base moves only once both writes are made.)
      const { unconfirmedWrite: _never, ...kept } = field.otherwise;
      return [key, { requires: null, ifApplied: kept, otherwise: kept }];
    }),
  );
  return {
    ...put,
    ...(pairHeld
      ? {
          status: put.statusIfPairFailed ?? put.status,
          pairRequires: put.pairRequires.filter((requirement) => !closedWrites.has(requirement)),
        }
      : {}),
    fields,
  };
}

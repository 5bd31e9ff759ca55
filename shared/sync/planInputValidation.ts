import { PlannerInputInvalid } from "./plannerInputInvalid";
import type { PlanInput } from "./syncInput";
import { appendsRows } from "./syncRules";

/** Refuses input that breaks the planner's contract: a bug upstream, never a person's edit. */
export function validatePlanInput(input: PlanInput): void {
  const profile = `profile "${input.rules.profileKey}"`;
  const seen = new Set<string>();
  const items = input.sharePoint.kind === "full" ? input.sharePoint.items : input.sharePoint.changed;
  for (const item of items) {
    if (seen.has(item.id))
      throw new PlannerInputInvalid(
        `${profile}: SharePoint item ${item.id} is listed twice; the reader must keep only its latest state`,
      );
    seen.add(item.id);
  }
  if (input.sharePoint.kind === "full") {
    for (const id of input.sharePoint.unseen ?? []) {
      if (seen.has(id))
        throw new PlannerInputInvalid(`${profile}: SharePoint item ${id} is listed as both read and unseen`);
    }
  }
  if (input.sharePoint.kind === "delta") {
    for (const id of input.sharePoint.deletedIds) {
      if (seen.has(id))
        throw new PlannerInputInvalid(`${profile}: SharePoint item ${id} is listed as both changed and deleted`);
    }
  }
  const settledRows = input.confluence.settledRows ?? [];
  const rowRefs = new Set<number>();
  for (const rows of [input.confluence.rows, settledRows]) {
    for (const row of rows) {
      if (rowRefs.has(row.rowRef))
        throw new PlannerInputInvalid(`${profile}: two Confluence rows share rowRef ${row.rowRef}`);
      rowRefs.add(row.rowRef);
    }
  }
  const settled = new Set<string>();
  for (const settlement of input.settlements ?? []) {
    const key = JSON.stringify([settlement.sharePointId, settlement.field]);
    if (settled.has(key))
      throw new PlannerInputInvalid(
        `${profile}: field "${settlement.field}" of item ${settlement.sharePointId} is settled twice`,
      );
    settled.add(key);
  }
  const stateIds = new Set<string>();
  for (const item of input.state) {
    if (stateIds.has(item.sharePointId))
      throw new PlannerInputInvalid(`${profile}: the state holds item ${item.sharePointId} twice`);
    stateIds.add(item.sharePointId);
  }
  const idleAwaiting = input.idleAwaitingItems ?? 0;
  if (idleAwaiting > 0) {
    // Only while nothing could pair or append them: no full enumeration, no keyless row, no rows appended.
    if (input.sharePoint.kind === "full" || !Number.isInteger(idleAwaiting))
      throw new PlannerInputInvalid(`${profile}: idle awaiting items were given with a full enumeration`);
    if (input.confluence.rows.some((row) => row.rowKey === null))
      throw new PlannerInputInvalid(`${profile}: idle awaiting items were given with a row without a key`);
    if (appendsRows(input.rules))
      throw new PlannerInputInvalid(`${profile}: idle awaiting items were given to a profile that appends rows`);
  }
  if (settledRows.length === 0) return;
  // A settled row stands for a pair that nothing mentions: a full enumeration, its item's state or a delta entry
  // would make it a pair to plan.
  if (input.sharePoint.kind === "full")
    throw new PlannerInputInvalid(`${profile}: settled rows were given with a full enumeration`);
  const deleted = new Set(input.sharePoint.deletedIds);
  const settling = new Set((input.settlements ?? []).map((settlement) => settlement.sharePointId));
  for (const row of settledRows) {
    if (stateIds.has(row.rowKey) || seen.has(row.rowKey) || deleted.has(row.rowKey) || settling.has(row.rowKey))
      throw new PlannerInputInvalid(
        `${profile}: the settled row of item ${row.rowKey} comes with its state, a delta entry or a settlement; a settled pair has none`,
      );
  }
}

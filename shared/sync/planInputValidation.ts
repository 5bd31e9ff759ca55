import { PlannerInputInvalid } from "./plannerInputInvalid";
import type { PlanInput } from "./syncInput";

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
  const rowRefs = new Set<number>();
  for (const row of input.confluence.rows) {
    if (rowRefs.has(row.rowRef))
      throw new PlannerInputInvalid(`${profile}: two Confluence rows share rowRef ${row.rowRef}`);
    rowRefs.add(row.rowRef);
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
}

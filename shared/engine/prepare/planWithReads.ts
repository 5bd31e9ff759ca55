import type { FieldCodecs } from "../../mapping";
import { mapBounded } from "../../runtime";
import type { SharePointClient } from "../../sharepoint/sharePointClient";
import { type Plan, type PlanInput, planSync, type SharePointItemReading, type SharePointSide } from "../../sync";
import { itemReading } from "../sharePointChanges";

/**
 * Plans; when the planner needs items the delta did not report, reads them by id (a 404 = deleted), adds them to the
 * delta and plans again. The planner never asks twice for an item it was given. `planMs`: milliseconds spent in the
 * pure planner itself, the reads in between excluded.
 */
export async function planWithReads(
  client: SharePointClient,
  select: readonly string[],
  codecs: FieldCodecs,
  input: PlanInput,
): Promise<{ plan: Exclude<Plan, { kind: "needsReads" }>; planMs: number }> {
  const first = timedPlan(input);
  if (first.plan.kind !== "needsReads") return { plan: first.plan, planMs: first.ms };
  const side = input.sharePoint;
  if (side.kind !== "delta")
    throw new Error(`profile "${input.rules.profileKey}": the planner asked for reads on a full enumeration`);
  const wanted = first.plan.sharePointIds;
  const asked = new Set(wanted);
  const read = await mapBounded(wanted, 4, (id) => client.readItem(id, { select }));
  const changed: SharePointItemReading[] = side.changed.filter((item) => !asked.has(item.id));
  const deletedIds = side.deletedIds.filter((id) => !asked.has(id));
  wanted.forEach((id, index) => {
    const item = read[index];
    if (item === undefined) deletedIds.push(id);
    else changed.push(itemReading(item, codecs));
  });
  const withReads: SharePointSide = { kind: "delta", changed, deletedIds };
  const second = timedPlan({ ...input, sharePoint: withReads });
  if (second.plan.kind === "needsReads") {
    throw new Error(
      `profile "${input.rules.profileKey}": the planner asked again for items it was given: ${second.plan.sharePointIds.join(", ")}`,
    );
  }
  return { plan: second.plan, planMs: first.ms + second.ms };
}

function timedPlan(input: PlanInput): { plan: Plan; ms: number } {
  const started = performance.now();
  const plan = planSync(input);
  return { plan, ms: performance.now() - started };
}

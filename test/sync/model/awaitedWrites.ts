import { isDeepStrictEqual } from "node:util";
import {
  type ApplyOutcome,
  type CreateRef,
  type ReadyPlan,
  type SharePointCreateOutcome,
  type SharePointOpOutcome,
  settleItemState,
  writesAwaited,
} from "../../../shared/sync";
import { InvariantViolation } from "./syncInvariants";

type SharePointOutcomes = Pick<ApplyOutcome, "sharePointItems" | "sharePointCreates">;

/** Every SharePoint operation of the plan: not attempted, all applied, all refused with a 412 (creates: failed). */
function sharePointVariants(plan: ReadyPlan): Record<string, SharePointOutcomes> {
  const ops = [...plan.sharePoint.updates, ...plan.sharePoint.deletes].map((op) => op.sharePointId);
  const applied = new Map<string, SharePointOpOutcome>(
    ops.map((id) => [id, { ok: true, eTag: `"${id},written"`, modifiedAt: "2030-01-01T00:00:00Z" }]),
  );
  const refused = new Map<string, SharePointOpOutcome>(ops.map((id) => [id, { ok: false, preconditionFailed: true }]));
  const created = new Map<CreateRef, SharePointCreateOutcome>(
    plan.sharePoint.creates.map((create, index) => [
      create.createRef,
      { ok: true, sharePointId: `9${index}`, eTag: `"9${index},1"`, modifiedAt: "2030-01-01T00:00:00Z" },
    ]),
  );
  const notCreated = new Map<CreateRef, SharePointCreateOutcome>(
    plan.sharePoint.creates.map((create) => [create.createRef, { ok: false }]),
  );
  return {
    notAttempted: { sharePointItems: new Map(), sharePointCreates: new Map() },
    applied: { sharePointItems: applied, sharePointCreates: created },
    refused: { sharePointItems: refused, sharePointCreates: notCreated },
  };
}

/**
 * `writesAwaited` is what lets the engine commit a state once instead of in every phase (docs/engine.md#commit-after-writes):
 * a state update must settle to the same state under any outcomes that agree on the writes it awaits. Checked for
 * every update of every plan the model makes, against every combination of SharePoint and page outcomes.
 */
export function checkAwaitedWrites(plan: ReadyPlan): void {
  const variants = Object.entries(sharePointVariants(plan));
  for (const update of plan.stateUpdates) {
    const awaited = writesAwaited(update);
    const settled = (sharePoint: SharePointOutcomes, confluenceApplied: boolean) =>
      settleItemState(update, { ...sharePoint, confluenceApplied });
    const differs = (what: string, a: unknown, b: unknown) => {
      if (!isDeepStrictEqual(a, b))
        throw new InvariantViolation(
          `the state update of ${JSON.stringify(update.target)} awaits ${JSON.stringify([...awaited])}, yet settles differently ${what}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
        );
    };
    for (const confluenceApplied of [false, true]) {
      if (awaited.has("sharePointWrite")) continue;
      const [first, ...others] = variants.map(
        ([name, outcome]) => [name, settled(outcome, confluenceApplied)] as const,
      );
      for (const [name, commit] of others)
        differs(`with SharePoint ${first![0]} and ${name} (page applied: ${confluenceApplied})`, first![1], commit);
    }
    if (awaited.has("confluenceWrite")) continue;
    for (const [name, outcome] of variants)
      differs(`with the page applied or not (SharePoint ${name})`, settled(outcome, false), settled(outcome, true));
  }
}

import { isDeepStrictEqual } from "node:util";
import {
  appendsRows,
  awaitingItemDigest,
  idleAwaitingDigest,
  type PlanInput,
  planSync,
  rowPairDigest,
  type SyncRules,
  settledPairDigest,
  splitSettledRows,
} from "../../../shared/sync";
import { InvariantViolation } from "./syncInvariants";

/** How often the check found settled rows to leave out: a check that never does proves nothing. */
export const settledRowsSeen = { checks: 0, withSettledRows: 0, settledRows: 0, withIdleAwaiting: 0 };

/**
 * The planner given settled rows (positions only) instead of their cells and states must make the very plan it makes
 * with everything (docs/engine.md#settled-pairs): the engine relies on it to load only the states a run needs. The
 * rows are split as the engine splits them, with the digests of the states they would be compared with.
 */
export function checkSettledRows(input: PlanInput, rules: SyncRules): void {
  if (input.sharePoint.kind !== "delta") return;
  settledRowsSeen.checks += 1;
  const digests = new Map(input.state.map((state) => [state.sharePointId, settledPairDigest(state)]));
  // The engine never leaves out an item the delta mentions or a person settled a conflict of (planStates.ts).
  const mentioned = new Set([
    ...input.sharePoint.changed.map((item) => item.id),
    ...input.sharePoint.deletedIds,
    ...(input.settlements ?? []).map((settlement) => settlement.sharePointId),
  ]);
  const fields = rules.fields.map((rule) => rule.key);
  const split = splitSettledRows(input.confluence.rows, fields, (id) => digests.get(id), mentioned);
  const rowKeys = new Set(input.confluence.rows.map((row) => row.rowKey));
  // Items waiting for a row that nothing can give them now, as the engine finds them (see planStates.ts).
  const idle =
    appendsRows(rules) || rowKeys.has(null)
      ? new Set<string>()
      : new Set(
          input.state
            .filter(
              (state) =>
                !mentioned.has(state.sharePointId) &&
                !rowKeys.has(state.sharePointId) &&
                idleAwaitingDigest(state) === awaitingItemDigest(state.sharePointId, fields),
            )
            .map((state) => state.sharePointId),
        );
  if (split.settled.length === 0 && idle.size === 0) return;
  if (split.settled.length > 0) settledRowsSeen.withSettledRows += 1;
  if (idle.size > 0) settledRowsSeen.withIdleAwaiting += 1;
  settledRowsSeen.settledRows += split.settled.length;
  const settledKeys = new Set([...split.settled.map((row) => row.rowKey), ...idle]);
  for (const key of split.settled.map((settled) => settled.rowKey)) {
    const row = input.confluence.rows.find((candidate) => candidate.rowKey === key);
    if (row === undefined || rowPairDigest(row, fields) !== digests.get(key))
      throw new InvariantViolation(`row of item ${key} was settled though it differs from its state`);
  }
  const reduced: PlanInput = {
    ...input,
    state: input.state.filter((state) => !settledKeys.has(state.sharePointId)),
    confluence: { ...input.confluence, rows: split.rows, settledRows: split.settled },
    idleAwaitingItems: idle.size,
  };
  const full = planSync(input);
  const withSettled = planSync(reduced);
  if (!isDeepStrictEqual(full, withSettled))
    throw new InvariantViolation(
      `settled rows and idle items ${[...settledKeys].join(", ")} changed the plan: ${JSON.stringify(withSettled)} instead of ${JSON.stringify(full)}`,
    );
}

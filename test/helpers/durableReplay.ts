import type * as df from "durable-functions";
import { expect } from "vitest";
import { type HistoryEvent, HistoryEventType } from "../../dev/localHost/historyEvent";
import { replayOrchestrator } from "../../dev/localHost/localDurableHost";

/**
 * Replays `history` from scratch up to every episode boundary and checks that each replay schedules the actions of
 * the one before it, in the same order, then new ones — what the Durable extension relies on. Returns the final
 * replay's state. A non-deterministic orchestrator (clock, randomness, I/O) fails here.
 */
export async function expectDeterministicReplay(
  handler: df.OrchestrationHandler,
  name: string,
  instanceId: string,
  input: unknown,
  history: HistoryEvent[],
) {
  const boundaries = history.flatMap((event, index) =>
    event.EventType === HistoryEventType.OrchestratorCompleted ? [index] : [],
  );
  let previous: unknown[] = [];
  for (const end of boundaries) {
    const { state } = await replayOrchestrator(handler, name, instanceId, input, history.slice(0, end));
    const actions = state.actions.flat();
    expect(actions.slice(0, previous.length)).toEqual(previous);
    previous = actions;
  }
  return replayOrchestrator(handler, name, instanceId, input, history);
}

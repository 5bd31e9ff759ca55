import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { DurableInternalsChanged } from "./durableInternalsChanged";
import type { HistoryEvent } from "./historyEvent";

/**
 * The one place that borrows from durable-functions' implementation instead of its public API. The local Durable
 * host (`localDurableHost.ts`) goes through here for everything the public API does not offer.
 *
 * Why this is needed: the host runs the app's real orchestrator generators through the SDK's own replay engine and
 * reads the state the SDK hands back to the Durable extension (`{ isDone, actions, output, error, customStatus }`).
 * durable-functions 3.5.0 has no public way to do that:
 * - its entry point (`lib/src/index.js`) exports only `DummyOrchestrationContext` for testing, and that class leaves
 *   `df` undefined (`lib/src/util/testingUtils.js`, class DummyOrchestrationContext). It is a context to stub, not
 *   a replay engine;
 * - `df.app.orchestration` (`lib/src/app.js`, function orchestration) builds the replay wrapper with
 *   `createOrchestrator` and passes it straight to `app.generic` from @azure/functions. Without the Functions worker,
 *   `app.generic` drops it in "test mode". `df.app.orchestration` itself returns only a task factory;
 * - its declarations (`types/*.d.ts`) have no Orchestrator, orchestrator state or action types.
 * So this file loads `createOrchestrator` from the internal module that `df.app.orchestration` itself uses.
 *
 * What it relies on. Each point is checked by test/hosting/durableInternals.test.ts, and package.json pins
 * durable-functions to an exact version, so only a deliberate upgrade can change them:
 * 1. `durable-functions/lib/src/util/testingUtils` exports `createOrchestrator(handler)`, which returns
 *    `(trigger, context) => Promise<state>`. This is the same wrapper that `df.app.orchestration` registers.
 * 2. The trigger fields the SDK requires (history, instanceId, isReplaying, upperSchemaVersion), and that
 *    upperSchemaVersion 3 selects replay schema V4. The SDK sets up `context.df` only on a context that has none, so
 *    each episode gets a fresh context.
 * 3. The state's JSON shape (`OrchestratorStateJson`). When the orchestrator throws, the promise rejects with a message
 *    that carries that state after `$OutOfProcData$:`.
 * 4. The action type numbers (`lib/src/actions/ActionType.js`), and that string inputs come JSON-encoded.
 * 5. Sequence ids. The SDK matches each completion in the history to a task by an id that it assigns itself and never
 *    reports, so the host has to assign the same ids (`actionsInIdOrder`, `retryStepAfter`). The Durable extension
 *    does the same in Azure.
 * The history events themselves (`historyEvent.ts`) are the extension's wire format, which the SDK reads. The same
 * test replays them, so a change there fails the test too.
 */

const INTERNAL_MODULE = "durable-functions/lib/src/util/testingUtils";

/** Action types, numbered as in durable-functions' `lib/src/actions/ActionType.js`: only those the host runs. */
export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  CreateTimer: 5,
  WhenAny: 11,
  WhenAll: 12,
} as const;

/** One scheduled action as it comes out of the SDK's state (after a JSON round trip, as on the wire). */
export interface ActionJson {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  fireAt?: string | Date;
  retryOptions?: {
    firstRetryIntervalInMilliseconds: number;
    maxNumberOfAttempts: number;
    backoffCoefficient?: number;
    maxRetryIntervalInMilliseconds?: number;
  };
  compoundActions?: ActionJson[];
}

/** What one replay returns: every action scheduled since the start, and the result once the orchestrator is done. */
export interface OrchestratorStateJson {
  isDone: boolean;
  actions: unknown[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

/** The SDK's replay wrapper around one orchestrator generator. */
export type OrchestratorListener = (trigger: unknown, context: InvocationContext) => Promise<unknown>;
type CreateOrchestrator = (handler: df.OrchestrationHandler) => OrchestratorListener;

/** The newest replay schema (V4), which the current extension negotiates. It nests Task.all / Task.any as compound actions. */
export const UPPER_SCHEMA_VERSION = 3;

/** Where the SDK puts the orchestrator's state in the message of the error it rejects with (`OrchestrationFailureError`). */
const FAILURE_STATE_MARKER = "$OutOfProcData$:";

let createOrchestrator: CreateOrchestrator | undefined;

/**
 * The SDK's replay wrapper for `handler`. The internal module is loaded on first use, not at import, so that merely
 * importing the local host never fails: the error, with its explanation, comes when a local run starts.
 */
export function orchestratorListener(handler: df.OrchestrationHandler): OrchestratorListener {
  createOrchestrator ??= loadCreateOrchestrator();
  const listener: unknown = createOrchestrator(handler);
  if (typeof listener !== "function")
    throw new DurableInternalsChanged(
      `createOrchestrator(handler) returned ${typeof listener} instead of a (trigger, context) listener`,
    );
  return listener as OrchestratorListener;
}

function loadCreateOrchestrator(): CreateOrchestrator {
  let internal: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module: no types, no exports map entry
    internal = require(INTERNAL_MODULE);
  } catch (error) {
    throw new DurableInternalsChanged(`the module ${INTERNAL_MODULE} cannot be loaded`, { cause: error });
  }
  const exported = (internal as { createOrchestrator?: unknown }).createOrchestrator;
  if (typeof exported !== "function")
    throw new DurableInternalsChanged(`${INTERNAL_MODULE} no longer exports a createOrchestrator function`);
  return exported as CreateOrchestrator;
}

/** One episode as the extension would run it: the orchestrator, its input and the history so far. */
export interface Episode {
  handler: df.OrchestrationHandler;
  name: string;
  instanceId: string;
  input: unknown;
  history: HistoryEvent[];
  /** Receives every line the orchestrator logs. */
  log: (line: string) => void;
}

/**
 * Runs one episode: the SDK replays the history and returns its state. An orchestrator that threw comes back as a
 * state with `failed` set to its message, not as an exception. Any other error is passed on.
 */
export function replayEpisode(episode: Episode): Promise<{ state: OrchestratorStateJson; failed?: string }> {
  const { handler, name, instanceId, input, history, log } = episode;
  const context = new df.DummyOrchestrationContext(name, `${instanceId}:${history.length}`, (_level, ...args) =>
    log(args.map(String).join(" ")),
  );
  return runListener(orchestratorListener(handler), orchestrationTrigger(instanceId, input, history), context);
}

/** The trigger the extension sends for one episode (the orchestration binding's JSON). */
export function orchestrationTrigger(
  instanceId: string,
  input: unknown,
  history: HistoryEvent[],
): Record<string, unknown> {
  return {
    history: JSON.parse(JSON.stringify(history)) as unknown,
    input: input === undefined ? undefined : (JSON.parse(JSON.stringify(input)) as unknown),
    instanceId,
    isReplaying: false,
    parentInstanceId: "",
    upperSchemaVersion: UPPER_SCHEMA_VERSION,
    maximumShortTimerDuration: "6.00:00:00",
    longRunningTimerIntervalDuration: "3.00:00:00",
    defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
  };
}

/** Calls a replay wrapper (ours or the one df.app.orchestration registers) and reads its state as `replayEpisode` says. */
export async function runListener(
  listener: OrchestratorListener,
  trigger: unknown,
  context: InvocationContext,
): Promise<{ state: OrchestratorStateJson; failed?: string }> {
  let returned: unknown;
  try {
    returned = await listener(trigger, context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const marker = message.indexOf(FAILURE_STATE_MARKER);
    if (marker < 0) throw error;
    const state = checkedState(JSON.parse(message.slice(marker + FAILURE_STATE_MARKER.length)) as unknown);
    return { state, failed: state.error ?? "orchestrator failed" };
  }
  return { state: checkedState(JSON.parse(JSON.stringify(returned)) as unknown) };
}

function checkedState(state: unknown): OrchestratorStateJson {
  const candidate = state as Partial<OrchestratorStateJson> | null;
  if (
    typeof candidate?.isDone !== "boolean" ||
    !Array.isArray(candidate.actions) ||
    !candidate.actions.every(Array.isArray)
  ) {
    throw new DurableInternalsChanged(
      `the orchestrator state no longer has the shape { isDone: boolean, actions: Action[][] } (got ${JSON.stringify(state)?.slice(0, 200)})`,
    );
  }
  return candidate as OrchestratorStateJson;
}

/**
 * The leaf actions in the order the SDK gives them sequence ids: the order they were scheduled, and depth-first
 * through the children of Task.all / Task.any (TaskOrchestrationExecutor.trackOpenTask).
 */
export function actionsInIdOrder(actions: unknown[][]): ActionJson[] {
  const out: ActionJson[] = [];
  const visit = (action: ActionJson): void => {
    if (action.actionType === ActionType.WhenAll || action.actionType === ActionType.WhenAny) {
      for (const child of action.compoundActions ?? []) visit(child);
    } else {
      out.push(action);
    }
  };
  for (const group of actions) for (const action of group as ActionJson[]) visit(action);
  return out;
}

/** A completion of one of a retried call's own tasks: attempt number `attempt` ended, or the retry timer after it fired. */
export type RetryCompletion = "attemptSucceeded" | "attemptFailed" | "retryTimerFired";

/** What a retried call schedules next after a `RetryCompletion`. Whatever it schedules takes the next sequence id. */
export type RetryStep = { kind: "retryTimer" } | { kind: "attempt"; attempt: number } | { kind: "nothing" };

/**
 * callActivityWithRetry / callSubOrchestratorWithRetry as the SDK counts them (RetryableTask.trySetValue). A failed
 * attempt is followed by a retry timer, even after the last attempt, because the error reaches the orchestrator only
 * when that timer fires. When the timer fires, the next attempt is scheduled if any attempts remain.
 */
export function retryStepAfter(completion: RetryCompletion, attempt: number, maxNumberOfAttempts: number): RetryStep {
  if (completion === "attemptFailed") return { kind: "retryTimer" };
  if (completion === "retryTimerFired" && attempt < maxNumberOfAttempts)
    return { kind: "attempt", attempt: attempt + 1 };
  return { kind: "nothing" };
}

/** An action's input as the activity receives it: the SDK JSON-encodes string inputs (and only those) into the action. */
export function decodeActionInput(input: unknown): unknown {
  if (typeof input !== "string") return input;
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

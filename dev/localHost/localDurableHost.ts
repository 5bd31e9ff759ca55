import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { isAppError } from "../../shared/errors";
import { type Clock, systemClock } from "../../shared/runtime/clock";
import { globalRedactor } from "../../shared/runtime/secretRedactor";
import { realSleep, type Sleep } from "../../shared/runtime/sleep";
import {
  type ActionJson,
  ActionType,
  actionsInIdOrder,
  decodeActionInput,
  type OrchestratorStateJson,
  replayEpisode,
  retryStepAfter,
} from "./durableInternals";
import { type HistoryEvent, HistoryEventType, historyEvent } from "./historyEvent";

/**
 * A local stand-in for the Durable Task extension, so the CLI, the sandbox demo and tests run the *real*
 * orchestrator generators through durable-functions' own replay engine — the code path Azure runs — instead of a
 * second engine.
 *
 * How it works: the orchestrator is replayed over a history that grows one completion at a time, exactly as the
 * extension feeds it. Each replay returns every action scheduled since the start; the new ones are given the
 * sequence ids the SDK assigns (scheduling order, compound actions depth-first, and one extra id per retry timer and
 * per retry attempt, assigned when the SDK processes the failure / the timer), then run in-process. Appending one
 * completion per episode keeps that id bookkeeping exact, because the SDK assigns ids while it processes events in
 * history order.
 *
 * durable-functions has no public API for replaying an orchestrator, so everything this host takes from its
 * implementation (the replay wrapper, the state and action shapes, the id rules) lives in `durableInternals.ts`.
 *
 * Activities run concurrently (fan-out is real), inputs and outputs go through JSON as on the wire, and failures
 * carry FailureDetails (error type, message, stable `code`) like the extension's.
 */

/** An activity body as registered with `df.app.activity`. */
export type LocalActivity = (input: unknown, context: InvocationContext) => Promise<unknown> | unknown;

export interface LocalDurableRegistry {
  orchestrators: Record<string, df.OrchestrationHandler>;
  activities: Record<string, LocalActivity>;
}

export interface LocalRunOptions {
  clock?: Clock;
  sleep?: Sleep;
  /**
   * Multiplies retry and timer delays. The CLI keeps real delays (1); tests shrink them (e.g. 0.001) so retry
   * paths run quickly while the history still records the timers.
   */
  delayScale?: number;
  /** Called with every log line an orchestrator or activity writes. */
  log?: (line: string) => void;
  /**
   * Hears an instance's custom status each time an episode leaves it changed, as the extension would store it (the
   * Durable status URL shows the latest); sub-orchestrations' too, under their own instance ids. This is how the CLI
   * shows a run's progress: from the orchestrator's own replay, with no timer and no extra call.
   */
  onCustomStatus?: (update: CustomStatusUpdate) => void;
}

/** An instance's custom status after an episode that changed it. */
export interface CustomStatusUpdate {
  readonly instanceId: string;
  readonly name: string;
  readonly customStatus: unknown;
}

export interface LocalRunResult {
  instanceId: string;
  name: string;
  status: "Completed" | "Failed";
  output?: unknown;
  /** The orchestrator's failure message, when it failed. */
  error?: string;
  customStatus?: unknown;
  /** The full history as the extension would have stored it; replaying it from scratch must give the same result. */
  history: HistoryEvent[];
  /** Number of orchestrator episodes (replays). */
  episodes: number;
}

/** Replays `history` once and returns the SDK's verdict; failures come back as a Failed state, not a throw. */
export async function replayOrchestrator(
  handler: df.OrchestrationHandler,
  name: string,
  instanceId: string,
  input: unknown,
  history: HistoryEvent[],
  log: (line: string) => void = () => undefined,
): Promise<{ state: OrchestratorStateJson; failed?: string }> {
  return replayEpisode({ handler, name, instanceId, input, history, log });
}

/** Runs orchestration `name` to completion in-process and returns its result and history. */
export async function runOrchestrationLocally(
  registry: LocalDurableRegistry,
  name: string,
  input: unknown,
  instanceId: string,
  options: LocalRunOptions = {},
): Promise<LocalRunResult> {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const scale = options.delayScale ?? 1;
  const log = options.log ?? (() => undefined);
  const handler = registry.orchestrators[name];
  if (!handler) throw new Error(`no orchestrator named "${name}" is registered`);

  const at = (): string => new Date(clock.now()).toISOString();
  const history: HistoryEvent[] = [
    historyEvent(HistoryEventType.OrchestratorStarted, { Timestamp: at() }),
    historyEvent(HistoryEventType.ExecutionStarted, {
      Timestamp: at(),
      Name: name,
      Input: JSON.stringify(input ?? null),
    }),
  ];

  /** A unit of in-flight work that ends in exactly one history event. */
  type Completion = { event: HistoryEvent; retry?: RetryProgress };
  interface RetryProgress {
    action: ActionJson;
    attempt: number;
    failed: boolean;
  }
  const inFlight = new Map<number, Promise<Completion>>();
  // Timers still pending when the orchestration ends (a deadline it no longer needs) must not keep the process alive.
  const ended = new AbortController();
  const wait = (ms: number): Promise<void> => sleep(ms, ended.signal).catch(() => undefined);
  let nextSeq = 0;
  let knownActions = 0;
  let episodes = 0;
  let lastStatus = "null";
  const statusSeen = (customStatus: unknown): void => {
    if (!options.onCustomStatus) return;
    const json = JSON.stringify(customStatus ?? null);
    if (json === lastStatus) return;
    lastStatus = json;
    options.onCustomStatus({ instanceId, name, customStatus: JSON.parse(json) as unknown });
  };

  const runActivity = async (
    action: ActionJson,
  ): Promise<{ ok: true; result: unknown } | { ok: false; error: unknown }> => {
    const activity = registry.activities[action.functionName ?? ""];
    if (!activity) return { ok: false, error: new Error(`no activity named "${action.functionName}" is registered`) };
    const context = new df.DummyOrchestrationContext(action.functionName, `${instanceId}:activity`, (_level, ...args) =>
      log(args.map(String).join(" ")),
    );
    try {
      const result = await activity(JSON.parse(JSON.stringify(decodeActionInput(action.input) ?? null)), context);
      return { ok: true, result };
    } catch (error) {
      return { ok: false, error };
    }
  };

  const runSubOrchestration = async (action: ActionJson, attempt: number) => {
    const childId = action.instanceId ?? `${instanceId}:${action.functionName}:${nextSeq}:${attempt}`;
    return runOrchestrationLocally(
      registry,
      action.functionName ?? "",
      decodeActionInput(action.input),
      childId,
      options,
    );
  };

  const start = (seq: number, action: ActionJson, attempt = 1): void => {
    const work = async (): Promise<Completion> => {
      const retry = action.retryOptions ? { action, attempt, failed: false } : undefined;
      if (action.actionType === ActionType.CreateTimer) {
        const fireAt = new Date(action.fireAt ?? 0);
        await wait(Math.max(0, (fireAt.getTime() - clock.now()) * scale));
        return {
          event: historyEvent(HistoryEventType.TimerFired, {
            Timestamp: at(),
            TimerId: seq,
            FireAt: fireAt.toISOString(),
          }),
        };
      }
      if (
        action.actionType === ActionType.CallSubOrchestrator ||
        action.actionType === ActionType.CallSubOrchestratorWithRetry
      ) {
        const child = await runSubOrchestration(action, attempt);
        if (child.status === "Completed") {
          return {
            event: historyEvent(HistoryEventType.SubOrchestrationInstanceCompleted, {
              Timestamp: at(),
              TaskScheduledId: seq,
              Result: JSON.stringify(child.output ?? null),
            }),
            ...(retry ? { retry } : {}),
          };
        }
        return {
          event: failureEvent(
            HistoryEventType.SubOrchestrationInstanceFailed,
            seq,
            at(),
            new Error(child.error ?? "sub-orchestration failed"),
          ),
          ...(retry ? { retry: { ...retry, failed: true } } : {}),
        };
      }
      const outcome = await runActivity(action);
      if (outcome.ok) {
        return {
          event: historyEvent(HistoryEventType.TaskCompleted, {
            Timestamp: at(),
            TaskScheduledId: seq,
            Result: JSON.stringify(outcome.result ?? null),
          }),
          ...(retry ? { retry } : {}),
        };
      }
      return {
        event: failureEvent(HistoryEventType.TaskFailed, seq, at(), outcome.error),
        ...(retry ? { retry: { ...retry, failed: true } } : {}),
      };
    };
    inFlight.set(seq, work());
  };

  /** Retry timers in flight, with the attempt they follow. */
  const timers = new Map<number, RetryProgress>();
  const startRetryTimer = (seq: number, progress: RetryProgress): void => {
    const options = progress.action.retryOptions!;
    const coefficient = options.backoffCoefficient ?? 1;
    let delayMs = options.firstRetryIntervalInMilliseconds * coefficient ** (progress.attempt - 1);
    if (options.maxRetryIntervalInMilliseconds && options.maxRetryIntervalInMilliseconds > 0)
      delayMs = Math.min(delayMs, options.maxRetryIntervalInMilliseconds);
    inFlight.set(
      seq,
      (async (): Promise<Completion> => {
        await wait(delayMs * scale);
        return {
          event: historyEvent(HistoryEventType.TimerFired, { Timestamp: at(), TimerId: seq, FireAt: at() }),
          retry: { ...progress, failed: false, attempt: progress.attempt },
        };
      })(),
    );
    timers.set(seq, progress);
  };

  // Timers still pending when the orchestration ends are cancelled with it (see `wait`).
  try {
    for (;;) {
      episodes += 1;
      const { state, failed } = await replayOrchestrator(handler, name, instanceId, input, history, log);
      statusSeen(state.customStatus);
      if (failed !== undefined) {
        return {
          instanceId,
          name,
          status: "Failed",
          error: globalRedactor.redact(failed),
          customStatus: state.customStatus,
          history,
          episodes,
        };
      }
      if (state.isDone) {
        return {
          instanceId,
          name,
          status: "Completed",
          output: state.output,
          customStatus: state.customStatus,
          history,
          episodes,
        };
      }
      const actions = actionsInIdOrder(state.actions);
      for (const action of actions.slice(knownActions)) {
        const seq = nextSeq++;
        if (action.actionType === ActionType.CreateTimer) {
          history.push(
            historyEvent(HistoryEventType.TimerCreated, {
              Timestamp: at(),
              EventId: seq,
              FireAt: new Date(action.fireAt ?? 0).toISOString(),
            }),
          );
        } else if (
          action.actionType === ActionType.CallSubOrchestrator ||
          action.actionType === ActionType.CallSubOrchestratorWithRetry
        ) {
          history.push(
            historyEvent(HistoryEventType.SubOrchestrationInstanceCreated, {
              Timestamp: at(),
              EventId: seq,
              Name: action.functionName,
              InstanceId: action.instanceId ?? "",
            }),
          );
        } else {
          history.push(
            historyEvent(HistoryEventType.TaskScheduled, { Timestamp: at(), EventId: seq, Name: action.functionName }),
          );
        }
        start(seq, action);
      }
      knownActions = actions.length;
      history.push(historyEvent(HistoryEventType.OrchestratorCompleted, { Timestamp: at() }));

      if (inFlight.size === 0) {
        throw new Error(
          `orchestration ${name} (${instanceId}) is waiting for something this local host cannot provide (external events or entities)`,
        );
      }
      // One completion per episode (see the header comment for why).
      const [seq, completion] = await Promise.race(
        [...inFlight.entries()].map(([id, promise]) => promise.then((c) => [id, c] as const)),
      );
      inFlight.delete(seq);
      history.push(historyEvent(HistoryEventType.OrchestratorStarted, { Timestamp: at() }));
      history.push(completion.event);

      // A retried call schedules its next task (and so takes the next id) while the SDK processes this very event.
      const progress = completion.retry;
      if (progress) {
        const firedTimer = timers.delete(seq);
        const step = retryStepAfter(
          firedTimer ? "retryTimerFired" : progress.failed ? "attemptFailed" : "attemptSucceeded",
          progress.attempt,
          progress.action.retryOptions!.maxNumberOfAttempts,
        );
        if (step.kind === "retryTimer") startRetryTimer(nextSeq++, progress);
        else if (step.kind === "attempt") start(nextSeq++, progress.action, step.attempt);
      }
    }
  } finally {
    ended.abort();
  }
}

function failureEvent(type: HistoryEventType, seq: number, timestamp: string, error: unknown): HistoryEvent {
  const errorType = error instanceof Error ? error.name : "Error";
  const message = globalRedactor.redact(error instanceof Error ? error.message : String(error));
  return historyEvent(type, {
    Timestamp: timestamp,
    TaskScheduledId: seq,
    Reason: message,
    Details: errorType,
    FailureDetails: {
      ErrorType: errorType,
      ErrorMessage: message,
      IsNonRetriable: false,
      ...(isAppError(error) ? { Properties: { code: error.code } } : {}),
    },
  });
}

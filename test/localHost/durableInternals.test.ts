// First: with the worker's module stood in, df.app.orchestration really registers, and the test can fetch the wrapper.

import { readFileSync } from "node:fs";
import path from "node:path";
import * as df from "durable-functions";
import { describe, expect, it } from "vitest";
import {
  type ActionJson,
  ActionType,
  actionsInIdOrder,
  decodeActionInput,
  orchestrationTrigger,
  orchestratorListener,
  replayEpisode,
  runListener,
} from "../../dev/localHost/durableInternals";
import { type HistoryEvent, HistoryEventType, historyEvent } from "../../dev/localHost/historyEvent";
import {
  type LocalDurableRegistry,
  replayOrchestrator,
  runOrchestrationLocally,
} from "../../dev/localHost/localDurableHost";
import { AppError } from "../../shared/errors";
import { registeredFunction } from "../helpers/fakeFunctionsCore";

/**
 * The canary for dev/localHost/durableInternals.ts. That file borrows from durable-functions' implementation: an
 * internal module, the state and action shapes, and the sequence-id rules the local host re-implements. Each test
 * checks one of those assumptions against the installed SDK, and each failure message names the file, so an upgrade
 * that changes an assumption says where the work is.
 *
 * To learn which id the SDK gave each task, the id test reads fields of the SDK's Task objects (`id`, `children`,
 * `actionObj`). These are internal too, and they are read here only: if they move, that test says it could not read them.
 */
const FILE = "dev/localHost/durableInternals.ts";
const broken = (what: string): string =>
  `durable-functions no longer behaves as ${FILE} assumes: ${what}. The local Durable host (CLI, demo, bench, end-to-end tests) ` +
  `depends on it. Fix ${FILE} for the new version, or keep durable-functions at the version package.json pins.`;

const root = path.resolve(__dirname, "../..");
const readJson = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;

class CanaryFailure extends AppError {
  readonly code = "CANARY_FAILURE";
}

const retryTwice = (): df.RetryOptions => {
  const options = new df.RetryOptions(1000, 2);
  options.backoffCoefficient = 2;
  return options;
};

/**
 * Every task of the canary describes itself: an activity answers (or fails) with `name(input) #attempt`, a
 * sub-orchestration returns `name(input) #1`. So the ids can be compared by what ran under them, not only by state.
 */
const describeTask = (name: string, input: unknown, attempt: number): string =>
  `${name}(${JSON.stringify(input)}) #${attempt}`;

/**
 * One of each thing the app's orchestrators do: an activity, Task.all of activities, callActivityWithRetry that
 * fails once and then succeeds, one that runs out of attempts, a sub-orchestration, a durable timer, and a Task.any
 * race between an activity and a timer. The loser of the race is still pending at the end.
 */
const canary: df.OrchestrationHandler = function* (context) {
  context.df.setCustomStatus({ stage: "started" });
  const one: unknown = yield context.df.callActivity("echo", "one");
  const both: unknown = yield context.df.Task.all([
    context.df.callActivity("echo", "a"),
    context.df.callActivity("echo", { key: "b" }),
  ]);
  const retried: unknown = yield context.df.callActivityWithRetry("failsOnce", retryTwice(), "r");
  let exhausted: unknown;
  try {
    yield context.df.callActivityWithRetry("alwaysFails", retryTwice(), "x");
  } catch (error) {
    const failed = error as df.TaskFailedError;
    exhausted = { code: failed.failureDetails?.properties?.code, taskId: failed.taskId };
  }
  const child: unknown = yield context.df.callSubOrchestrator("canaryChild", "c", `${context.df.instanceId}:child`);
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1000));
  const winner: df.Task = yield context.df.Task.any([
    context.df.callActivity("echo", "fast"),
    context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000)),
  ]);
  context.df.setCustomStatus({ stage: "done" });
  return { one, both, retried, exhausted, child, winner: winner.result };
};

const canaryChild: df.OrchestrationHandler = function* (context) {
  yield context.df.callActivity("echo", "inside the child");
  return describeTask("canaryChild", context.df.getInput(), 1);
};

function canaryRegistry(): LocalDurableRegistry {
  const attempts = new Map<string, number>();
  const attempt = (name: string, input: unknown): number => {
    const key = describeTask(name, input, 0);
    const next = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, next);
    return next;
  };
  return {
    orchestrators: { canary, canaryChild },
    activities: {
      echo: (input) => describeTask("echo", input, attempt("echo", input)),
      failsOnce: (input) => {
        const n = attempt("failsOnce", input);
        if (n === 1) throw new CanaryFailure(describeTask("failsOnce", input, n));
        return describeTask("failsOnce", input, n);
      },
      alwaysFails: (input) => {
        throw new CanaryFailure(describeTask("alwaysFails", input, attempt("alwaysFails", input)));
      },
    },
  };
}

/** What the canary returns when every completion reached the task it was meant for. */
const expectedOutput = {
  one: 'echo("one") #1',
  both: ['echo("a") #1', 'echo({"key":"b"}) #1'],
  retried: 'failsOnce("r") #2',
  // Ids: 0 one, 1-2 both, 3 failsOnce, 4 its retry timer, 5 its second attempt, 6 alwaysFails, 7 timer, 8 attempt 2.
  exhausted: { code: "CANARY_FAILURE", taskId: 8 },
  child: 'canaryChild("c") #1',
  winner: 'echo("fast") #1',
};

async function runCanary() {
  try {
    return await runOrchestrationLocally(canaryRegistry(), "canary", undefined, "canary-1", { delayScale: 0.001 });
  } catch (error) {
    throw new Error(
      broken(
        `the canary orchestration did not run to the end under the local host (${error instanceof Error ? error.message : String(error)})`,
      ),
      { cause: error },
    );
  }
}

/** The orchestrator, with every task it yields kept, so the test can read the ids the SDK gave them. */
function recordingYields(handler: df.OrchestrationHandler, yielded: df.Task[]): df.OrchestrationHandler {
  return function* (context) {
    const inner = handler(context);
    let step = inner.next();
    while (!step.done) {
      yielded.push(step.value);
      try {
        step = inner.next(yield step.value);
      } catch (error) {
        step = inner.throw(error);
      }
    }
    return step.value;
  };
}

/**
 * The SDK's own task fields, which are not public: a leaf task has its sequence `id` and its `actionObj`, and Task.all,
 * Task.any and a retried call hold `children`. A retried call's children are the first attempt, then one retry timer
 * and one further attempt for each failure.
 */
interface SdkTask {
  id?: unknown;
  actionObj?: ActionJson | string;
  children?: SdkTask[];
  isCompleted: boolean;
  isFaulted: boolean;
}

const state = (task: { isCompleted: boolean; isFaulted: boolean }): string =>
  task.isFaulted ? "failed" : task.isCompleted ? "completed" : "pending";

/** Sequence id -> the task the SDK gave it and that task's state, after replaying the whole history. */
function sdkIds(yielded: df.Task[]): string[] {
  const byId = new Map<number, string>();
  const describe = (action: ActionJson, attempt: number): string =>
    action.actionType === ActionType.CreateTimer
      ? "timer"
      : describeTask(action.functionName ?? "?", decodeActionInput(action.input), attempt);
  const visit = (task: SdkTask, label?: string): void => {
    if (Array.isArray(task.children)) {
      const retried =
        task.children.length > 0 && typeof task.actionObj === "object" && task.actionObj.retryOptions !== undefined;
      task.children.forEach((child, index) =>
        // In a retried call, odd children are retry timers and even ones are attempts 1, 2, ...
        visit(
          child,
          retried ? (index % 2 === 1 ? "timer" : describe(task.actionObj as ActionJson, index / 2 + 1)) : undefined,
        ),
      );
    } else if (typeof task.id === "number") {
      const what = label ?? (typeof task.actionObj === "object" ? describe(task.actionObj, 1) : "?");
      byId.set(task.id, `${what} ${state(task)}`);
    }
  };
  for (const task of yielded) visit(task as unknown as SdkTask);
  return [...byId].sort(([a], [b]) => a - b).map(([id, text]) => `${id}: ${text}`);
}

/** Sequence id -> what the local host ran under it (as the task describes itself) and how it ended. */
function hostIds(history: HistoryEvent[]): string[] {
  const byId = new Map<number, string>();
  for (const event of history) {
    switch (event.EventType) {
      case HistoryEventType.TimerCreated:
        if (!byId.has(event.EventId)) byId.set(event.EventId, "timer pending");
        break;
      case HistoryEventType.TaskScheduled:
      case HistoryEventType.SubOrchestrationInstanceCreated:
        if (!byId.has(event.EventId)) byId.set(event.EventId, `${String(event.Name)} pending`);
        break;
      case HistoryEventType.TaskCompleted:
      case HistoryEventType.SubOrchestrationInstanceCompleted:
        byId.set(event.TaskScheduledId as number, `${JSON.parse(event.Result as string) as string} completed`);
        break;
      case HistoryEventType.TaskFailed:
      case HistoryEventType.SubOrchestrationInstanceFailed:
        byId.set(event.TaskScheduledId as number, `${String(event.Reason)} failed`);
        break;
      case HistoryEventType.TimerFired:
        byId.set(event.TimerId as number, "timer completed");
        break;
    }
  }
  return [...byId].sort(([a], [b]) => a - b).map(([id, text]) => `${id}: ${text}`);
}

/** The history of a first episode: the orchestration has just started. */
const firstEpisode = (): HistoryEvent[] => [
  historyEvent(HistoryEventType.OrchestratorStarted, { Timestamp: "2026-01-01T00:00:00.000Z" }),
  historyEvent(HistoryEventType.ExecutionStarted, {
    Timestamp: "2026-01-01T00:00:00.000Z",
    Name: "probe",
    Input: "null",
  }),
];

describe(`durable-functions internals the local host relies on (${FILE})`, () => {
  it("pins durable-functions to the exact version installed and locked", () => {
    const pinned = (readJson(path.join(root, "package.json")).dependencies as Record<string, string>)[
      "durable-functions"
    ];
    const installed = readJson(path.join(root, "node_modules/durable-functions/package.json")).version;
    const locked = (readJson(path.join(root, "package-lock.json")).packages as Record<string, { version: string }>)[
      "node_modules/durable-functions"
    ]?.version;
    expect(
      pinned,
      `package.json must pin durable-functions to one exact version, because ${FILE} depends on its internals`,
    ).toMatch(/^\d+\.\d+\.\d+$/);
    expect(
      { installed, locked },
      broken(`the installed or locked durable-functions is not the pinned ${pinned}`),
    ).toEqual({ installed: pinned, locked: pinned });
  });

  it("loads createOrchestrator from the internal module, and it returns a (trigger, context) listener", () => {
    // orchestratorListener throws DurableInternalsChanged, naming the file, if the module or the export is gone.
    const listener = orchestratorListener(canary);
    expect(typeof listener, broken("createOrchestrator(handler) no longer returns a function")).toBe("function");
  });

  it("is the very wrapper df.app.orchestration registers, giving the same state at every episode", async () => {
    df.app.orchestration("durableInternalsCanary", canary);
    const registered = registeredFunction("durableInternalsCanary");
    expect(
      Object.values(registered.metadata.bindings).map((binding) => binding.type),
      broken("df.app.orchestration no longer registers an orchestrationTrigger"),
    ).toContain("orchestrationTrigger");
    const { history } = await runCanary();
    const ends = [
      ...history.flatMap((event, index) => (event.EventType === HistoryEventType.OrchestratorCompleted ? [index] : [])),
      history.length,
    ];
    for (const end of ends) {
      const prefix = history.slice(0, end);
      const ours = await replayEpisode({
        handler: canary,
        name: "canary",
        instanceId: "canary-1",
        input: undefined,
        history: prefix,
        log: () => undefined,
      });
      const theirs = await runListener(
        registered.handler as Parameters<typeof runListener>[0],
        orchestrationTrigger("canary-1", undefined, prefix),
        new df.DummyOrchestrationContext("canary", "registered"),
      );
      expect(
        ours,
        broken(
          `the wrapper df.app.orchestration registers answers differently from createOrchestrator after ${end} history events`,
        ),
      ).toEqual(theirs);
    }
  });

  it("returns the state shape the host reads: every action since the start, done, output and custom status", async () => {
    const first = await replayEpisode({
      handler: canary,
      name: "canary",
      instanceId: "shape",
      input: undefined,
      history: firstEpisode(),
      log: () => undefined,
    });
    expect(
      first,
      broken("the state after the first episode is not { isDone: false, actions: [[CallActivity]], customStatus }"),
    ).toMatchObject({
      state: {
        isDone: false,
        actions: [[{ actionType: ActionType.CallActivity, functionName: "echo" }]],
        customStatus: { stage: "started" },
      },
    });
    const { history } = await runCanary();
    const last = await replayOrchestrator(canary, "canary", "canary-1", undefined, history);
    expect(
      last.state,
      broken("a finished orchestration's state does not carry isDone: true, the expected output and the custom status"),
    ).toMatchObject({ isDone: true, output: expectedOutput, customStatus: { stage: "done" } });
    expect(
      actionsInIdOrder(last.state.actions).map((a) => a.actionType),
      broken("the actions are not every action since the start, in scheduling order"),
    ).toEqual([
      ActionType.CallActivity,
      ActionType.CallActivity,
      ActionType.CallActivity,
      ActionType.CallActivityWithRetry,
      ActionType.CallActivityWithRetry,
      ActionType.CallSubOrchestrator,
      ActionType.CreateTimer,
      ActionType.CallActivity,
      ActionType.CreateTimer,
    ]);
  });

  it("reports an orchestrator that throws as a failed state (the $OutOfProcData$ message), not as a bare error", async () => {
    // biome-ignore lint/correctness/useYield: an orchestrator that fails before its first action
    const throwing: df.OrchestrationHandler = function* () {
      throw new Error("the orchestrator gave up");
    };
    const result = await replayEpisode({
      handler: throwing,
      name: "throwing",
      instanceId: "fails",
      input: undefined,
      history: firstEpisode(),
      log: () => undefined,
    }).catch((error: unknown) => ({
      threw: error instanceof Error ? error.message : String(error),
    }));
    expect(
      result,
      broken("a failing orchestrator no longer rejects with its state after $OutOfProcData$:"),
    ).toMatchObject({ state: { isDone: false }, failed: "the orchestrator gave up" });
  });

  it("numbers the action types and encodes inputs as the host decodes them", async () => {
    const fireAt = new Date("2026-01-01T00:05:00.000Z");
    const probe: df.OrchestrationHandler = function* (context) {
      const retry = retryTwice();
      retry.maxRetryIntervalInMilliseconds = 5000;
      yield context.df.Task.all([
        context.df.callActivity("activity", "a string"),
        context.df.callActivityWithRetry("retried", retry, { n: 1 }),
        context.df.callSubOrchestrator("child", { n: 2 }, "child-id"),
        context.df.callSubOrchestratorWithRetry("retriedChild", retry, { n: 3 }, "retried-child-id"),
        context.df.Task.any([context.df.createTimer(fireAt), context.df.callActivity("inner", 4)]),
      ]);
    };
    const { state } = await replayEpisode({
      handler: probe,
      name: "probe",
      instanceId: "probe",
      input: undefined,
      history: firstEpisode(),
      log: () => undefined,
    });
    const retryOptions = {
      firstRetryIntervalInMilliseconds: 1000,
      maxNumberOfAttempts: 2,
      backoffCoefficient: 2,
      maxRetryIntervalInMilliseconds: 5000,
    };
    expect(
      state.actions,
      broken(
        "Task.all / Task.any are no longer one WhenAll / WhenAny action holding their children (replay schema V4)",
      ),
    ).toMatchObject([[{ actionType: ActionType.WhenAll, compoundActions: expect.any(Array) as unknown }]]);
    const leaves = actionsInIdOrder(state.actions);
    expect(
      leaves,
      broken(
        "an action's type number or the fields the host reads (functionName, input, instanceId, fireAt, retryOptions) changed",
      ),
    ).toMatchObject([
      { actionType: ActionType.CallActivity, functionName: "activity" },
      { actionType: ActionType.CallActivityWithRetry, functionName: "retried", input: { n: 1 }, retryOptions },
      { actionType: ActionType.CallSubOrchestrator, functionName: "child", input: { n: 2 }, instanceId: "child-id" },
      {
        actionType: ActionType.CallSubOrchestratorWithRetry,
        functionName: "retriedChild",
        input: { n: 3 },
        instanceId: "retried-child-id",
        retryOptions,
      },
      { actionType: ActionType.CreateTimer, fireAt: fireAt.toISOString() },
      { actionType: ActionType.CallActivity, functionName: "inner", input: 4 },
    ] satisfies Partial<ActionJson>[]);
    expect(
      { inAction: leaves[0]!.input, decoded: decodeActionInput(leaves[0]!.input) },
      broken("a string input no longer comes JSON-encoded in its action"),
    ).toEqual({
      inAction: JSON.stringify("a string"),
      decoded: "a string",
    });
  });

  it("gives every task the sequence id the local host assigns: activities, Task.all, retries and their timers, a sub-orchestration, timers, Task.any", async () => {
    const result = await runCanary();
    const yielded: df.Task[] = [];
    await replayOrchestrator(recordingYields(canary, yielded), "canary", "canary-1", undefined, result.history);
    const sdk = sdkIds(yielded);
    const host = hostIds(result.history);
    expect(
      sdk.length,
      broken("could not read the ids the SDK gave its tasks (the `id` / `children` fields of its Task objects)"),
    ).toBeGreaterThan(0);
    // Under each id, the SDK's task is the one the host ran, and both agree on how it ended.
    expect(
      sdk,
      broken("the SDK assigns sequence ids differently from the local host (actionsInIdOrder / retryStepAfter)"),
    ).toEqual(host);
    // And so every result reached the orchestrator where it was awaited; the SDK reports the failed attempt's id too.
    expect({ status: result.status, output: result.output }, broken("a completion reached the wrong task")).toEqual({
      status: "Completed",
      output: expectedOutput,
    });
  });
});

import * as df from "durable-functions";
import { describe, expect, it } from "vitest";
import { HistoryEventType } from "../../dev/localHost/historyEvent";
import {
  type LocalDurableRegistry,
  replayOrchestrator,
  runOrchestrationLocally,
} from "../../dev/localHost/localDurableHost";
import { AppError } from "../../shared/errors";

class Flaky extends AppError {
  readonly code = "FLAKY";
}

const fastRetry = (attempts: number): df.RetryOptions => {
  const options = new df.RetryOptions(1000, attempts);
  options.backoffCoefficient = 2;
  return options;
};

let running = 0;
let maxRunning = 0;

function registry(
  extra: Partial<LocalDurableRegistry["activities"]> = {},
): LocalDurableRegistry & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const count = (name: string): number => (calls[name] = (calls[name] ?? 0) + 1);
  return {
    calls,
    orchestrators: {
      sequence: function* (context) {
        const a: number = yield context.df.callActivity("double", 2);
        const b: number = yield context.df.callActivity("double", a);
        return { a, b, at: context.df.currentUtcDateTime.toISOString() };
      },
      fanOut: function* (context) {
        const inputs = context.df.getInput() as number[];
        const results: number[] = yield context.df.Task.all(
          inputs.map((n) => context.df.callActivity("slowDouble", n)),
        );
        return results;
      },
      retrying: function* (context) {
        const value: string = yield context.df.callActivityWithRetry("flakyTwice", fastRetry(3), "x");
        return value;
      },
      retryFanOut: function* (context) {
        const results: string[] = yield context.df.Task.all(
          ["a", "b", "c"].map((key) => context.df.callActivityWithRetry("flakyOncePerKey", fastRetry(2), key)),
        );
        const after: number = yield context.df.callActivity("double", results.length);
        return { results, after };
      },
      exhausted: function* (context) {
        try {
          yield context.df.callActivityWithRetry("alwaysFails", fastRetry(2), null);
          return "impossible";
        } catch (error) {
          return { caught: error instanceof Error ? error.message : String(error) };
        }
      },
      parent: function* (context) {
        const child: unknown = yield context.df.callSubOrchestrator("sequence", undefined, "child-1");
        return { child };
      },
      failing: function* (context) {
        yield context.df.callActivity("alwaysFails", null);
        return "unreachable";
      },
    },
    activities: {
      double: (n) => {
        count("double");
        return (n as number) * 2;
      },
      slowDouble: async (n) => {
        count("slowDouble");
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running -= 1;
        return (n as number) * 2;
      },
      flakyTwice: (input) => {
        if (count("flakyTwice") <= 2) throw new Flaky(`flaky ${String(input)}`);
        return `ok ${String(input)}`;
      },
      flakyOncePerKey: (key) => {
        if (count(`flaky-${String(key)}`) === 1) throw new Flaky(`first try of ${String(key)}`);
        return `ok ${String(key)}`;
      },
      alwaysFails: () => {
        count("alwaysFails");
        throw new Flaky("always");
      },
      ...extra,
    },
  };
}

const options = { delayScale: 0.001 };

describe("local Durable host (real durable-functions replay, in-process activities)", () => {
  it("runs a sequence and takes time from history", async () => {
    const result = await runOrchestrationLocally(registry(), "sequence", undefined, "i1", options);
    expect(result.status).toBe("Completed");
    expect(result.output).toMatchObject({ a: 4, b: 8 });
    expect(result.episodes).toBe(3);
  });

  it("fans out concurrently and gathers results in order", async () => {
    maxRunning = 0;
    const result = await runOrchestrationLocally(registry(), "fanOut", [1, 2, 3, 4, 5, 6, 7, 8], "i2", options);
    expect(result.output).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    // All eight were in flight at once, as on the real host.
    expect(maxRunning).toBe(8);
  });

  it("drives callActivityWithRetry with timers, as the extension does", async () => {
    const r = registry();
    const result = await runOrchestrationLocally(r, "retrying", undefined, "i3", options);
    expect(result.output).toBe("ok x");
    expect(r.calls.flakyTwice).toBe(3);
    const types = result.history.map((e) => e.EventType);
    expect(types.filter((t) => t === HistoryEventType.TaskFailed)).toHaveLength(2);
    expect(types.filter((t) => t === HistoryEventType.TimerFired)).toHaveLength(2);
    const failure = result.history.find((e) => e.EventType === HistoryEventType.TaskFailed);
    expect(failure?.FailureDetails).toMatchObject({ ErrorType: "Flaky", Properties: { code: "FLAKY" } });
  });

  it("keeps sequence ids right when retries interleave inside a fan-out", async () => {
    const result = await runOrchestrationLocally(registry(), "retryFanOut", undefined, "i4", options);
    expect(result.status).toBe("Completed");
    expect(result.output).toEqual({ results: ["ok a", "ok b", "ok c"], after: 6 });
  });

  it("surfaces retry exhaustion to the orchestrator after maxNumberOfAttempts", async () => {
    const r = registry();
    const result = await runOrchestrationLocally(r, "exhausted", undefined, "i5", options);
    expect(r.calls.alwaysFails).toBe(2);
    expect(result.output).toEqual({ caught: expect.stringContaining("always") });
  });

  it("runs sub-orchestrations", async () => {
    const result = await runOrchestrationLocally(registry(), "parent", undefined, "i6", options);
    expect(result.output).toMatchObject({ child: { a: 4, b: 8 } });
  });

  it("reports an orchestrator that fails", async () => {
    const result = await runOrchestrationLocally(registry(), "failing", undefined, "i7", options);
    expect(result.status).toBe("Failed");
    expect(result.error).toContain("always");
  });

  it("produces a history that replays from scratch to the same result at every step (determinism)", async () => {
    const r = registry();
    const result = await runOrchestrationLocally(r, "retryFanOut", undefined, "i8", options);
    const handler = r.orchestrators.retryFanOut!;
    const completedAt = result.history.flatMap((e, i) =>
      e.EventType === HistoryEventType.OrchestratorCompleted ? [i] : [],
    );
    let previous: unknown[] = [];
    for (const end of completedAt) {
      const { state } = await replayOrchestrator(handler, "retryFanOut", "i8", undefined, result.history.slice(0, end));
      const actions = state.actions.flat();
      // Each replay sees the actions of the one before it, in the same order, plus new ones.
      expect(actions.slice(0, previous.length)).toEqual(previous);
      previous = actions;
    }
    const { state } = await replayOrchestrator(handler, "retryFanOut", "i8", undefined, result.history);
    expect(state.isDone).toBe(true);
    expect(state.output).toEqual(result.output);
  });
});

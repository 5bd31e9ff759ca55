import { describe, expect, it } from "vitest";
import { HistoryEventType } from "../../dev/localHost/historyEvent";
import { type LocalDurableRegistry, runOrchestrationLocally } from "../../dev/localHost/localDurableHost";
import type { SyncProfileInput } from "../../shared/engine/run/runContract";
import { createManualClock } from "../../shared/runtime";
import {
  FOLLOW_UP_PATIENCE_MS,
  type StartOutcome,
  SyncFollowUpNames,
  type SyncFollowUpResult,
  syncFollowUpOrchestrator,
} from "../../shared/syncStart";
import { expectDeterministicReplay } from "../helpers/durableReplay";

/** A follow-up whose activity answers busy `busyChecks` times, then starts the run. */
function followUp(busyChecks: number) {
  const requests: SyncProfileInput[] = [];
  const registry: LocalDurableRegistry = {
    orchestrators: { [SyncFollowUpNames.orchestrator]: syncFollowUpOrchestrator },
    activities: {
      [SyncFollowUpNames.startSyncIfIdle]: (input): StartOutcome => {
        requests.push(input as SyncProfileInput);
        return requests.length <= busyChecks
          ? { kind: "busy", instanceId: "sync-alpha", runtimeStatus: "Running" }
          : { kind: "started", instanceId: "sync-alpha" };
      },
    },
  };
  return { registry, requests };
}

/** A clock the local host's timers move: each wait advances it, so waits cost no real time. */
function timeTravel() {
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  return { clock, sleep: async (ms: number) => clock.advance(ms) };
}

describe("syncFollowUp orchestration", () => {
  it("starts the profile's real run as soon as the run in flight has ended, checking with growing waits", async () => {
    const { registry, requests } = followUp(3);
    const result = await runOrchestrationLocally(
      registry,
      SyncFollowUpNames.orchestrator,
      { profileKey: "alpha", trigger: "webhook" },
      "followup-alpha",
      timeTravel(),
    );
    expect(result.status).toBe("Completed");
    expect(result.output).toEqual({ kind: "started", instanceId: "sync-alpha", checks: 4 });
    expect(requests).toEqual(Array(4).fill({ profileKey: "alpha", dryRun: false, trigger: "webhook" }));

    const timers = result.history
      .filter((e) => e.EventType === HistoryEventType.TimerCreated)
      .map((e) => Date.parse(String(e.FireAt)));
    const start = Date.parse(result.history[0]!.Timestamp);
    expect(timers.map((at, i) => at - (i === 0 ? start : timers[i - 1]!))).toEqual([10_000, 20_000, 40_000]);

    await expectDeterministicReplay(
      syncFollowUpOrchestrator,
      SyncFollowUpNames.orchestrator,
      "followup-alpha",
      { profileKey: "alpha", trigger: "webhook" },
      result.history,
    );
  });

  it("starts right away when the run has already ended", async () => {
    const { registry } = followUp(0);
    const result = await runOrchestrationLocally(
      registry,
      SyncFollowUpNames.orchestrator,
      { profileKey: "alpha", trigger: "webhook" },
      "followup-alpha",
      timeTravel(),
    );
    expect(result.output).toEqual({ kind: "started", instanceId: "sync-alpha", checks: 1 });
  });

  it("gives up after its patience (the scheduled sync covers the change), waiting at most a minute between checks", async () => {
    const { registry, requests } = followUp(Number.POSITIVE_INFINITY);
    const result = await runOrchestrationLocally(
      registry,
      SyncFollowUpNames.orchestrator,
      { profileKey: "alpha", trigger: "webhook" },
      "followup-alpha",
      timeTravel(),
    );
    const output = result.output as SyncFollowUpResult;
    expect(output.kind).toBe("gaveUp");
    expect(requests).toHaveLength(output.checks);
    // 10 + 20 + 40 s, then every minute, until the hour is up.
    expect(output.checks).toBe(3 + Math.floor((FOLLOW_UP_PATIENCE_MS - 70_000) / 60_000) + 1);
  });
});

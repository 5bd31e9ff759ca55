import { OrchestratorName, type SyncProfileInput, syncInstanceId } from "../../shared/engine/run/runContract";
import type { SyncTrigger } from "../../shared/engine/run/runReport";
import { ALL_PROFILES_INSTANCE_ID, followUpInstanceId } from "../../shared/syncStart/syncInstances";
import type { StartOutcome, SyncStarter } from "../../shared/syncStart/syncStarter";
import {
  type LocalDurableRegistry,
  type LocalRunOptions,
  type LocalRunResult,
  runOrchestrationLocally,
} from "./localDurableHost";

/** A run this starter launched, as it ended. `error` when the local host itself failed (e.g. a missing activity). */
export interface LocalRunRecord {
  instanceId: string;
  request: { orchestrator: string; input: unknown };
  result?: LocalRunResult;
  error?: string;
}

export interface LocalSyncStarterOptions extends LocalRunOptions {
  /** Called as each run ends, in the order they end. */
  onRunFinished?: (record: LocalRunRecord) => void;
}

/**
 * SyncStarter for one process (the CLI and the sandbox): runs the real orchestrators through the local Durable host,
 * in the background, with the same rules as in Azure. A profile runs at most once at a time; while the scheduled
 * fan-out runs, single-profile starts are busy (its children use the same instance ids, which the in-process host
 * does not guard); a follow-up is a flag that starts one more run when the current one ends.
 */
export class LocalSyncStarter implements SyncStarter {
  readonly #registry: LocalDurableRegistry;
  readonly #options: LocalSyncStarterOptions;
  readonly #running = new Map<string, Promise<void>>();
  readonly #followUps = new Map<string, SyncTrigger>();
  readonly #finished: LocalRunRecord[] = [];

  constructor(registry: LocalDurableRegistry, options: LocalSyncStarterOptions = {}) {
    this.#registry = registry;
    this.#options = options;
  }

  /** Every run that has ended, in the order they ended. */
  get finished(): readonly LocalRunRecord[] {
    return this.#finished;
  }

  async startProfileSync(request: SyncProfileInput): Promise<StartOutcome> {
    const instanceId = syncInstanceId(request.profileKey);
    const busy = this.#busy(instanceId) ?? this.#busy(ALL_PROFILES_INSTANCE_ID);
    if (busy) return busy;
    this.#launch(instanceId, OrchestratorName.syncProfile, {
      profileKey: request.profileKey,
      dryRun: request.dryRun,
      trigger: request.trigger,
    });
    return { kind: "started", instanceId };
  }

  async startAllProfilesSync(trigger: SyncTrigger): Promise<StartOutcome> {
    const busy =
      this.#busy(ALL_PROFILES_INSTANCE_ID) ??
      [...this.#running.keys()].map((id) => this.#busy(id)).find((b) => b !== undefined);
    if (busy) return busy;
    this.#launch(ALL_PROFILES_INSTANCE_ID, OrchestratorName.syncAllProfiles, { trigger });
    return { kind: "started", instanceId: ALL_PROFILES_INSTANCE_ID };
  }

  async startFollowUp(profileKey: string, trigger: SyncTrigger): Promise<StartOutcome> {
    const instanceId = followUpInstanceId(profileKey);
    if (this.#followUps.has(profileKey)) return { kind: "busy", instanceId, runtimeStatus: "Pending" };
    this.#followUps.set(profileKey, trigger);
    // Nothing in flight any more (it ended between the caller's start and now): run right away.
    if (!this.#running.has(syncInstanceId(profileKey)) && !this.#running.has(ALL_PROFILES_INSTANCE_ID))
      this.#runFollowUps();
    return { kind: "started", instanceId };
  }

  /** Resolves once no run is in flight and no follow-up is waiting, including runs started meanwhile. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()]);
  }

  #busy(instanceId: string): StartOutcome | undefined {
    return this.#running.has(instanceId) ? { kind: "busy", instanceId, runtimeStatus: "Running" } : undefined;
  }

  #launch(instanceId: string, orchestrator: string, input: unknown): void {
    const record: LocalRunRecord = { instanceId, request: { orchestrator, input } };
    const run = (async () => {
      try {
        record.result = await runOrchestrationLocally(this.#registry, orchestrator, input, instanceId, this.#options);
      } catch (error) {
        // The local host failed, not the orchestration; kept on the record so nothing is lost silently.
        record.error = error instanceof Error ? error.message : String(error);
      }
    })();
    this.#running.set(
      instanceId,
      run.then(() => {
        this.#running.delete(instanceId);
        this.#finished.push(record);
        this.#options.onRunFinished?.(record);
        this.#runFollowUps();
      }),
    );
  }

  /** Starts each waiting follow-up whose profile is no longer busy. */
  #runFollowUps(): void {
    for (const [profileKey, trigger] of [...this.#followUps]) {
      if (this.#running.has(syncInstanceId(profileKey)) || this.#running.has(ALL_PROFILES_INSTANCE_ID)) continue;
      this.#followUps.delete(profileKey);
      this.#launch(syncInstanceId(profileKey), OrchestratorName.syncProfile, { profileKey, dryRun: false, trigger });
    }
  }
}

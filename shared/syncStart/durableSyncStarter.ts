import type * as df from "durable-functions";
import {
  OrchestratorName,
  profileKeyOfSyncInstance,
  type SyncAllProfilesInput,
  type SyncProfileInput,
  syncInstanceId,
} from "../engine/run/runContract";
import type { SyncTrigger } from "../engine/run/runReport";
import { type Logger, silentLogger } from "../runtime";
import { type SyncFollowUpInput, SyncFollowUpNames } from "./syncFollowUpOrchestrator";
import {
  ALL_PROFILES_INSTANCE_ID,
  BUSY_RUNTIME_STATUSES,
  followUpInstanceId,
  isBusyRuntimeStatus,
} from "./syncInstances";
import type { StartOutcome, SyncStarter } from "./syncStarter";
import { SyncStartFailed } from "./syncStartFailed";

type BusyOutcome = Extract<StartOutcome, { kind: "busy" }>;

/** The part of durable-functions' DurableClient the starter uses. */
export type DurableStartClient = Pick<df.DurableClient, "getStatus" | "getStatusBy" | "startNew">;

/**
 * SyncStarter over the Durable Functions client (HTTP to the extension's local RPC endpoint). Check-then-start is
 * not atomic, so a start that fails is followed by one more status read: if someone else started the instance in
 * between (the extension refuses to replace a busy instance), the outcome is `busy`, as if we had seen it first.
 *
 * The scheduled fan-out starts every profile's run as a sub-orchestration under the profile's own id, and a
 * sub-orchestration on an id a running instance holds is not reliably refused. So the two never overlap: while the
 * fan-out is busy a profile start is `busy` (a webhook then arranges a follow-up, which waits), and the fan-out is
 * told which profiles' runs are in flight when it starts, and skips them.
 */
export class DurableSyncStarter implements SyncStarter {
  readonly #client: DurableStartClient;
  readonly #logger: Logger;

  constructor(client: DurableStartClient, options: { logger?: Logger } = {}) {
    this.#client = client;
    this.#logger = options.logger ?? silentLogger;
  }

  async startProfileSync(request: SyncProfileInput): Promise<StartOutcome> {
    const fanOut = await this.#busyFanOut();
    if (fanOut) return fanOut;
    const input: SyncProfileInput = {
      profileKey: request.profileKey,
      dryRun: request.dryRun,
      trigger: request.trigger,
    };
    return this.#startUnlessBusy(OrchestratorName.syncProfile, syncInstanceId(request.profileKey), input);
  }

  async startAllProfilesSync(trigger: SyncTrigger): Promise<StartOutcome> {
    const fanOut = await this.#busyFanOut();
    if (fanOut) return fanOut;
    const busyProfileKeys = await this.#busyProfileRuns();
    const input: SyncAllProfilesInput = { trigger, ...(busyProfileKeys.length > 0 ? { busyProfileKeys } : {}) };
    return this.#startUnlessBusy(OrchestratorName.syncAllProfiles, ALL_PROFILES_INSTANCE_ID, input);
  }

  /** The scheduled fan-out's `busy` outcome while it is Running or Pending; undefined when it is not. */
  #busyFanOut(): Promise<BusyOutcome | undefined> {
    return this.#busy(OrchestratorName.syncAllProfiles, ALL_PROFILES_INSTANCE_ID);
  }

  /** A `busy` outcome while the instance holds its id (see BUSY_RUNTIME_STATUSES); undefined when it does not. */
  async #busy(orchestrator: string, instanceId: string): Promise<BusyOutcome | undefined> {
    const status = await this.#runtimeStatus(orchestrator, instanceId);
    return status !== undefined && isBusyRuntimeStatus(status)
      ? { kind: "busy", instanceId, runtimeStatus: status }
      : undefined;
  }

  /** Keys of the profiles whose own run is busy now, from one query of the task hub's busy instances. */
  async #busyProfileRuns(): Promise<string[]> {
    try {
      const busy = await this.#client.getStatusBy({
        runtimeStatus: [...BUSY_RUNTIME_STATUSES] as df.OrchestrationRuntimeStatus[],
      });
      const keys = busy
        .map((status) => profileKeyOfSyncInstance(status.instanceId))
        .filter((key): key is string => key !== undefined);
      return [...new Set(keys)].sort();
    } catch (error) {
      throw new SyncStartFailed(OrchestratorName.syncAllProfiles, ALL_PROFILES_INSTANCE_ID, error);
    }
  }

  startFollowUp(profileKey: string, trigger: SyncTrigger): Promise<StartOutcome> {
    const input: SyncFollowUpInput = { profileKey, trigger };
    return this.#startUnlessBusy(SyncFollowUpNames.orchestrator, followUpInstanceId(profileKey), input);
  }

  async #startUnlessBusy(orchestrator: string, instanceId: string, input: unknown): Promise<StartOutcome> {
    const busy = await this.#busy(orchestrator, instanceId);
    if (busy) return busy;
    try {
      await this.#client.startNew(orchestrator, { instanceId, input });
    } catch (error) {
      const after = await this.#busy(orchestrator, instanceId);
      if (after) {
        this.#logger.info("lost a race to start an instance; it is running now", {
          orchestrator,
          instanceId,
          runtimeStatus: after.runtimeStatus,
        });
        return after;
      }
      throw new SyncStartFailed(orchestrator, instanceId, error);
    }
    this.#logger.info("orchestration started", { orchestrator, instanceId });
    return { kind: "started", instanceId };
  }

  /** The instance's runtime status, or undefined when the task hub has never seen the id. */
  async #runtimeStatus(orchestrator: string, instanceId: string): Promise<string | undefined> {
    try {
      return String((await this.#client.getStatus(instanceId)).runtimeStatus);
    } catch (error) {
      // durable-functions v3 throws a plain Error for the extension's 404; its message is the only signal.
      if (error instanceof Error && /replied with HTTP 404/.test(error.message)) return undefined;
      throw new SyncStartFailed(orchestrator, instanceId, error);
    }
  }
}

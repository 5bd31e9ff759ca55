import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunningAzuriteTable, startAzuriteTable } from "../dev/emulators/azuriteTable";
import { EMULATOR_ENDPOINT_SETTINGS } from "../dev/emulators/emulatorEndpoints";
import type { LocalActivity } from "../dev/localHost/localDurableHost";
import type { LocalEngine } from "../dev/localHost/localEngine";
import {
  type ConfigServices,
  openConfigServices,
  type Profile,
  type ProfileInput,
  profileSchema,
  readAppSettings,
} from "../shared/config";
import type { ConfluenceClient } from "../shared/confluence";
import type { RunReport } from "../shared/engine/run/runReport";
import { type Clock, createLogger, globalRedactor, type LogFields, secretSlot } from "../shared/runtime";
import type { SharePointClient } from "../shared/sharepoint/sharePointClient";
import { EmulatorProcess } from "./emulatorProcess";

/** What the engine logs once it has planned (see `prepareRun`): the planner's time and what it was given. */
export interface PlannedRun {
  planMs: number;
  /** State rows loaded (all of them, or by key those of pairs that are not settled). */
  stateRows: number;
  sharePointItems: number;
  pageRows: number;
  /** Rows of settled pairs, given to the planner by position only (their states not loaded). */
  settledRows: number;
  /** Items awaiting a row that no run can give them now, counted by the planner (their states not loaded). */
  idleAwaitingItems: number;
}

export interface BenchHostOptions {
  seed: unknown;
  profiles: (emulators: EmulatorProcess) => Array<{ input: ProfileInput; secrets: Record<string, string> }>;
  /** Called, synchronously and inside the engine's run, right after it planned. */
  onPlanned: (planned: PlannedRun) => void;
  /** Called, synchronously and inside the engine's run, when a run ends as a quiet run (it plans nothing). */
  onQuiet?: () => void;
  /** The engine's clock (default: real time); the pages benchmark moves it with the emulators'. */
  clock?: Clock;
}

/**
 * Everything one list size runs on, started the way the CLI starts it: the emulators (a child process), an in-memory
 * Azurite for the state tables (a child process), the profiles and secrets in a fresh CONFLUENCE_SYNC_HOME's SQLite
 * config store, and the engine of `openLocalEngine`, each run going through the real `syncProfile` orchestrator.
 */
export class BenchHost {
  readonly emulators: EmulatorProcess;
  readonly engine: LocalEngine;
  /** `host:port` of the state tables. */
  readonly stateHost: string;
  readonly #profiles: Map<string, Profile>;
  readonly #close: () => Promise<void>;
  #runs = 0;

  private constructor(parts: {
    emulators: EmulatorProcess;
    engine: LocalEngine;
    stateHost: string;
    profiles: Map<string, Profile>;
    close: () => Promise<void>;
  }) {
    this.emulators = parts.emulators;
    this.engine = parts.engine;
    this.stateHost = parts.stateHost;
    this.#profiles = parts.profiles;
    this.#close = parts.close;
  }

  static async start(options: BenchHostOptions): Promise<BenchHost> {
    const home = await mkdtemp(path.join(tmpdir(), "confluence-sync-bench-"));
    const stops: Array<() => Promise<void>> = [async () => rm(home, { recursive: true, force: true })];
    const stopAll = async (): Promise<void> => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    };
    try {
      const azuriteStarting = startAzuriteTable();
      azuriteStarting.catch(() => undefined); // awaited below; a failure must not count as unhandled meanwhile
      stops.push(async () => (await azuriteStarting).close());
      const emulators = await EmulatorProcess.start(options.seed, home);
      stops.push(() => emulators.close());
      const azurite: RunningAzuriteTable = await azuriteStarting;

      const settings = readAppSettings(
        {
          CONFLUENCE_SYNC_HOME: home,
          SECRETS_PROVIDER: "sqlite",
          PROFILE_STORE: "sqlite",
          AzureWebJobsStorage: azurite.connectionString,
          // The profiles point at the loopback emulators: allowed here, explicitly, never by a default.
          ...EMULATOR_ENDPOINT_SETTINGS,
        },
        home,
      );
      const config: ConfigServices = await openConfigServices(settings);
      stops.push(async () => config.close());
      const profiles = new Map<string, Profile>();
      for (const { input, secrets } of options.profiles(emulators)) {
        const profile = profileSchema.parse(input);
        await config.profiles.save(profile);
        for (const [name, value] of Object.entries(secrets)) {
          globalRedactor.register(value, secretSlot(profile.key, name));
          await config.secrets.set(profile.key, name, value);
        }
        profiles.set(profile.key, profile);
      }

      const logger = createLogger((record) => {
        if (record.message === "sync planned") options.onPlanned(plannedRun(record.fields));
        if (record.message.startsWith("quiet run")) options.onQuiet?.();
      });
      const { openLocalEngine } = await import("../dev/localHost/localEngine.js");
      const engine = await openLocalEngine(config, { logger, ...(options.clock ? { clock: options.clock } : {}) });
      stops.push(() => engine.close());
      return new BenchHost({
        emulators,
        engine,
        stateHost: new URL(azurite.tableEndpoint).host,
        profiles,
        close: stopAll,
      });
    } catch (error) {
      await stopAll();
      throw error;
    }
  }

  profile(key: string): Profile {
    const profile = this.#profiles.get(key);
    if (profile === undefined) throw new Error(`no bench profile "${key}"`);
    return profile;
  }

  /**
   * One run of the profile through the real orchestrator: its report (a run that did not complete throws) and, per
   * activity, the span from its first start to its last end, milliseconds (the SharePoint batches run side by side).
   */
  async sync(profileKey: string): Promise<{ report: RunReport; activitySpans: Record<string, number> }> {
    const { runProfileSyncLocally } = await import("../dev/localHost/localEngine.js");
    this.#runs += 1;
    const spans = new Map<string, { start: number; end: number }>();
    const timed =
      (name: string, activity: LocalActivity): LocalActivity =>
      async (input, context) => {
        const start = performance.now();
        try {
          return await activity(input, context);
        } finally {
          const end = performance.now();
          const span = spans.get(name);
          spans.set(name, { start: Math.min(span?.start ?? start, start), end: Math.max(span?.end ?? end, end) });
        }
      };
    const { orchestrators, activities } = this.engine.registry;
    const registry = {
      orchestrators,
      activities: Object.fromEntries(
        Object.entries(activities).map(([name, activity]) => [name, timed(name, activity)]),
      ),
    };
    const run = await runProfileSyncLocally(registry, { profileKey, dryRun: false, trigger: "cli" });
    if (run.status !== "Completed")
      throw new Error(`bench run ${this.#runs} of ${profileKey} failed: ${run.error ?? "unknown error"}`);
    const report = run.output as RunReport;
    if (report.outcome !== "completed")
      throw new Error(
        `bench run ${this.#runs} of ${profileKey} ended "${report.outcome}": ${report.problem?.code ?? ""} ${report.problem?.message ?? ""}`,
      );
    return {
      report,
      activitySpans: Object.fromEntries([...spans].map(([name, span]) => [name, span.end - span.start])),
    };
  }

  /** The profile's Graph and Confluence clients, as the engine's connections make them. */
  async clients(profileKey: string): Promise<{ sharePoint: SharePointClient; confluence: ConfluenceClient }> {
    const profile = this.profile(profileKey);
    const { connections } = this.engine.services;
    return { sharePoint: await connections.sharePoint(profile), confluence: await connections.confluence(profile) };
  }

  close(): Promise<void> {
    return this.#close();
  }
}

function plannedRun(fields: LogFields): PlannedRun {
  const number = (name: string): number => (typeof fields[name] === "number" ? (fields[name] as number) : 0);
  return {
    planMs: number("planMs"),
    stateRows: number("stateRows"),
    sharePointItems: number("sharePointItems"),
    pageRows: number("pageRows"),
    settledRows: number("settledRows"),
    idleAwaitingItems: number("idleAwaitingItems"),
  };
}

import type { ConfigServices } from "../config/configServices";
import {
  type Clock,
  globalRedactor,
  type Logger,
  silentLogger,
  silentTelemetry,
  systemClock,
  type Telemetry,
} from "../runtime";
import type { StateStores } from "../state/stateStores";
import { ListDirectoryCache } from "./listDirectoryCache";
import { ProfileConnections, type ProfileConnectionsOptions } from "./profileConnections";
import { type ActivityProgressSink, silentProgress } from "./run/activityProgress";
import { tokenRefreshesWithTelemetry } from "./tokenRefreshTelemetry";

/**
 * Everything the sync activities need, opened once per process and shared by every run: profiles and secrets,
 * the state tables, the connections to both services (credentials, the Confluence token manager) and the list
 * directory cache.
 */
export interface EngineServices {
  readonly config: Pick<ConfigServices, "secrets" | "profiles" | "validator">;
  readonly state: StateStores;
  readonly connections: ProfileConnections;
  readonly directory: ListDirectoryCache;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where run and token-refresh events go (silent unless the host configures a sink). */
  readonly telemetry: Telemetry;
  /**
   * Where `prepareRun` and `commitRun` report their steps while they work (docs/engine.md#progress): the CLI's live
   * line locally, a throttled trace line in the Functions app; silent unless the host sets one.
   */
  readonly progress: ActivityProgressSink;
}

/** Capabilities and client bounds (tests shorten retry delays), plus how long the list directory is reused. */
export interface EngineOptions
  extends Pick<
    ProfileConnectionsOptions,
    "clock" | "logger" | "redactor" | "graphRetry" | "confluenceRetry" | "confluenceTransport"
  > {
  /** How long columns, people and lookup lists are reused (default 15 minutes). */
  directoryTtlMs?: number;
  /** Where run and token-refresh events go; silent by default. */
  telemetry?: Telemetry;
  /** Where activities report their steps; silent by default. */
  progress?: ActivityProgressSink;
}

/** The engine over the given configuration and state stores. */
export function createEngineServices(
  parts: { config: EngineServices["config"]; state: StateStores },
  options: EngineOptions = {},
): EngineServices {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const telemetry = options.telemetry ?? silentTelemetry;
  const connections = new ProfileConnections({
    secrets: parts.config.secrets,
    tokenHistory: telemetry.enabled
      ? tokenRefreshesWithTelemetry(parts.state.tokenRefreshes, telemetry)
      : parts.state.tokenRefreshes,
    grantLedger: parts.state.confluenceGrants,
    // The allowlist profiles were validated against is the one their endpoints are held to at run time.
    endpoints: parts.config.validator.endpoints,
    clock,
    logger,
    redactor: options.redactor ?? globalRedactor,
    ...(options.graphRetry ? { graphRetry: options.graphRetry } : {}),
    ...(options.confluenceRetry ? { confluenceRetry: options.confluenceRetry } : {}),
    ...(options.confluenceTransport ? { confluenceTransport: options.confluenceTransport } : {}),
  });
  const directory = new ListDirectoryCache({
    clock,
    ...(options.directoryTtlMs !== undefined ? { ttlMs: options.directoryTtlMs } : {}),
  });
  const progress = options.progress ?? silentProgress;
  return { config: parts.config, state: parts.state, connections, directory, clock, logger, telemetry, progress };
}

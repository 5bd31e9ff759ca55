import { ManagedIdentityCredential, type TokenCredential } from "@azure/identity";
import type { LoggerProvider } from "@opentelemetry/sdk-logs";
import { createConsoleLogger, type Logger, type Telemetry } from "../runtime";
import type { AppSettings } from "../settings/appSettings";
import { InvalidAppSetting } from "../settings/invalidAppSetting";

/**
 * The Functions app's telemetry sink: each event becomes an Application Insights custom event (the `customEvents`
 * table; `AppEvents` in the Log Analytics workspace), sent by the Azure Monitor OpenTelemetry exporter from a logger
 * provider of its own. The exporter maps a log record that carries `microsoft.custom_event.name` to a custom event,
 * its other attributes to `customDimensions` and the JSON object in `microsoft.custom_measurements` to
 * `customMeasurements`, so every field is a column of its own. Why this and not the distro, the `applicationinsights`
 * SDK or the host's OpenTelemetry mode: docs/design.md §6.2.
 */
export interface AzureMonitorTelemetryOptions {
  connectionString: string;
  /** The Entra credential events are signed with; absent only where the component accepts keys (not ours). */
  credential?: TokenCredential;
  /** Where the sink reports its own trouble (an event it could not hand over). */
  logger?: Logger;
  /** Longest `flush()` waits for the exporter (default 10 s); the exporter keeps what it could not send on disk. */
  flushTimeoutMs?: number;
}

const CUSTOM_EVENT_NAME = "microsoft.custom_event.name";
const CUSTOM_MEASUREMENTS = "microsoft.custom_measurements";
const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;

/** A sink that sends to Application Insights; `shutdown()` flushes and stops it. */
export type AzureMonitorTelemetry = Telemetry & { shutdown(): Promise<void> };

/**
 * Opens the sink. The exporter and the OpenTelemetry SDK are loaded here, on first use, so a process without a
 * connection string (the CLI, the tests) never loads them.
 */
export async function openAzureMonitorTelemetry(options: AzureMonitorTelemetryOptions): Promise<AzureMonitorTelemetry> {
  const [{ AzureMonitorLogExporter }, { BatchLogRecordProcessor, LoggerProvider }] = await Promise.all([
    import("@azure/monitor-opentelemetry-exporter"),
    import("@opentelemetry/sdk-logs"),
  ]);
  const exporter = new AzureMonitorLogExporter({
    connectionString: options.connectionString,
    ...(options.credential ? { credential: options.credential } : {}),
  });
  // The batch processor's forceFlush waits until the exporter has answered for every event (sent, or kept on disk for a
  // retry); the simple one's returns while its exports are still in flight, so `flush()` could not promise anything.
  const processor = new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 1000 });
  const provider: LoggerProvider = new LoggerProvider({ processors: [processor] });
  const otelLogger = provider.getLogger("confluence-sync");
  const logger = options.logger ?? createConsoleLogger("warn");
  const flushTimeoutMs = options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
  return {
    enabled: true,
    emit: (event) => {
      try {
        otelLogger.emit({
          ...(event.at !== undefined && Number.isFinite(event.at) ? { timestamp: event.at } : {}),
          body: event.name,
          attributes: {
            ...event.dimensions,
            [CUSTOM_EVENT_NAME]: event.name,
            [CUSTOM_MEASUREMENTS]: JSON.stringify(event.measurements),
          },
        });
      } catch (error) {
        logger.warn("could not hand a telemetry event to the exporter", {
          event: event.name,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    },
    flush: () => bounded(provider.forceFlush(), flushTimeoutMs),
    shutdown: () => bounded(provider.shutdown(), flushTimeoutMs),
  };
}

/**
 * The credential the app signs its events with, from the same `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` the host
 * reads (`Authorization=AAD`, optionally `ClientId=…`): the worker authenticates separately from the host.
 */
export function telemetryCredential(
  settings: Pick<AppSettings, "APPLICATIONINSIGHTS_AUTHENTICATION_STRING">,
): TokenCredential | undefined {
  const text = settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING?.trim();
  if (!text) return undefined;
  const parts = new Map(
    text
      .split(";")
      .filter((part) => part.trim() !== "")
      .map((part) => {
        const at = part.indexOf("=");
        return [
          part
            .slice(0, at < 0 ? part.length : at)
            .trim()
            .toLowerCase(),
          at < 0 ? "" : part.slice(at + 1).trim(),
        ];
      }),
  );
  if (parts.get("authorization")?.toUpperCase() !== "AAD") {
    throw new InvalidAppSetting(
      "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
      'expected "Authorization=AAD" (and "ClientId=<client id>" for a user-assigned identity)',
    );
  }
  const clientId = parts.get("clientid");
  return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
}

/** The Functions app's sink from its settings: Application Insights when a connection string is set, else none. */
export async function telemetryFromSettings(
  settings: Pick<AppSettings, "APPLICATIONINSIGHTS_CONNECTION_STRING" | "APPLICATIONINSIGHTS_AUTHENTICATION_STRING">,
): Promise<AzureMonitorTelemetry | undefined> {
  const connectionString = settings.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  if (!connectionString) return undefined;
  const credential = telemetryCredential(settings);
  return openAzureMonitorTelemetry({ connectionString, ...(credential ? { credential } : {}) });
}

async function bounded(work: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([work.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Structured events for operators (Application Insights custom events in Azure), as an injected capability like the
 * logger: the engine emits, the host decides where events go. Silent unless a host configures a sink, so the CLI and
 * the tests send nothing anywhere; tests read what was emitted from a recording sink.
 */
export interface TelemetryEvent {
  /** The event's name: what alert queries and the workbook filter on (docs/operations.md#application-insights). */
  readonly name: string;
  /** Text values, each its own column (customDimensions / `Properties`), never JSON inside a message. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Numbers (customMeasurements / `Measurements`). */
  readonly measurements: Readonly<Record<string, number>>;
  /** When it happened, milliseconds since the epoch; the sink's own time when absent. */
  readonly at?: number;
}

export interface Telemetry {
  /**
   * False for the silent sink: a caller skips work done only to describe an event (a storage query), so an
   * unconfigured process pays nothing for telemetry.
   */
  readonly enabled: boolean;
  /** Hands the event to the sink. Never throws: telemetry must not fail what it describes. */
  emit(event: TelemetryEvent): void;
  /** Waits (bounded) until the events emitted so far have left the process; never throws. */
  flush(): Promise<void>;
}

/** Drops everything: the default wherever no sink is configured. */
export const silentTelemetry: Telemetry = {
  enabled: false,
  emit: () => undefined,
  flush: async () => undefined,
};

/** Keeps every event in memory; tests read `events` to assert what an operator would see. */
export function createRecordingTelemetry(): Telemetry & { readonly events: TelemetryEvent[] } {
  const events: TelemetryEvent[] = [];
  return {
    enabled: true,
    events,
    emit: (event) => {
      events.push(event);
    },
    flush: async () => undefined,
  };
}

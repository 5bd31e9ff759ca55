export { forEachBounded, mapBounded } from "./boundedParallel";
export { type Clock, createManualClock, systemClock } from "./clock";
export {
  createConsoleLogger,
  createLogger,
  createMemoryLogger,
  type LogFields,
  type Logger,
  type LogLevel,
  type LogRecord,
  silentLogger,
} from "./logger";
export { globalRedactor, SecretRedactor, secretSlot } from "./secretRedactor";
export { realSleep, type Sleep } from "./sleep";
export {
  createRecordingTelemetry,
  silentTelemetry,
  type Telemetry,
  type TelemetryEvent,
} from "./telemetry";

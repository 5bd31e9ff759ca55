export { type Clock, systemClock, createManualClock } from "./clock";
export { type Logger, type LogLevel, type LogFields, type LogRecord, silentLogger, createLogger, createMemoryLogger, createConsoleLogger } from "./logger";
export { type Sleep, realSleep } from "./sleep";
export { SecretRedactor, globalRedactor } from "./secretRedactor";
export { mapBounded } from "./boundedParallel";

/**
 * The structured logger every adapter and activity receives explicitly (never a module-level singleton), so tests
 * can capture what was logged and assert that no secret ever reaches it.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LogRecord {
  level: LogLevel;
  message: string;
  fields: LogFields;
}

/** A logger that drops everything: for code paths whose caller did not ask for logs. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A logger that forwards every record to `sink`; the building block for console, Functions and test loggers. */
export function createLogger(sink: (record: LogRecord) => void): Logger {
  const at =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}): void =>
      sink({ level, message, fields });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** Collects records in memory; tests read `records` to assert on what would have been logged. */
export function createMemoryLogger(): Logger & { readonly records: LogRecord[] } {
  const records: LogRecord[] = [];
  return Object.assign(
    createLogger((r) => records.push(r)),
    { records },
  );
}

/** One JSON line per record on stderr, so stdout stays free for command output. */
export function createConsoleLogger(minimum: LogLevel = "info"): Logger {
  const order: LogLevel[] = ["debug", "info", "warn", "error"];
  return createLogger((record) => {
    if (order.indexOf(record.level) < order.indexOf(minimum)) return;
    process.stderr.write(`${JSON.stringify({ level: record.level, msg: record.message, ...record.fields })}\n`);
  });
}

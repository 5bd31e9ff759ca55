import { AppError } from "../errors";

/**
 * The Durable Functions extension (or its storage) could not tell us an instance's status or start one. Transient by
 * nature: the caller answers 503 (or Graph redelivers), and the next trigger tries again.
 */
export class SyncStartFailed extends AppError {
  readonly code = "SYNC_START_FAILED";
  readonly transient = true;

  constructor(
    readonly orchestrator: string,
    readonly instanceId: string,
    cause: unknown,
  ) {
    super(`could not start ${orchestrator} as instance "${instanceId}": ${describeCause(cause)}`, { cause });
  }
}

function describeCause(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  // The extension's webhook URLs carry its system key as `code=`; keep it out of messages and logs.
  return message
    .replace(/([?&]code=)[^&\s"]+/g, "$1[REDACTED]")
    .split("\n")[0]!
    .slice(0, 500);
}

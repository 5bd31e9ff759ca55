import { AppError } from "../../shared/errors";

/**
 * The installed durable-functions no longer offers what the local Durable host borrows from its implementation
 * (`dev/localHost/durableInternals.ts`). Raised when a local run starts, not at import.
 */
export class DurableInternalsChanged extends AppError {
  readonly code = "DURABLE_INTERNALS_CHANGED";

  constructor(
    readonly reliedOn: string,
    options?: { cause?: unknown },
  ) {
    super(
      `durable-functions changed what dev/localHost/durableInternals.ts relies on: ${reliedOn}. ` +
        "Keep durable-functions at the exact version package.json pins, or re-check that file against the new version " +
        "(test/hosting/durableInternals.test.ts says what it needs).",
      options,
    );
  }
}

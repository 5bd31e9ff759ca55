import { AppError } from "../errors/appError";

/**
 * A state row changed since it was read, and not into what this writer meant to store: another writer (a second
 * run of the profile, an operator) won the race. Nothing was overwritten; the writer must re-read and decide again.
 * A writer that finds its own earlier write (a retried activity) is not in conflict, so this is never a retry echo.
 */
export class StateConflict extends AppError {
  readonly code = "STATE_CONFLICT";

  constructor(
    /** Which state: `item` (a pair's merge base) or `cursor` (the delta link). */
    readonly kind: "item" | "cursor",
    readonly profileKey: string,
    /** The SharePoint id of the pair, for `item`. */
    readonly key: string | undefined,
  ) {
    super(
      kind === "item"
        ? `profile "${profileKey}": the stored state of SharePoint item ${key ?? "?"} changed while this run was using it; nothing was overwritten`
        : `profile "${profileKey}": the stored delta link changed while this run was using it; nothing was overwritten`,
    );
  }
}

/**
 * Base class for every error this app raises on purpose.
 *
 * Each boundary (Graph, Confluence, secrets, profiles, the planner, …) defines its own subclass with a stable
 * `code`: diagnostics, run records and tests match on `code`, never on `message`, so messages may be reworded
 * freely while codes may not. Messages name the profile, item, field or page involved and never carry a secret.
 */
export abstract class AppError extends Error {
  /** Stable, machine-matchable identifier, e.g. `PROFILE_INVALID`. */
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // `new.target` keeps the subclass name without each subclass having to repeat it.
    this.name = new.target.name;
  }

  /** A JSON-safe view for run records, diagnostics and `--json` output. The cause is not serialised. */
  toJSON(): { name: string; code: string; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** Name-based guard: survives duplicated module instances, where `instanceof` would not. */
export function isAppError(value: unknown): value is AppError {
  return (
    value instanceof Error &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { toJSON?: unknown }).toJSON === "function"
  );
}

import { isAppError } from "../errors/appError";
import { globalRedactor } from "../runtime";
import type { RunProblem } from "./run/runReport";

/**
 * Whether a failure may pass by itself (throttling, an outage, a timeout): the clients mark those `transient`, and an
 * activity lets them through so Durable retries it. Everything else is recorded as the run's problem.
 */
export function isTransientFailure(error: unknown): boolean {
  return (error as { transient?: unknown } | null)?.transient === true;
}

/**
 * A deliberate, permanent failure (an AppError that is not transient) as the run's problem: a dead grant, a page
 * that is gone, a list the app may not read. Undefined for anything else, which the activity lets through.
 */
export function permanentProblem(error: unknown): RunProblem | undefined {
  if (!isAppError(error) || isTransientFailure(error)) return undefined;
  return { code: error.code, message: globalRedactor.redact(error.message) };
}

import type { RunProblem } from "../run/runReport";

/**
 * Turns what an orchestrator caught from a failed activity or sub-orchestration into a RunProblem. The extension
 * hands failures over as `TaskFailedError` (with FailureDetails, whose properties carry our error `code`) or, from
 * older extensions, as a plain Error whose message holds reason and details.
 */
export function runProblemFrom(stage: string, error: unknown): RunProblem {
  const details = (
    error as { failureDetails?: { errorType?: string; errorMessage?: string; properties?: Record<string, unknown> } }
  ).failureDetails;
  const code = typeof details?.properties?.code === "string" ? details.properties.code : "ACTIVITY_FAILED";
  const message = details?.errorMessage ?? (error instanceof Error ? error.message : String(error));
  return { code, message: `${stage} failed after its retries: ${message.split("\n")[0]?.trim() ?? ""}` };
}

import { AppError } from "../../errors/appError";

/** An activity found nothing staged for its run: the run was already committed and cleaned up, or swept. */
export class RunStagingMissing extends AppError {
  readonly code = "RUN_STAGING_MISSING";

  constructor(profileKey: string, runId: string, document: string) {
    super(`profile "${profileKey}": run ${runId} has no staged ${document}; it was committed or abandoned already`);
  }
}

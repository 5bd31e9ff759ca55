import { AppError } from "../../shared/errors";

/** The demo did not go as it should: a run failed or stopped, or the sandbox could not be set up. */
export class SandboxDemoFailed extends AppError {
  readonly code = "SANDBOX_DEMO_FAILED";
}

import type * as df from "durable-functions";
import { isAppError } from "../errors";

/**
 * Puts an activity error's stable `code` into the Durable failure details (`FailureDetails.Properties.code`), where
 * the orchestrators read it (`runProblemFrom`) to record why a run failed. The local host does the same on its own.
 */
export const appErrorProperties: df.ExceptionPropertiesProvider = {
  getExceptionProperties: (error) => (isAppError(error) ? { code: error.code } : undefined),
};

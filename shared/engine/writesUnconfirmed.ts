import { AppError } from "../errors/appError";

/**
 * Graph may have applied some writes of a batch without confirming them (no answer, or a server error). Transient:
 * the activity is retried, and the retry looks for those writes before sending anything again.
 */
export class WritesUnconfirmed extends AppError {
  readonly code = "SHAREPOINT_WRITES_UNCONFIRMED";
  readonly transient = true;

  constructor(profileKey: string, batchId: string, count: number) {
    super(
      `profile "${profileKey}": ${count} write(s) of SharePoint batch ${batchId} got no clear answer; the retry looks for them before sending again`,
    );
  }
}

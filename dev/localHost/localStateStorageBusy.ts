import { AppError } from "../../shared/errors";

/** Another local command holds the embedded state store (two Azurite processes on one folder would corrupt it). */
export class LocalStateStorageBusy extends AppError {
  readonly code = "LOCAL_STATE_BUSY";

  constructor(
    readonly folder: string,
    readonly pid: number,
  ) {
    super(
      `the local state store in ${folder} is in use by another confluence-sync process (pid ${pid}); wait for it to finish, or set AzureWebJobsStorage to a shared storage account or Azurite`,
    );
  }
}

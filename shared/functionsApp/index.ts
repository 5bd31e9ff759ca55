export {
  type AppServices,
  type AppServicesOptions,
  appServices,
  diagnosticsSources,
  openAppServices,
  replaceAppServices,
  subscriptionKeeper,
} from "./appServices";
export { type DiagnosticsDependencies, getProfile, getProfileConflicts, listProfiles } from "./diagnosticsHandlers";
export { errorResponse, HttpErrorCodes, jsonResponse, respondSafely, unexpectedErrorResponse } from "./httpResponses";
export { invocationLogger } from "./invocationLogger";
export { type ManualSyncDependencies, manualSync } from "./manualSyncHandler";
export { scheduledSync } from "./scheduledSyncHandler";
export { type SharePointWebhookDependencies, sharePointWebhook } from "./sharePointWebhookHandler";
export { type SyncStatusDependencies, syncStatus } from "./syncStatusHandler";

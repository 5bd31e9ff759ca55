export { appEngine, engineServicesFrom } from "./appEngine";
export {
  type AppServices,
  type AppServicesOptions,
  appServices,
  diagnosticsSources,
  openAppServices,
  replaceAppServices,
  subscriptionKeeper,
} from "./appServices";
export { type ConflictSettlementDependencies, resolveConflicts } from "./conflictSettlementHandler";
export {
  CONSENT_CALLBACK_ROUTE,
  type ConfluenceConnectDependencies,
  confluenceConnectCallback,
  startConfluenceConnect,
} from "./confluenceConnectHandlers";
export {
  type CheckDependencies,
  checkProfileHandler,
  type DiagnosticsDependencies,
  getProfile,
  getProfileConflicts,
  listProfiles,
} from "./diagnosticsHandlers";
export {
  CONSENT_STATE_RETENTION_MS,
  HOUSEKEEPING_LIMIT,
  type HousekeepingReport,
  hourlyMaintenance,
  sweepExpiredStateRows,
  TOKEN_CLAIM_RETENTION_MS,
} from "./hourlyMaintenance";
export { errorResponse, HttpErrorCodes, jsonResponse, respondSafely, unexpectedErrorResponse } from "./httpResponses";
export { invocationLogger } from "./invocationLogger";
export { type ManualSyncDependencies, manualSync } from "./manualSyncHandler";
export { scheduledSync } from "./scheduledSyncHandler";
export {
  type LazyWebhookDependencies,
  type SharePointWebhookDependencies,
  sharePointWebhook,
  type WebhookRequest,
} from "./sharePointWebhookHandler";
export { type SyncStatusDependencies, syncStatus } from "./syncStatusHandler";

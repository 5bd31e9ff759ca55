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

export { appServices, openAppServices, replaceAppServices, diagnosticsSources, subscriptionKeeper, type AppServices, type AppServicesOptions } from "./appServices";
export { invocationLogger } from "./invocationLogger";
export { HttpErrorCodes, jsonResponse, errorResponse, respondSafely, unexpectedErrorResponse } from "./httpResponses";
export { manualSync, type ManualSyncDependencies } from "./manualSyncHandler";
export { sharePointWebhook, type SharePointWebhookDependencies } from "./sharePointWebhookHandler";
export { listProfiles, getProfile, getProfileConflicts, type DiagnosticsDependencies } from "./diagnosticsHandlers";
export { scheduledSync } from "./scheduledSyncHandler";

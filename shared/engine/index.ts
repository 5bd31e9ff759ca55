/**
 * One sync run, as the activities of the Durable orchestration: read both sides, plan with the pure planner, apply
 * the SharePoint batches and the page update, commit the state. `createSyncActivities(services)` gives the handlers;
 * `engineServicesFrom(appServices)` (shared/functionsApp) and `openLocalEngine(settings)` (dev/localHost) give the services.
 */
export { createSyncActivities, type SyncActivities } from "./activities";
export { createEngineServices, type EngineServices, type EngineOptions } from "./engineServices";
export { ProfileConnections, type ProfileConnectionsOptions } from "./profileConnections";
export { ListDirectoryCache, DEFAULT_DIRECTORY_TTL_MS, type ListDirectory } from "./listDirectoryCache";
export { syncVersionMessage, isSyncVersion, SYNC_VERSION_MESSAGE_PREFIX } from "./managedPage";
export type { RunItemReport, FieldChangeReport, ConflictReport, ItemProblemReport, ApiCalls, RunCounts } from "./run/runReport";
export { RunStagingMissing } from "./run/runStagingMissing";
export { WritesUnconfirmed } from "./writesUnconfirmed";
export * from "./run/runContract";

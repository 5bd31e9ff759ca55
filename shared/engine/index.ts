/**
 * One sync run, as the activities of the Durable orchestration: read both sides, plan with the pure planner, apply
 * the SharePoint batches and the page update, commit the state. `createSyncActivities(services)` gives the handlers;
 * `engineServicesFrom(appServices)` (Functions) and `openLocalEngine(settings)` (CLI, sandbox) give the services.
 */
export { createSyncActivities, type SyncActivities } from "./activities";
export { createEngineServices, engineServicesFrom, type EngineServices, type EngineOptions } from "./engineServices";
export { openLocalEngine, runProfileSyncLocally, syncRegistry, type LocalEngine } from "./localEngine";
export { ProfileConnections, type ProfileConnectionsOptions } from "./profileConnections";
export { ListDirectoryCache, DEFAULT_DIRECTORY_TTL_MS, type ListDirectory } from "./listDirectoryCache";
export { syncVersionMessage, isSyncVersion, SYNC_VERSION_MESSAGE_PREFIX } from "./managedPage";
export type { RunItemReport, FieldChangeReport, ConflictReport, ItemProblemReport, ApiCalls, RunCounts } from "./runReport";
export { RunStagingMissing } from "./runStagingMissing";
export { WritesUnconfirmed } from "./writesUnconfirmed";
export * from "./runContract";

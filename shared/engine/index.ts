/**
 * One sync run, as the activities of the Durable orchestration: read both sides, plan with the pure planner, apply
 * the SharePoint batches and the page update, commit the state. `createSyncActivities(services)` gives the handlers;
 * `engineServicesFrom(appServices)` (shared/functionsApp) and `openLocalEngine(settings)` (dev/localHost) give the services.
 */
export { createSyncActivities, type SyncActivities } from "./activities";
export { createEngineServices, type EngineOptions, type EngineServices } from "./engineServices";
export { DEFAULT_DIRECTORY_TTL_MS, type ListDirectory, ListDirectoryCache } from "./listDirectoryCache";
export { isSyncVersion, SYNC_VERSION_MESSAGE_PREFIX, syncVersionMessage } from "./managedPage";
export { ProfileConnections, type ProfileConnectionsOptions } from "./profileConnections";
export * from "./run/runContract";
export type {
  ApiCalls,
  ConflictReport,
  FieldChangeReport,
  ItemProblemReport,
  RunCounts,
  RunItemReport,
} from "./run/runReport";
export { RunStagingMissing } from "./run/runStagingMissing";
export { WritesUnconfirmed } from "./writesUnconfirmed";

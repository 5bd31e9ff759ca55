export {
  summarizeRun,
  summarizeProfile,
  summarizeSubscription,
  detailProfile,
  viewConflict,
  type RunSummary,
  type RunCounts,
  type ProfileSummary,
  type ProfileDetail,
  type SubscriptionSummary,
  type ConflictView,
  type ProfileConflicts,
  type ProfileFacts,
} from "./profileDiagnostics";
export { readProfilesOverview, readProfileDetail, readOpenConflicts, RECENT_RUNS, RECENT_TOKEN_REFRESHES, type DiagnosticsSources } from "./diagnosticsReader";

export {
  type DiagnosticsSources,
  RECENT_RUNS,
  RECENT_TOKEN_REFRESHES,
  readOpenConflicts,
  readProfileDetail,
  readProfilesOverview,
} from "./diagnosticsReader";
export {
  type CheckId,
  type CheckLine,
  type CheckVerdict,
  checkProfile,
  type ProfileCheckOptions,
  type ProfileCheckReport,
} from "./profileCheck";
export { checkReportText } from "./profileCheckText";
export {
  type ConflictView,
  detailProfile,
  type ProfileConflicts,
  type ProfileDetail,
  type ProfileFacts,
  type ProfileSummary,
  type RunCounts,
  type RunSummary,
  type SubscriptionSummary,
  summarizeProfile,
  summarizeRun,
  summarizeSubscription,
  viewConflict,
} from "./profileDiagnostics";

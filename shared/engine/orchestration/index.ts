export { activityRetryOptions } from "./activityRetry";
export { syncPageJobsOrchestrator } from "./pagesCycle";
export { syncAllProfilesOrchestrator } from "./syncAllProfilesOrchestrator";
export { syncProfileOrchestrator } from "./syncProfileOrchestrator";

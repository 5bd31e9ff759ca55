export { syncProfileOrchestrator } from "./syncProfileOrchestrator";
export { syncAllProfilesOrchestrator } from "./syncAllProfilesOrchestrator";
export { activityRetryOptions } from "./activityRetry";

export { activityRetryOptions } from "./activityRetry";
export { syncAllProfilesOrchestrator } from "./syncAllProfilesOrchestrator";
export { syncProfileOrchestrator } from "./syncProfileOrchestrator";

export { type DurableStartClient, DurableSyncStarter } from "./durableSyncStarter";
export {
  FOLLOW_UP_FIRST_DELAY_MS,
  FOLLOW_UP_MAX_DELAY_MS,
  FOLLOW_UP_PATIENCE_MS,
  type SyncFollowUpInput,
  SyncFollowUpNames,
  type SyncFollowUpResult,
  syncFollowUpOrchestrator,
} from "./syncFollowUpOrchestrator";
export {
  ALL_PROFILES_INSTANCE_ID,
  BUSY_RUNTIME_STATUSES,
  followUpInstanceId,
  isBusyRuntimeStatus,
} from "./syncInstances";
export { type CoalescedStart, type StartOutcome, type SyncStarter, startOrCoalesce } from "./syncStarter";
export { SyncStartFailed } from "./syncStartFailed";

export { type SyncStarter, type StartOutcome, type CoalescedStart, startOrCoalesce } from "./syncStarter";
export { DurableSyncStarter, type DurableStartClient } from "./durableSyncStarter";
export { ALL_PROFILES_INSTANCE_ID, followUpInstanceId, isBusyRuntimeStatus, BUSY_RUNTIME_STATUSES } from "./syncInstances";
export {
  syncFollowUpOrchestrator,
  SyncFollowUpNames,
  FOLLOW_UP_FIRST_DELAY_MS,
  FOLLOW_UP_MAX_DELAY_MS,
  FOLLOW_UP_PATIENCE_MS,
  type SyncFollowUpInput,
  type SyncFollowUpResult,
} from "./syncFollowUpOrchestrator";
export { SyncStartFailed } from "./syncStartFailed";

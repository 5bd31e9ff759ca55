/**
 * The sync rules, pure: canonical values and hashes, the three-way field merge, the planner and the state it
 * advances. No I/O: the engine reads both sides, calls `planSync`, applies the plan, and commits `settlePlan`.
 * See README.md in this folder for the rules in one page.
 */
export { type CanonicalValue, canonicalEquals, canonicalJson } from "./canonicalValue";
export { CONFLICT_POLICIES, type ConflictPolicy } from "./conflictPolicy";
export { chosenHash, settleField, settlementProgress } from "./conflictSettlement";
export { DELETE_POLICIES, type DeletePolicy } from "./deletePolicy";
export { type FieldHash, fieldHash } from "./fieldHash";
export { type FieldKey, fieldEntry } from "./fieldKey";
export {
  DEFAULT_STORED_VALUE_MAX_CHARS,
  EMPTY_HASH,
  type FieldObservation,
  type FieldReadError,
  type FieldReading,
  type FieldSnapshot,
  type KnownValue,
  knownValue,
  observe,
} from "./fieldValue";
export { applyGates, type ClosedGates, type HeldChange, NO_CLOSED_GATES } from "./gates";
export { survivorDigest } from "./itemDeletion";
export { type FieldState, type ItemState, type PairStatus, type RowOrigin, sameItemState } from "./itemState";
export {
  type ConflictCause,
  type ConflictResolution,
  type FieldMerge,
  type FieldMergeRules,
  type FieldWrite,
  fieldWriteOf,
  fieldWritesOf,
  mergeField,
  type SettledMerge,
} from "./mergeField";
export type * from "./plan";
export { PlannerInputInvalid } from "./plannerInputInvalid";
export { hasConfluenceWrites, isQuietPlan, type PlanCounts, planCounts, planWriteCount } from "./planSummary";
export { planSync } from "./planSync";
export {
  awaitingItemDigest,
  idleAwaitingDigest,
  type PairDigest,
  rowPairDigest,
  settledPairDigest,
  splitSettledRows,
  stateDigest,
} from "./settledPairs";
export {
  type ApplyOutcome,
  NOTHING_APPLIED,
  type SharePointCreateOutcome,
  type SharePointOpOutcome,
  type StateCommit,
  settleItemState,
  settlePlan,
  writesAwaited,
} from "./settleState";
export { flowsTo, otherSide, ownerOf, type Side } from "./side";
export { SYNC_DIRECTIONS, type SyncDirection } from "./syncDirection";
export type {
  ConfluenceRowReading,
  ConfluenceSide,
  DeletionSettlement,
  FieldSettlement,
  PlanInput,
  RowRef,
  SettledRow,
  SettlementChoice,
  SharePointItemReading,
  SharePointSide,
} from "./syncInput";
export {
  appendsRows,
  type FieldRule,
  type ProfileSyncSettings,
  type SyncRules,
  syncRulesFromProfile,
} from "./syncRules";
export {
  type MatchCandidate,
  type MatchedBy,
  type MatchOptions,
  type MatchResult,
  matchUnpaired,
} from "./unpairedMatching";

/**
 * The sync rules, pure: canonical values and hashes, the three-way field merge, the planner and the state it
 * advances. No I/O: the engine reads both sides, calls `planSync`, applies the plan, and commits `settlePlan`.
 * See README.md in this folder for the rules in one page.
 */
export { canonicalEquals, canonicalJson, type CanonicalValue } from "./canonicalValue";
export { fieldHash, type FieldHash } from "./fieldHash";
export { fieldEntry, type FieldKey } from "./fieldKey";
export {
  DEFAULT_STORED_VALUE_MAX_CHARS,
  EMPTY_HASH,
  knownValue,
  observe,
  type FieldObservation,
  type FieldReadError,
  type FieldReading,
  type FieldSnapshot,
  type KnownValue,
} from "./fieldValue";
export { sameItemState, type FieldState, type ItemState, type PairStatus, type RowOrigin } from "./itemState";
export {
  fieldWriteOf,
  mergeField,
  type ConflictCause,
  type ConflictResolution,
  type FieldMerge,
  type FieldMergeRules,
  type FieldWrite,
} from "./mergeField";
export type * from "./plan";
export { PlannerInputInvalid } from "./plannerInputInvalid";
export { planSync } from "./planSync";
export { hasConfluenceWrites, isQuietPlan, planCounts, planWriteCount, type PlanCounts } from "./planSummary";
export {
  NOTHING_APPLIED,
  settleItemState,
  settlePlan,
  type ApplyOutcome,
  type SharePointCreateOutcome,
  type SharePointOpOutcome,
  type StateCommit,
} from "./settleState";
export { flowsTo, otherSide, ownerOf, type Side } from "./side";
export type {
  ConfluenceRowReading,
  ConfluenceSide,
  PlanInput,
  RowRef,
  SharePointItemReading,
  SharePointSide,
} from "./syncInput";
export { syncRulesFromProfile, type FieldRule, type ProfileSyncSettings, type SyncRules } from "./syncRules";
export { SYNC_DIRECTIONS, type SyncDirection } from "./syncDirection";
export { CONFLICT_POLICIES, type ConflictPolicy } from "./conflictPolicy";
export { DELETE_POLICIES, type DeletePolicy } from "./deletePolicy";
export { matchUnpaired, type MatchCandidate, type MatchedBy, type MatchOptions, type MatchResult } from "./unpairedMatching";

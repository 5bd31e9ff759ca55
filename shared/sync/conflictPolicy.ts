/**
 * What the planner does when both sides changed a field to different values since the last sync: `flag` writes
 * nothing and keeps both values in a conflict record (the default: no edit is ever overwritten silently); the others
 * pick a winner and keep the loser's value in the conflict log.
 */
export const CONFLICT_POLICIES = ["flag", "sharepoint-wins", "confluence-wins", "newest-wins"] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

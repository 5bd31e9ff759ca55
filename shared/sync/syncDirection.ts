/**
 * Which way changes flow, for a profile or one field: `both`, or only towards one side. A field's own direction
 * overrides the profile's; a side a direction does not flow to is never written.
 */
export const SYNC_DIRECTIONS = ["both", "toConfluence", "toSharePoint"] as const;
export type SyncDirection = (typeof SYNC_DIRECTIONS)[number];

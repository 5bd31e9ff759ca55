import type { SyncDirection } from "./syncDirection";

/** The two replicas a profile keeps in sync. */
export type Side = "sharePoint" | "confluence";

export function otherSide(side: Side): Side {
  return side === "sharePoint" ? "confluence" : "sharePoint";
}

/** Whether a field (or an item) with this direction may be written on `side`. */
export function flowsTo(direction: SyncDirection, side: Side): boolean {
  return direction === "both" || (direction === "toConfluence" ? side === "confluence" : side === "sharePoint");
}

/**
 * The side whose value a one-way field always takes: `toConfluence` fields are owned by SharePoint, `toSharePoint`
 * fields by Confluence; `both` has no owner (the three-way merge and the conflict policy decide).
 */
export function ownerOf(direction: SyncDirection): Side | null {
  if (direction === "both") return null;
  return direction === "toConfluence" ? "sharePoint" : "confluence";
}

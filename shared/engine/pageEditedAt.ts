import type { ConfluencePage } from "../confluence";
import type { SyncCursor } from "../state/syncCursorStore";
import { isSyncVersion } from "./managedPage";

/**
 * When a person last saved the page, for newest-wins: the current version's time, unless the sync wrote it; then
 * the last person's edit the cursor remembers (else the version's time, as the planner accepts).
 */
export function pageEditedAt(page: ConfluencePage, cursor: SyncCursor | undefined): string {
  if (!isSyncVersion(page.version.message)) return page.version.createdAt;
  return cursor?.pageEditedAt ?? page.version.createdAt;
}

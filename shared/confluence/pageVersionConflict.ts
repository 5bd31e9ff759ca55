import { ConfluenceError, ConfluenceErrorCode } from "./confluenceError";

/**
 * A page update was refused because its version was not current + 1: someone (a person, or an earlier attempt of
 * this very write) saved the page since we read it. Carries the page's current version so the caller can re-read,
 * merge and write `currentVersion + 1` — never a blind retry. Not transient.
 */
export class PageVersionConflict extends ConfluenceError {
  constructor(
    readonly pageId: string,
    /** The page's version when Confluence refused the write; undefined if its message could not be read. */
    readonly currentVersion: number | undefined,
    /** The version number we sent. */
    readonly providedVersion: number,
    message: string,
    cause?: unknown,
  ) {
    super(ConfluenceErrorCode.VersionConflict, message, {
      status: 409,
      transient: false,
      serviceCode: "CONFLICT",
      cause,
    });
  }
}

/**
 * Reads `Current Version: [7]. Provided version: [5]` out of the 409 title
 * (docs/references.md#confluence-page-update-and-version-conflicts).
 */
export function parseVersionConflictTitle(title: string): { current: number; provided: number } | undefined {
  const match = /Current Version:\s*\[(\d+)\].*?Provided version:\s*\[(\d+)\]/i.exec(title);
  return match ? { current: Number(match[1]), provided: Number(match[2]) } : undefined;
}

import { createHash } from "node:crypto";
import type { Profile } from "../config/profile";
import type { CodecInputs } from "./codecInputs";
import type { CycleSummary } from "./runClosing";

/**
 * A run that planned nothing at all leaves a mark on the cursor: the page version it read and a fingerprint of
 * everything else its plan depended on besides the two sides and the state. A later run that finds the same page
 * version, an empty delta and the same fingerprint has the very inputs that run had (the state only changes when a
 * run plans something), so its plan would be empty too: it ends there, without loading the state rows or parsing the
 * page. That is the steady state of a scheduled sync, and the reason an idle run's memory does not grow with the list.
 */
export interface QuietMark {
  /** The page version the quiet run read (and, writing nothing, left). */
  pageVersion: number;
  /** `quietFingerprint` of that run's profile and codec inputs. */
  inputs: string;
  /** The run that planned nothing. */
  runId: string;
}

/**
 * What a plan depends on besides the sides and the state: the profile (mappings, policies, match rules) and the
 * codec inputs (columns, people, lookup entries, samples, time zone). Any difference, even in key order, only costs
 * one full run.
 */
export function quietFingerprint(profile: Profile, codecInputs: CodecInputs): string {
  return createHash("sha256").update(JSON.stringify({ profile, codecInputs })).digest("base64url");
}

/** True when a cycle planned nothing at all: no item entry, no count, nothing read that it could not use. */
export function isQuietCycle(cycle: CycleSummary): boolean {
  const { counts } = cycle;
  const sides = [counts.sharePoint, counts.confluence];
  return (
    cycle.items.length === 0 &&
    counts.conflicts === 0 &&
    counts.errors === 0 &&
    sides.every((side) => side.created === 0 && side.updated === 0 && side.deleted === 0)
  );
}

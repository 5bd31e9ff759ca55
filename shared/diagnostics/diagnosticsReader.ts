import { ProfileInvalid } from "../config/profileInvalid";
import type { ProfileListEntry, ProfileStore } from "../config/profileStore";
import type { ProfileValidator } from "../config/profileValidator";
import type { Clock } from "../runtime";
import { grantKeyOf } from "../state/grantLedger";
import type { StateStores } from "../state/stateStores";
import {
  detailProfile,
  type ProfileConflicts,
  type ProfileDetail,
  type ProfileSummary,
  summarizeProfile,
  viewConflict,
} from "./profileDiagnostics";

/** Where diagnostics read from: the configured profiles and secrets (names only) and the state tables. */
export interface DiagnosticsSources {
  profiles: ProfileStore;
  validator: ProfileValidator;
  state: StateStores;
  clock: Clock;
}

/** How much history the single-profile view shows. */
export const RECENT_RUNS = 10;
export const RECENT_TOKEN_REFRESHES = 10;

/** Every stored profile, sorted by key. One broken profile shows as invalid; it never hides the others. */
export async function readProfilesOverview(sources: DiagnosticsSources): Promise<ProfileSummary[]> {
  const entries = await sources.profiles.list();
  return Promise.all(entries.map((entry) => summarize(sources, entry)));
}

/** One profile with its recent runs, subscriptions and token refreshes. Throws ProfileNotFound. */
export async function readProfileDetail(sources: DiagnosticsSources, profileKey: string): Promise<ProfileDetail> {
  const entry = await loadEntry(sources.profiles, profileKey);
  const [summary, recentRuns, subscriptions, tokenRefreshes, grant] = await Promise.all([
    summarize(sources, entry),
    sources.state.runs.recent(entry.key, RECENT_RUNS),
    sources.state.subscriptions.listByProfile(entry.key),
    sources.state.tokenRefreshes.recent(entry.key, RECENT_TOKEN_REFRESHES),
    sources.state.confluenceGrants.read(grantKeyOf(entry.key)),
  ]);
  return detailProfile(summary, { recentRuns, subscriptions, tokenRefreshes, grant, now: sources.clock.now() });
}

/** The profile's open conflicts, oldest first, each with both values. Throws ProfileNotFound. */
export async function readOpenConflicts(sources: DiagnosticsSources, profileKey: string): Promise<ProfileConflicts> {
  const entry = await loadEntry(sources.profiles, profileKey);
  const conflicts = await sources.state.conflicts.listOpen(entry.key);
  return { profileKey: entry.key, conflicts: conflicts.map(viewConflict) };
}

async function summarize(sources: DiagnosticsSources, entry: ProfileListEntry): Promise<ProfileSummary> {
  const [validation, lastRun, open] = await Promise.all([
    // Names the missing secrets from their names alone; a broken document is validated under its stored key.
    entry.valid ? sources.validator.validate(entry.profile) : sources.validator.validateStored(entry.key),
    sources.state.runs.latest(entry.key),
    sources.state.conflicts.listOpen(entry.key),
  ]);
  return summarizeProfile({
    key: entry.key,
    document: entry.valid ? entry.profile : entry.document,
    validation,
    lastRun,
    openConflicts: open.length,
  });
}

/** The stored entry for `profileKey`, broken documents included; ProfileNotFound when there is none. */
async function loadEntry(profiles: ProfileStore, profileKey: string): Promise<ProfileListEntry> {
  try {
    const stored = await profiles.get(profileKey);
    return { key: stored.profile.key, updatedAt: stored.updatedAt, valid: true, profile: stored.profile };
  } catch (error) {
    if (!(error instanceof ProfileInvalid)) throw error;
    return {
      key: profileKey,
      updatedAt: new Date(0),
      valid: false,
      issues: [...error.issues],
      document: error.document,
    };
  }
}

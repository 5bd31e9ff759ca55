import { type Profile, profileKeySchema, profileSchema } from "./profile";
import { ProfileInvalid } from "./profileInvalid";
import { type ProfileIssue, profileIssuesFromZod } from "./profileIssue";
import { ProfileKeyConflict } from "./profileKeyConflict";

/** A profile as stored: the validated document (defaults filled in) and when it was last saved. */
export interface StoredProfile {
  profile: Profile;
  updatedAt: Date;
}

/**
 * One row of `list()`. A stored document that no longer passes the schema (written by an older version, edited by
 * hand) is listed with its issues instead of failing the whole listing, so one bad profile cannot stop the others.
 */
export type ProfileListEntry =
  | { key: string; updatedAt: Date; valid: true; profile: Profile }
  | { key: string; updatedAt: Date; valid: false; issues: ProfileIssue[]; document: unknown };

/**
 * Where profiles live, by profile key: SQLite (`Profiles` in config.db) locally, Table Storage in Azure. Profiles
 * are configuration, not secrets; their credentials live in the SecretsProvider under the same key.
 */
export interface ProfileStore {
  /**
   * Creates or replaces the profile under `profile.key`. Refuses a key that differs from another stored key only
   * in letter case (ProfileKeyConflict).
   */
  save(profile: Profile): Promise<StoredProfile>;
  /** Throws ProfileNotFound when absent, ProfileInvalid when the stored document no longer passes the schema. */
  get(profileKey: string): Promise<StoredProfile>;
  /** Every stored profile, sorted by key. */
  list(): Promise<ProfileListEntry[]>;
  /** Removes the profile (not its secrets); false when there was none. */
  delete(profileKey: string): Promise<boolean>;
}

/** Whether `profileKey` could name a stored profile at all; other strings are simply not found. */
export function isStorableProfileKey(profileKey: string): boolean {
  return profileKeySchema.safeParse(profileKey).success;
}

/** Parses a stored document back into a profile, keeping the issues when it no longer validates. */
export function readStoredProfile(key: string, json: string, updatedAt: Date): ProfileListEntry {
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch {
    return {
      key,
      updatedAt,
      valid: false,
      issues: [{ path: "(root)", message: "stored profile is not valid JSON" }],
      document: undefined,
    };
  }
  const parsed = profileSchema.safeParse(document);
  if (parsed.success) return { key, updatedAt, valid: true, profile: parsed.data };
  return { key, updatedAt, valid: false, issues: profileIssuesFromZod(parsed.error), document };
}

/** `get`'s view of a list entry: the profile, or ProfileInvalid naming its key. */
export function storedProfileOrThrow(entry: ProfileListEntry): StoredProfile {
  if (!entry.valid) throw new ProfileInvalid(entry.key, entry.issues, entry.document);
  return { profile: entry.profile, updatedAt: entry.updatedAt };
}

/** Orders list entries by key (UTF-16 code units, the same order Table Storage and SQLite's BINARY collation use). */
export function byProfileKey(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Throws ProfileKeyConflict when `existingKeys` holds a case-only variant of `profileKey`. */
export function assertNoCaseVariant(profileKey: string, existingKeys: Iterable<string>): void {
  const folded = profileKey.toLowerCase();
  for (const existing of existingKeys) {
    if (existing !== profileKey && existing.toLowerCase() === folded)
      throw new ProfileKeyConflict(profileKey, existing);
  }
}

import { ProfileInvalid, type ProfileStore } from "../shared/config";

/**
 * Fails with ProfileNotFound unless `profileKey` is stored: secrets belong to a profile, and a typo in the key must
 * not create orphan secrets. A stored profile that fails the schema still counts, so its secrets can be fixed.
 */
export async function requireProfile(profiles: ProfileStore, profileKey: string): Promise<void> {
  try {
    await profiles.get(profileKey);
  } catch (error) {
    if (!(error instanceof ProfileInvalid)) throw error;
  }
}

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { type Clock, systemClock } from "../runtime";
import type { Profile } from "./profile";
import { ProfileNotFound } from "./profileNotFound";
import {
  assertNoCaseVariant,
  byProfileKey,
  isStorableProfileKey,
  type ProfileListEntry,
  type ProfileStore,
  readStoredProfile,
  type StoredProfile,
  storedProfileOrThrow,
} from "./profileStore";

interface ProfileRow {
  ProfileKey: string;
  Profile: string;
  UpdatedAt: string;
}

/**
 * Profiles in the local SQLite config database, table `Profiles(ProfileKey, Profile, UpdatedAt)`, next to the
 * ConfigStore secrets. Local development only; the caller owns (and closes) the database connection.
 */
export class SqliteProfileStore implements ProfileStore {
  readonly #clock: Clock;
  readonly #database: DatabaseSync;
  readonly #caseVariants: StatementSync;
  readonly #upsert: StatementSync;
  readonly #select: StatementSync;
  readonly #selectAll: StatementSync;
  readonly #delete: StatementSync;

  constructor(database: DatabaseSync, options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#database = database;
    database.exec(`CREATE TABLE IF NOT EXISTS Profiles (
      ProfileKey TEXT NOT NULL PRIMARY KEY,
      Profile TEXT NOT NULL,
      UpdatedAt TEXT NOT NULL
    )`);
    this.#caseVariants = database.prepare("SELECT ProfileKey FROM Profiles WHERE lower(ProfileKey) = lower(?)");
    this.#upsert = database.prepare(
      `INSERT INTO Profiles (ProfileKey, Profile, UpdatedAt) VALUES (?, ?, ?)
       ON CONFLICT (ProfileKey) DO UPDATE SET Profile = excluded.Profile, UpdatedAt = excluded.UpdatedAt`,
    );
    this.#select = database.prepare("SELECT ProfileKey, Profile, UpdatedAt FROM Profiles WHERE ProfileKey = ?");
    this.#selectAll = database.prepare("SELECT ProfileKey, Profile, UpdatedAt FROM Profiles");
    this.#delete = database.prepare("DELETE FROM Profiles WHERE ProfileKey = ?");
  }

  async save(profile: Profile): Promise<StoredProfile> {
    const updatedAt = new Date(this.#clock.now());
    // One write transaction for the case-variant check and the write: another process (a second CLI) cannot slip a
    // variant in between (BEGIN IMMEDIATE takes the database's write lock up front).
    this.#database.exec("BEGIN IMMEDIATE");
    try {
      assertNoCaseVariant(
        profile.key,
        (this.#caseVariants.all(profile.key) as Array<{ ProfileKey: string }>).map((row) => row.ProfileKey),
      );
      this.#upsert.run(profile.key, JSON.stringify(profile), updatedAt.toISOString());
      this.#database.exec("COMMIT");
    } catch (error) {
      this.#database.exec("ROLLBACK");
      throw error;
    }
    return { profile, updatedAt };
  }

  async get(profileKey: string): Promise<StoredProfile> {
    const row = isStorableProfileKey(profileKey) ? (this.#select.get(profileKey) as ProfileRow | undefined) : undefined;
    if (!row) throw new ProfileNotFound(profileKey);
    return storedProfileOrThrow(entryOf(row));
  }

  async list(): Promise<ProfileListEntry[]> {
    return (this.#selectAll.all() as unknown as ProfileRow[]).map(entryOf).sort(byProfileKey);
  }

  async delete(profileKey: string): Promise<boolean> {
    return Number(this.#delete.run(profileKey).changes) > 0;
  }
}

function entryOf(row: ProfileRow): ProfileListEntry {
  return readStoredProfile(row.ProfileKey, row.Profile, new Date(row.UpdatedAt));
}

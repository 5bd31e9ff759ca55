import { odata, type TableClient } from "@azure/data-tables";
import { type Clock, systemClock } from "../runtime";
import { openTable, type TableStorageLocation } from "../state/tableClientFactory";
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

/** All profiles share one partition: there are few, and listing them is then a single-partition query. */
const PARTITION = "profile";
export const DEFAULT_PROFILES_TABLE = "Profiles";

interface ProfileEntity {
  partitionKey: string;
  rowKey: string;
  /** The validated profile as JSON (a Table Storage string property holds up to 32K characters). */
  Profile: string;
  /** ISO 8601; the entity's own Timestamp is the service's, not the time the profile was saved. */
  UpdatedAt: string;
}

/**
 * Profiles in Azure Table Storage (the storage account the Functions app already uses for its state), table
 * `Profiles`, one entity per profile with the profile key as RowKey. Every instance of the app sees the same
 * profiles, and no extra Azure resource is needed. Profile keys are Table-safe by construction (letters, digits, `-`).
 */
export class TableProfileStore implements ProfileStore {
  readonly #table: TableClient;
  readonly #clock: Clock;

  constructor(table: TableClient, options: { clock?: Clock } = {}) {
    this.#table = table;
    this.#clock = options.clock ?? systemClock;
  }

  /** Opens (creating when needed) the profiles table at `location`. */
  static async open(
    location: TableStorageLocation,
    options: { tableName?: string; clock?: Clock } = {},
  ): Promise<TableProfileStore> {
    return new TableProfileStore(await openTable(location, options.tableName ?? DEFAULT_PROFILES_TABLE), options);
  }

  async save(profile: Profile): Promise<StoredProfile> {
    assertNoCaseVariant(profile.key, await this.#keys());
    const updatedAt = new Date(this.#clock.now());
    const entity: ProfileEntity = {
      partitionKey: PARTITION,
      rowKey: profile.key,
      Profile: JSON.stringify(profile),
      UpdatedAt: updatedAt.toISOString(),
    };
    await this.#table.upsertEntity(entity, "Replace");
    return { profile, updatedAt };
  }

  async get(profileKey: string): Promise<StoredProfile> {
    if (!isStorableProfileKey(profileKey)) throw new ProfileNotFound(profileKey);
    let entity: ProfileEntity;
    try {
      entity = await this.#table.getEntity<ProfileEntity>(PARTITION, profileKey);
    } catch (error) {
      if (statusOf(error) === 404) throw new ProfileNotFound(profileKey);
      throw error;
    }
    return storedProfileOrThrow(entryOf(entity));
  }

  async list(): Promise<ProfileListEntry[]> {
    const entries: ProfileListEntry[] = [];
    for await (const entity of this.#table.listEntities<ProfileEntity>({
      queryOptions: { filter: odata`PartitionKey eq ${PARTITION}` },
    })) {
      entries.push(entryOf(entity));
    }
    return entries.sort(byProfileKey);
  }

  async delete(profileKey: string): Promise<boolean> {
    if (!isStorableProfileKey(profileKey)) return false;
    try {
      await this.#table.deleteEntity(PARTITION, profileKey);
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  async #keys(): Promise<string[]> {
    const keys: string[] = [];
    const query = { filter: odata`PartitionKey eq ${PARTITION}`, select: ["RowKey"] };
    for await (const entity of this.#table.listEntities<{ rowKey: string }>({ queryOptions: query }))
      keys.push(entity.rowKey);
    return keys;
  }
}

function entryOf(entity: ProfileEntity): ProfileListEntry {
  return readStoredProfile(entity.rowKey, entity.Profile, new Date(entity.UpdatedAt));
}

function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null ? (error as { statusCode?: number }).statusCode : undefined;
}

import { odata, type TableClient } from "@azure/data-tables";
import { type Clock, systemClock } from "../runtime";
import { openTable, type TableStorageLocation } from "../state/tableClientFactory";
import type { Profile } from "./profile";
import { ProfileKeyConflict } from "./profileKeyConflict";
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
/** One insert-only row per case-folded key, naming the profile key that holds it (see `#claimKey`). */
const KEY_CLAIMS = "profileKeyClaim";
/** A claim whose profile row never appeared (a save that crashed) may be taken over after this long. */
const ABANDONED_CLAIM_MS = 60_000;
export const DEFAULT_PROFILES_TABLE = "Profiles";

interface KeyClaimEntity {
  partitionKey: string;
  /** The profile key in lower case. */
  rowKey: string;
  /** The profile key as saved. */
  ProfileKey: string;
  /** Epoch milliseconds the claim was made. */
  ClaimedAt: number;
}

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
 *
 * Keys that differ only in letter case are refused atomically: before its profile row is written, a key claims its
 * case-folded form with an insert-only row (partition `profileKeyClaim`), so of two concurrent saves of `contoso` and
 * `Contoso` exactly one gets the claim and the other fails with ProfileKeyConflict (Key Vault would give both one set of
 * secrets, docs/configuration.md#profiles).
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
    const claimed = await this.#claimKey(profile.key);
    try {
      // Profiles stored before key claims existed have none: the scan still finds their case variants.
      assertNoCaseVariant(profile.key, await this.#keys());
    } catch (error) {
      if (claimed === "new") await this.#releaseClaim(profile.key);
      throw error;
    }
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
    let deleted: boolean;
    try {
      await this.#table.deleteEntity(PARTITION, profileKey);
      deleted = true;
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      deleted = false;
    }
    await this.#releaseClaim(profileKey);
    return deleted;
  }

  /**
   * Claims the case-folded key for `profileKey`: `new` when this call inserted the claim, `held` when the key already
   * held it. Throws ProfileKeyConflict when another key holds it and its profile exists (or its claim is fresh: a
   * concurrent save that has not written its profile row yet). A claim whose profile never appeared is taken over
   * after ABANDONED_CLAIM_MS, conditionally on its ETag, so two takers cannot both win.
   */
  async #claimKey(profileKey: string): Promise<"new" | "held"> {
    const folded = profileKey.toLowerCase();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const claim: KeyClaimEntity = {
        partitionKey: KEY_CLAIMS,
        rowKey: folded,
        ProfileKey: profileKey,
        ClaimedAt: this.#clock.now(),
      };
      try {
        await this.#table.createEntity(claim);
        return "new";
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
      }
      let existing: KeyClaimEntity & { etag: string };
      try {
        existing = await this.#table.getEntity<KeyClaimEntity>(KEY_CLAIMS, folded);
      } catch (error) {
        if (statusOf(error) === 404) continue; // released meanwhile: claim again
        throw error;
      }
      if (existing.ProfileKey === profileKey) return "held";
      const abandoned =
        this.#clock.now() - existing.ClaimedAt > ABANDONED_CLAIM_MS && !(await this.#exists(existing.ProfileKey));
      if (!abandoned) throw new ProfileKeyConflict(profileKey, existing.ProfileKey);
      try {
        await this.#table.updateEntity(claim, "Replace", { etag: existing.etag });
        return "new";
      } catch (error) {
        if (statusOf(error) !== 412) throw error;
      }
    }
    throw new Error(`profile "${profileKey}": could not claim its key; another save keeps changing it`);
  }

  /** Removes the key's claim if it still holds it. */
  async #releaseClaim(profileKey: string): Promise<void> {
    try {
      const claim = await this.#table.getEntity<KeyClaimEntity>(KEY_CLAIMS, profileKey.toLowerCase());
      if (claim.ProfileKey !== profileKey) return;
      await this.#table.deleteEntity(KEY_CLAIMS, claim.rowKey, { etag: claim.etag });
    } catch (error) {
      // Gone, or changed hands meanwhile: nothing of ours to remove.
      if (statusOf(error) !== 404 && statusOf(error) !== 412) throw error;
    }
  }

  async #exists(profileKey: string): Promise<boolean> {
    try {
      await this.#table.getEntity(PARTITION, profileKey, { queryOptions: { select: ["RowKey"] } });
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

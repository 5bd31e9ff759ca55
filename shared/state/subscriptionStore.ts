import { odata, RestError, type TableClient } from "@azure/data-tables";
import { openTable, type TableStorageLocation } from "./tableClientFactory";
import { encodeTableKey } from "./tableKey";

/**
 * A Graph change-notification subscription the app created. The webhook looks it up by `subscriptionId` to find
 * the profile and to check the notification's `clientState` (a per-subscription random secret: never log it).
 */
export interface SubscriptionRecord {
  subscriptionId: string;
  profileKey: string;
  clientState: string;
  /** ISO-8601 UTC; the subscription must be renewed before then. */
  expirationDateTime: string;
  /** `sites/{site-id}/lists/{list-id}`. */
  resource: string;
  notificationUrl: string;
}

interface SubscriptionEntity extends Omit<SubscriptionRecord, "subscriptionId"> {
  partitionKey: string;
  rowKey: string;
  subscriptionId: string;
}

export const DEFAULT_SUBSCRIPTIONS_TABLE = "Subscriptions";
const ROW_KEY = "subscription";

/**
 * Webhook subscriptions in Table Storage. Keyed by subscription id (PartitionKey, escaped) so the webhook's lookup
 * is a point read; listing a profile's subscriptions (for renewal) is a small filtered scan.
 */
export class SubscriptionStore {
  readonly #table: TableClient;

  private constructor(table: TableClient) {
    this.#table = table;
  }

  static async open(
    location: TableStorageLocation,
    tableName = DEFAULT_SUBSCRIPTIONS_TABLE,
  ): Promise<SubscriptionStore> {
    return new SubscriptionStore(await openTable(location, tableName));
  }

  /** Creates or replaces the record. */
  async save(record: SubscriptionRecord): Promise<void> {
    const entity: SubscriptionEntity = {
      partitionKey: encodeTableKey(record.subscriptionId),
      rowKey: ROW_KEY,
      ...record,
    };
    await this.#table.upsertEntity(entity, "Replace");
  }

  async get(subscriptionId: string): Promise<SubscriptionRecord | undefined> {
    try {
      return toRecord(await this.#table.getEntity<SubscriptionEntity>(encodeTableKey(subscriptionId), ROW_KEY));
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async listByProfile(profileKey: string): Promise<SubscriptionRecord[]> {
    const records: SubscriptionRecord[] = [];
    for await (const entity of this.#table.listEntities<SubscriptionEntity>({
      queryOptions: { filter: odata`profileKey eq ${profileKey}` },
    })) {
      records.push(toRecord(entity));
    }
    return records.sort((a, b) => a.expirationDateTime.localeCompare(b.expirationDateTime));
  }

  /** Every stored subscription, soonest expiry first: renewal also finds those of deleted profiles. */
  async list(): Promise<SubscriptionRecord[]> {
    const records: SubscriptionRecord[] = [];
    for await (const entity of this.#table.listEntities<SubscriptionEntity>()) records.push(toRecord(entity));
    return records.sort((a, b) => a.expirationDateTime.localeCompare(b.expirationDateTime));
  }

  /** Removes the record; removing a missing one is not an error. */
  async delete(subscriptionId: string): Promise<void> {
    try {
      await this.#table.deleteEntity(encodeTableKey(subscriptionId), ROW_KEY);
    } catch (error) {
      if (!(error instanceof RestError && error.statusCode === 404)) throw error;
    }
  }
}

function toRecord(entity: SubscriptionEntity): SubscriptionRecord {
  return {
    subscriptionId: entity.subscriptionId,
    profileKey: entity.profileKey,
    clientState: entity.clientState,
    expirationDateTime: entity.expirationDateTime,
    resource: entity.resource,
    notificationUrl: entity.notificationUrl,
  };
}

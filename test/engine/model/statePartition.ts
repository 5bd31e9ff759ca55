import type { TableClient } from "@azure/data-tables";
import { SYNC_CONFLICTS_TABLE } from "../../../shared/state/conflictStore";
import { SYNC_ITEM_STATE_TABLE } from "../../../shared/state/itemStateStore";
import { SYNC_RUNS_TABLE } from "../../../shared/state/runRecordStore";
import { SYNC_RUN_STAGING_TABLE } from "../../../shared/state/runStagingStore";
import { SYNC_CURSORS_TABLE } from "../../../shared/state/syncCursorStore";
import { openTable, type TableStorageLocation } from "../../../shared/state/tableClientFactory";
import { encodeTableKey } from "../../../shared/state/tableKey";

/**
 * The sync's state tables (item states, delta cursor, run records, conflicts, run staging), every row with its ETag
 * and timestamp: any write changes what this reads. The token-refresh history is left out on purpose — refreshing a
 * rotating Confluence token is the credential's duty whenever a token is needed, a dry run's read included.
 */
export const SYNC_STATE_TABLES = [
  SYNC_ITEM_STATE_TABLE,
  SYNC_CURSORS_TABLE,
  SYNC_RUNS_TABLE,
  SYNC_CONFLICTS_TABLE,
  SYNC_RUN_STAGING_TABLE,
] as const;
export type SyncStateTable = (typeof SYNC_STATE_TABLES)[number];

export type PartitionRows = Readonly<Record<SyncStateTable, readonly Readonly<Record<string, unknown>>[]>>;

/** Reads one profile's rows of the state tables, raw, straight from Table Storage. */
export class StatePartition {
  readonly #tables: ReadonlyMap<SyncStateTable, TableClient>;

  private constructor(tables: ReadonlyMap<SyncStateTable, TableClient>) {
    this.#tables = tables;
  }

  static async open(location: TableStorageLocation, prefix: string): Promise<StatePartition> {
    const clients = await Promise.all(
      SYNC_STATE_TABLES.map(async (name) => [name, await openTable(location, `${prefix}${name}`)] as const),
    );
    return new StatePartition(new Map(clients));
  }

  async read(profileKey: string): Promise<PartitionRows> {
    const partition = encodeTableKey(profileKey).replace(/'/g, "''");
    // The profile's own partition and, in the item-state table, its pair digest index (`{key}%digests`).
    const filter = `PartitionKey eq '${partition}' or PartitionKey eq '${partition}%digests'`;
    const entries = await Promise.all(
      SYNC_STATE_TABLES.map(async (name) => {
        const rows: Record<string, unknown>[] = [];
        for await (const entity of this.#tables.get(name)!.listEntities({ queryOptions: { filter } }))
          rows.push({ ...entity });
        rows.sort((a, b) => String(a.rowKey).localeCompare(String(b.rowKey)));
        return [name, rows] as const;
      }),
    );
    return Object.fromEntries(entries) as unknown as PartitionRows;
  }
}

import type { TableClient } from "@azure/data-tables";
import { fromJsonProperties, toJsonProperties } from "./jsonProperties";
import { openTable, type TableStorageLocation } from "./tableClientFactory";
import { encodeTableKey } from "./tableKey";

export const SYNC_RUNS_TABLE = "SyncRuns";

/** Larger than any epoch-millisecond instant we will see; `MAX - startedAt` sorts newest first. */
const INVERTED_BASE = 9_999_999_999_999;

/** The per-item list a stored run keeps; the full list is in the run's output, the counts always. */
export const STORED_REPORT_ITEMS = 200;

/** What the store needs of a run report (the engine's RunReport has this shape and more). */
export interface StoredRun {
  profile: string;
  runId: string;
  outcome: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  items: unknown[];
  itemsOmitted?: number;
}

/**
 * Run records in Table Storage: one partition per profile; RowKey = inverted start time + run id, so the latest runs
 * are the first rows of the partition, and saving the same run again (a retried commit) overwrites its row.
 */
export class RunRecordStore<RunReport extends StoredRun = StoredRun> {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  static async open<R extends StoredRun = StoredRun>(
    location: TableStorageLocation,
    tableName = SYNC_RUNS_TABLE,
  ): Promise<RunRecordStore<R>> {
    return new RunRecordStore<R>(await openTable(location, tableName));
  }

  /** Stores the report (idempotently per run); long item lists are cut to STORED_REPORT_ITEMS. */
  async save(report: RunReport): Promise<void> {
    const startedMs = Date.parse(report.startedAt);
    if (Number.isNaN(startedMs))
      throw new Error(`run ${report.runId} of profile "${report.profile}" has an invalid start time`);
    const kept = report.items.slice(0, STORED_REPORT_ITEMS);
    const omitted = (report.itemsOmitted ?? 0) + (report.items.length - kept.length);
    const stored: RunReport = { ...report, items: kept, ...(omitted > 0 ? { itemsOmitted: omitted } : {}) };
    await this.#table.upsertEntity(
      {
        partitionKey: encodeTableKey(report.profile),
        rowKey: `${String(INVERTED_BASE - startedMs).padStart(13, "0")}-${encodeTableKey(report.runId)}`,
        runId: report.runId,
        outcome: report.outcome,
        dryRun: report.dryRun,
        startedAt: report.startedAt,
        finishedAt: report.finishedAt,
        ...toJsonProperties("report", stored),
      },
      "Replace",
    );
  }

  /** The profile's latest `limit` runs, newest first. */
  async recent(profileKey: string, limit = 10): Promise<RunReport[]> {
    const filter = `PartitionKey eq '${encodeTableKey(profileKey).replace(/'/g, "''")}'`;
    const reports: RunReport[] = [];
    for await (const page of this.#table.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: limit })) {
      for (const entity of page) {
        reports.push(fromJsonProperties(entity, "report") as RunReport);
        if (reports.length >= limit) return reports;
      }
    }
    return reports;
  }

  async latest(profileKey: string): Promise<RunReport | undefined> {
    return (await this.recent(profileKey, 1))[0];
  }
}

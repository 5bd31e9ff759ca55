import { odata, type TableClient } from "@azure/data-tables";
import { fromJsonProperties, toJsonProperties } from "./jsonProperties";
import { openTable, type TableStorageLocation } from "./tableClientFactory";
import { decodeTableKey, encodeTableKey } from "./tableKey";

export const SYNC_CONFLICTS_TABLE = "SyncConflicts";

/**
 * A conflict as admins see it: which item and field, both values (and the base), what the policy did. Open until a
 * later run finds the field settled (both sides equal, or one side changed again and the merge is clean), then
 * resolved. `id` is stable for the same item and field, so a conflict seen on every run stays one record.
 */
export interface ConflictEntry {
  id: string;
  profileKey: string;
  kind: "field" | "deleteVsEdit";
  item: { sharePointId: string | null; rowKey: string | null };
  /** The mapped field (SharePoint internal name); null for a delete-vs-edit conflict about the whole item. */
  field: string | null;
  /** Both values as each side holds them (canonical form), and the last synced value when known. */
  values: { sharePoint?: unknown; confluence?: unknown; base?: unknown };
  /** What the conflict policy did, e.g. `flagged`, `sharePoint-won`. */
  resolution: string;
  /** Human words for the run report and diagnostics. */
  message: string;
  status: "open" | "resolved";
  openedAt: string;
  lastSeenAt: string;
  resolvedAt?: string;
  /** The run that last saw it. */
  runId: string;
}

/** How many conflicts of a profile are open, and since when: what its run event reports (docs/operations.md#alerts). */
export interface OpenConflictSummary {
  readonly open: number;
  /** Of those, the ones opened at or after the given instant (by the run that asks). */
  readonly openedSince: number;
  /** When the oldest of them was opened; null when none is open (or none carries the time, see `openSummary`). */
  readonly oldestOpenedAt: string | null;
}

/**
 * Conflicts in Table Storage: one partition per profile, RowKey = the escaped conflict id. `status` and `openedAt` are
 * also columns of their own, so the open conflicts can be counted without reading their values.
 */
export class ConflictStore {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  static async open(location: TableStorageLocation, tableName = SYNC_CONFLICTS_TABLE): Promise<ConflictStore> {
    return new ConflictStore(await openTable(location, tableName));
  }

  /** Records conflicts seen by a run; an already-open conflict keeps its `openedAt` and gets the new values. */
  async record(entries: readonly Omit<ConflictEntry, "openedAt" | "status" | "resolvedAt">[]): Promise<void> {
    for (const entry of entries) {
      const existing = await this.get(entry.profileKey, entry.id);
      const stillOpen = existing?.status === "open";
      const openedAt = stillOpen ? existing.openedAt : entry.lastSeenAt;
      // A flagged conflict dissolves the merge base, so later runs report it without one; the value both sides
      // last agreed on is still what an admin needs to see, so keep the one recorded when the conflict opened.
      const base = entry.values.base === undefined && stillOpen ? existing.values.base : entry.values.base;
      const values = base === undefined ? entry.values : { ...entry.values, base };
      await this.#write({ ...entry, values, status: "open", openedAt });
    }
  }

  /** Marks open conflicts resolved (idempotent). */
  async resolve(profileKey: string, ids: readonly string[], at: string, runId: string): Promise<void> {
    for (const id of ids) {
      const existing = await this.get(profileKey, id);
      if (!existing || existing.status === "resolved") continue;
      await this.#write({ ...existing, status: "resolved", resolvedAt: at, runId });
    }
  }

  async get(profileKey: string, id: string): Promise<ConflictEntry | undefined> {
    try {
      const entity = await this.#table.getEntity(encodeTableKey(profileKey), encodeTableKey(id));
      return fromJsonProperties(entity, "entry") as ConflictEntry;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Open conflicts of a profile, oldest first. */
  async listOpen(profileKey: string): Promise<ConflictEntry[]> {
    const filter = odata`PartitionKey eq ${encodeTableKey(profileKey)} and status eq ${"open"}`;
    const entries: ConflictEntry[] = [];
    for await (const entity of this.#table.listEntities({ queryOptions: { filter } })) {
      entries.push(fromJsonProperties(entity, "entry") as ConflictEntry);
    }
    return entries.sort(
      (a, b) => a.openedAt.localeCompare(b.openedAt) || decodeTableKey(a.id).localeCompare(decodeTableKey(b.id)),
    );
  }

  /**
   * Counts the profile's open conflicts in one query that returns only their `openedAt` column: one request per 1,000
   * open conflicts (the service filters the partition on `status`), however large the values are. A row written
   * before `openedAt` became a column is counted but has no time; every run that still sees the conflict rewrites
   * its row with the column.
   */
  async openSummary(profileKey: string, since: string): Promise<OpenConflictSummary> {
    const filter = odata`PartitionKey eq ${encodeTableKey(profileKey)} and status eq ${"open"}`;
    let open = 0;
    let openedSince = 0;
    let oldestOpenedAt: string | null = null;
    const rows = this.#table.listEntities<{ openedAt?: unknown }>({ queryOptions: { filter, select: ["openedAt"] } });
    for await (const row of rows) {
      open += 1;
      if (typeof row.openedAt !== "string") continue;
      if (row.openedAt >= since) openedSince += 1;
      if (oldestOpenedAt === null || row.openedAt < oldestOpenedAt) oldestOpenedAt = row.openedAt;
    }
    return { open, openedSince, oldestOpenedAt };
  }

  async #write(entry: ConflictEntry): Promise<void> {
    await this.#table.upsertEntity(
      {
        partitionKey: encodeTableKey(entry.profileKey),
        rowKey: encodeTableKey(entry.id),
        status: entry.status,
        openedAt: entry.openedAt,
        ...toJsonProperties("entry", entry),
      },
      "Replace",
    );
  }
}

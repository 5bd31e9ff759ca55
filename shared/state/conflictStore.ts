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
  /** Each side's value as its hash (`sha256:…`), as the run saw them: a settlement is held to them. */
  hashes?: { sharePoint?: string; confluence?: string };
  /** A person's decision (docs/operations.md#settling-conflicts): waiting for the next run, or applied by one. */
  settlement?: ConflictSettlementRecord;
  /** The last settlement a run could not apply, and why; the conflict stayed open with the values that run saw. */
  reopened?: { at: string; runId: string; reason: string; settlement: ConflictSettlementRecord };
}

/** Who settled a conflict, when, how, and against which values. */
export interface ConflictSettlementRecord {
  /** Who: the name the caller gave, the signed-in principal, or the operating-system user of the CLI. */
  by: string;
  /** Through which door: the HTTP API or the CLI. */
  via: "http" | "cli";
  at: string;
  take: "sharePoint" | "confluence" | "value";
  /** The chosen value (canonical form); absent when it is a side's value too long to keep. */
  value?: unknown;
  /** Both values (and their hashes) as the person saw them: a later edit of either makes the settlement stale. */
  values: { sharePoint?: unknown; confluence?: unknown };
  hashes: { sharePoint: string; confluence: string };
  /** `pending` until a run has written the chosen value everywhere it was missing. */
  state: "pending" | "applied";
  appliedAt?: string;
  appliedByRun?: string;
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

  /**
   * Records conflicts seen by a run; an already-open conflict keeps its `openedAt`, its settlement and the note of a
   * re-opening, and gets the new values.
   */
  async record(entries: readonly Omit<ConflictEntry, "openedAt" | "status" | "resolvedAt">[]): Promise<void> {
    for (const entry of entries) {
      await this.#update(entry.profileKey, entry.id, (existing) => {
        const stillOpen = existing?.status === "open";
        const openedAt = stillOpen ? existing.openedAt : entry.lastSeenAt;
        // A flagged conflict dissolves the merge base, so later runs report it without one; the value both sides
        // last agreed on is still what an admin needs to see, so keep the one recorded when the conflict opened.
        const base = entry.values.base === undefined && stillOpen ? existing.values.base : entry.values.base;
        const values = base === undefined ? entry.values : { ...entry.values, base };
        const kept = stillOpen
          ? {
              ...(existing.settlement ? { settlement: existing.settlement } : {}),
              ...(existing.reopened ? { reopened: existing.reopened } : {}),
            }
          : {};
        return { ...kept, ...entry, values, status: "open", openedAt };
      });
    }
  }

  /**
   * Marks open conflicts resolved (idempotent). Those in `applied` were ended by their settlement: it is marked
   * applied by the run.
   */
  async resolve(
    profileKey: string,
    ids: readonly string[],
    at: string,
    runId: string,
    applied: ReadonlySet<string> = new Set(),
  ): Promise<void> {
    for (const id of ids) {
      await this.#update(profileKey, id, (existing) => {
        if (!existing || existing.status === "resolved") return undefined;
        const settlement =
          existing.settlement && applied.has(id)
            ? { ...existing.settlement, state: "applied" as const, appliedAt: at, appliedByRun: runId }
            : existing.settlement;
        return { ...existing, status: "resolved", resolvedAt: at, runId, ...(settlement ? { settlement } : {}) };
      });
    }
  }

  /**
   * Records a person's settlement of an open conflict, unless someone settled it first (or it is no longer open):
   * `decide` sees the entry as stored and answers the settlement to record, or why not. The write is conditional on
   * the row's ETag, so of two people settling at once exactly one wins and the other is told who.
   */
  async settle<T>(
    profileKey: string,
    id: string,
    decide: (
      existing: ConflictEntry | undefined,
    ) => { ok: true; settlement: ConflictSettlementRecord; answer: T } | { ok: false; answer: T },
  ): Promise<T> {
    let answer: T | undefined;
    await this.#update(profileKey, id, (existing) => {
      const decision = decide(existing);
      answer = decision.answer;
      if (!decision.ok || existing === undefined) return undefined;
      const { reopened: _, ...rest } = existing;
      return { ...rest, settlement: decision.settlement };
    });
    return answer as T;
  }

  /**
   * A run found the settlement stale (or could not write its value): it is taken off the conflict, which stays open,
   * and the conflict says why.
   */
  async reopen(profileKey: string, id: string, reason: string, at: string, runId: string): Promise<void> {
    await this.#update(profileKey, id, (existing) => {
      if (existing?.settlement?.state !== "pending") return undefined;
      const { settlement, ...rest } = existing;
      return { ...rest, reopened: { at, runId, reason, settlement } };
    });
  }

  /** Open conflicts of a profile with a settlement waiting for a run, in one query on the `settlement` column. */
  async listSettled(profileKey: string): Promise<ConflictEntry[]> {
    const filter = odata`PartitionKey eq ${encodeTableKey(profileKey)} and status eq ${"open"} and settlement eq ${"pending"}`;
    const entries: ConflictEntry[] = [];
    for await (const entity of this.#table.listEntities({ queryOptions: { filter } }))
      entries.push(fromJsonProperties(entity, "entry") as ConflictEntry);
    return entries;
  }

  async get(profileKey: string, id: string): Promise<ConflictEntry | undefined> {
    return (await this.#read(profileKey, id))?.entry;
  }

  async #read(profileKey: string, id: string): Promise<{ entry: ConflictEntry; etag: string } | undefined> {
    try {
      const entity = await this.#table.getEntity(encodeTableKey(profileKey), encodeTableKey(id));
      return { entry: fromJsonProperties(entity, "entry") as ConflictEntry, etag: entity.etag };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  /**
   * Read, decide, write only if the row is still as read (ETag; insert-only for a new row), else read again: a run
   * recording conflicts and a person settling one never overwrite each other. `next` undefined = leave the row.
   */
  async #update(
    profileKey: string,
    id: string,
    next: (existing: ConflictEntry | undefined) => ConflictEntry | undefined,
  ): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      const current = await this.#read(profileKey, id);
      const entry = next(current?.entry);
      if (entry === undefined) return;
      try {
        await this.#write(entry, current?.etag);
        return;
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if ((status !== 412 && status !== 409) || attempt >= 20) throw error;
      }
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

  async #write(entry: ConflictEntry, etag: string | undefined): Promise<void> {
    const entity = {
      partitionKey: encodeTableKey(entry.profileKey),
      rowKey: encodeTableKey(entry.id),
      status: entry.status,
      openedAt: entry.openedAt,
      settlement: entry.settlement?.state ?? "none",
      ...toJsonProperties("entry", entry),
    };
    if (etag === undefined) await this.#table.createEntity(entity);
    else await this.#table.updateEntity(entity, "Replace", { etag });
  }
}

import type { ConfluenceSide, ConfluenceWrites, CreateRef, FieldReading } from "../../../shared/sync";
import type { SimulatedClock } from "./simulatedClock";
import type { SnapshotRow } from "./syncRunRecord";

/** A data row of the simulated table (see `SnapshotRow`). */
export type SimulatedRow = SnapshotRow;

/** What one read of the page returned, kept so the writes can patch exactly that version. */
export interface TableRead {
  readonly side: ConfluenceSide;
  readonly rows: readonly SimulatedRow[];
  readonly version: number;
}

/**
 * The managed table of a Confluence page as plain data: a version that every save bumps, and a page update that
 * must name the version it was made from (409 otherwise), as Confluence's API demands.
 */
export class SimulatedConfluenceTable {
  #rows: SimulatedRow[] = [];
  #version = 1;
  #editedAt: string;
  #nextUid = 1;

  constructor(private readonly clock: SimulatedClock) {
    this.#editedAt = clock.now();
  }

  rows(): readonly SimulatedRow[] {
    return this.#rows;
  }

  version(): number {
    return this.#version;
  }

  newUid(): string {
    return `r${this.#nextUid++}`;
  }

  /** A person saves the page with `rows` (a new version, edited now). */
  personSave(rows: SimulatedRow[]): void {
    this.#rows = rows;
    this.#version += 1;
    this.#editedAt = this.clock.now();
  }

  read(): TableRead {
    const rows = [...this.#rows];
    return {
      rows,
      version: this.#version,
      side: {
        rows: rows.map((row, rowRef) => ({ rowRef, rowKey: row.key, cells: { ...row.cells } })),
        page: { version: this.#version, editedAt: this.#editedAt },
      },
    };
  }

  /** The sync's page update: only on top of the version it read. Its versions do not count as a person's edit. */
  syncSave(basedOn: number, rows: SimulatedRow[]): { ok: true } | { ok: false; status: 409 } {
    if (basedOn !== this.#version) return { ok: false, status: 409 };
    this.#rows = rows;
    this.#version += 1;
    return { ok: true };
  }
}

/**
 * Applies a plan's Confluence writes to the rows as read, the way the table mapper patches the storage body it read.
 * Cells of a row created this run, and its key write-back, are skipped when the create failed.
 */
export function patchRows(
  read: TableRead,
  writes: ConfluenceWrites,
  createdIds: ReadonlyMap<CreateRef, string | null>,
  newUid: () => string,
): { rows: SimulatedRow[]; appended: Map<string, string> } {
  const rows: (SimulatedRow | null)[] = read.rows.map((row) => ({ ...row, cells: { ...row.cells } }));
  const replace = (rowRef: number, change: (row: SimulatedRow) => SimulatedRow) => {
    const row = rows[rowRef];
    if (row === undefined || row === null) throw new Error(`plan names row ${rowRef}, which the read did not have`);
    rows[rowRef] = change(row);
  };
  for (const update of writes.rowUpdates) {
    if (update.afterCreate !== null && !createdIds.get(update.afterCreate)) continue;
    const cells = Object.fromEntries(
      Object.entries(update.cells).map(([key, value]) => [key, { ok: true, value } as FieldReading]),
    );
    replace(update.rowRef, (row) => ({ ...row, cells: { ...row.cells, ...cells } }));
  }
  for (const writeBack of writes.keyWriteBacks) {
    const key =
      writeBack.key.kind === "existing"
        ? writeBack.key.sharePointId
        : (createdIds.get(writeBack.key.createRef) ?? null);
    if (key === null) continue;
    replace(writeBack.rowRef, (row) => ({ ...row, key }));
  }
  for (const removal of writes.removals) rows[removal.rowRef] = null;
  const appended = new Map<string, string>();
  const kept = rows.filter((row): row is SimulatedRow => row !== null);
  for (const append of writes.appends) {
    const uid = newUid();
    appended.set(append.sharePointId, uid);
    const cells = Object.fromEntries(
      Object.entries(append.cells).map(([key, value]) => [key, { ok: true, value } as FieldReading]),
    );
    kept.push({ uid, key: append.sharePointId, cells });
  }
  return { rows: kept, appended };
}

import type { CanonicalValue, FieldKey, FieldReading, SharePointItemReading } from "../../../shared/sync";
import type { SimulatedClock } from "./simulatedClock";

interface StoredItem {
  readonly id: string;
  version: number;
  modifiedAt: string;
  fields: Record<FieldKey, FieldReading>;
}

export type WriteResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly status: 404 | 412 };

/**
 * A SharePoint list as plain data, with the behaviour the sync depends on: numeric ids never reused, an eTag that
 * changes on every write, `If-Match` on updates and deletes (412 when stale), and a delta feed that reports the
 * latest state of every item changed since a cursor, the sync's own writes included, plus deleted ids.
 */
export class SimulatedSharePointList {
  readonly #items = new Map<string, StoredItem>();
  readonly #changes: string[] = [];
  #nextId = 1;

  constructor(
    private readonly clock: SimulatedClock,
    private readonly fieldKeys: readonly FieldKey[],
  ) {}

  ids(): string[] {
    return [...this.#items.keys()];
  }

  has(id: string): boolean {
    return this.#items.has(id);
  }

  fieldsOf(id: string): Readonly<Record<FieldKey, FieldReading>> | undefined {
    return this.#items.get(id)?.fields;
  }

  /** The delta cursor: how many changes the list has seen. */
  cursor(): number {
    return this.#changes.length;
  }

  create(values: Readonly<Record<FieldKey, FieldReading>>): SharePointItemReading {
    const id = String(this.#nextId++);
    const fields = Object.fromEntries(
      this.fieldKeys.map((key) => [key, values[key] ?? ({ ok: true, value: null } as FieldReading)]),
    );
    const item: StoredItem = { id, version: 1, modifiedAt: this.clock.now(), fields };
    this.#items.set(id, item);
    this.#changes.push(id);
    return this.#reading(item);
  }

  update(
    id: string,
    values: Readonly<Record<FieldKey, FieldReading>>,
    ifMatch?: string,
  ): WriteResult<SharePointItemReading> {
    const item = this.#items.get(id);
    if (item === undefined) return { ok: false, status: 404 };
    if (ifMatch !== undefined && ifMatch !== eTagOf(item)) return { ok: false, status: 412 };
    item.fields = { ...item.fields, ...values };
    item.version += 1;
    item.modifiedAt = this.clock.now();
    this.#changes.push(id);
    return { ok: true, value: this.#reading(item) };
  }

  delete(id: string, ifMatch?: string): WriteResult<null> {
    const item = this.#items.get(id);
    if (item === undefined) return { ok: false, status: 404 };
    if (ifMatch !== undefined && ifMatch !== eTagOf(item)) return { ok: false, status: 412 };
    this.#items.delete(id);
    this.#changes.push(id);
    return { ok: true, value: null };
  }

  get(id: string): SharePointItemReading | undefined {
    const item = this.#items.get(id);
    return item === undefined ? undefined : this.#reading(item);
  }

  readAll(): SharePointItemReading[] {
    return [...this.#items.values()].map((item) => this.#reading(item));
  }

  /** Items changed since `cursor` (latest state, each once) and ids deleted since, like Graph's delta. */
  readDelta(cursor: number): { changed: SharePointItemReading[]; deletedIds: string[] } {
    const ids = [...new Set(this.#changes.slice(cursor))];
    const changed: SharePointItemReading[] = [];
    const deletedIds: string[] = [];
    for (const id of ids) {
      const item = this.#items.get(id);
      if (item === undefined) deletedIds.push(id);
      else changed.push(this.#reading(item));
    }
    return { changed, deletedIds };
  }

  #reading(item: StoredItem): SharePointItemReading {
    return { id: item.id, eTag: eTagOf(item), modifiedAt: item.modifiedAt, fields: { ...item.fields } };
  }
}

function eTagOf(item: StoredItem): string {
  return `"${item.id},${item.version}"`;
}

export function readingOf(value: CanonicalValue): FieldReading {
  return { ok: true, value };
}

import { randomUUID } from "node:crypto";
import type { ColumnDefinition } from "../../../shared/mapping/columnDefinition";
import {
  type ColumnKind,
  columnKind,
  moderationStatusColumn,
  normaliseColumn,
  systemColumns,
  titleColumn,
} from "./listColumns";

/** A site user (person columns, person edits). `lookupId` is the id in the site's user list, a numeric string. */
export interface Person {
  lookupId: string;
  displayName: string;
  email: string;
  /** AAD object id. */
  id: string;
}

/** Who made a change: a person (UI edits) or an application (Graph writes). */
export type Actor = { kind: "person"; person: Person } | { kind: "app"; appId: string; displayName: string };

export interface StoredItem {
  readonly id: number;
  /** Constant per item; the first half of the eTag. */
  readonly guid: string;
  /** Bumped on every write; the second half of the eTag, and `_UIVersionString` = `{version}.0`. */
  version: number;
  /** Column values in the shape Graph reads them (single lookups as `XLookupId`, multi lookups as arrays). */
  values: Record<string, unknown>;
  createdMs: number;
  modifiedMs: number;
  author: Actor;
  editor: Actor;
  /** Position of the item's last change in the list's change sequence (delta reads from here). */
  changeSeq: number;
  /** With content approval: 0 approved, 1 rejected, 2 pending, 3 draft (always 0 without). */
  moderationStatus: number;
}

/** The eTag SharePoint gives a list item: a quoted `{guid},{version}` (real captures show the guid without braces). */
export function itemETag(item: StoredItem): string {
  return `"${item.guid},${item.version}"`;
}

/**
 * One list: its columns, items and the change sequence delta is served from. Ids are never reused; deleted items
 * leave a tombstone carrying the change sequence of their deletion, so a later delta can report them.
 */
export class ListState {
  readonly id: string;
  readonly displayName: string;
  readonly siteId: string;
  readonly createdMs: number;
  /** The list's own columns (Title first), without the system ones. */
  readonly columns: ColumnDefinition[];
  readonly #byName = new Map<string, { column: ColumnDefinition; kind: ColumnKind }>();
  readonly #items = new Map<number, StoredItem>();
  /** Live item ids, ascending: SharePoint pages by ID (`$skiptoken=Paged=TRUE&p_ID=n`). */
  #ids: number[] = [];
  readonly #tombstones = new Map<number, number>();
  #nextId = 1;
  #changeSeq = 0;
  modifiedMs: number;

  /** Content approval is on: items not approved are hidden from apps that may not approve. */
  readonly contentApproval: boolean;

  constructor(init: {
    id: string;
    displayName: string;
    siteId: string;
    columns: ColumnDefinition[];
    nowMs: number;
    contentApproval?: boolean;
  }) {
    this.id = init.id;
    this.contentApproval = init.contentApproval ?? false;
    this.displayName = init.displayName;
    this.siteId = init.siteId;
    this.createdMs = init.nowMs;
    this.modifiedMs = init.nowMs;
    const own = init.columns.map(normaliseColumn);
    if (!own.some((c) => c.name === "Title")) own.unshift(titleColumn());
    this.columns = own;
    for (const column of [...systemColumns(), ...own])
      this.#byName.set(column.name, { column, kind: columnKind(column) });
  }

  /** Columns as `/columns` lists them: the list's own and the system ones. */
  allColumns(): ColumnDefinition[] {
    return [...this.columns, ...systemColumns(), ...(this.contentApproval ? [moderationStatusColumn()] : [])];
  }

  column(name: string): { column: ColumnDefinition; kind: ColumnKind } | undefined {
    return this.#byName.get(name);
  }

  get changeSeq(): number {
    return this.#changeSeq;
  }

  get size(): number {
    return this.#ids.length;
  }

  item(id: number): StoredItem | undefined {
    return this.#items.get(id);
  }

  /** Adds an item; `id` only when seeding (ids otherwise come from the list's counter, as in SharePoint). */
  create(values: Record<string, unknown>, actor: Actor, nowMs: number, id?: number, moderationStatus = 0): StoredItem {
    const itemId = id ?? this.#nextId;
    if (this.#items.has(itemId) || this.#tombstones.has(itemId))
      throw new Error(`item id ${itemId} already used in list ${this.id}`);
    this.#nextId = Math.max(this.#nextId, itemId + 1);
    const item: StoredItem = {
      id: itemId,
      guid: randomUUID(),
      version: 1,
      values,
      createdMs: nowMs,
      modifiedMs: nowMs,
      author: actor,
      editor: actor,
      changeSeq: ++this.#changeSeq,
      moderationStatus: this.contentApproval ? moderationStatus : 0,
    };
    this.#items.set(itemId, item);
    if (this.#ids.length === 0 || this.#ids[this.#ids.length - 1]! < itemId) this.#ids.push(itemId);
    else this.#ids.splice(lowerBound(this.#ids, itemId), 0, itemId);
    this.modifiedMs = nowMs;
    return item;
  }

  update(item: StoredItem, values: Record<string, unknown>, actor: Actor, nowMs: number, moderationStatus = 0): void {
    if (this.contentApproval) item.moderationStatus = moderationStatus;
    item.values = values;
    item.version += 1;
    item.modifiedMs = nowMs;
    item.editor = actor;
    item.changeSeq = ++this.#changeSeq;
    this.modifiedMs = nowMs;
  }

  delete(item: StoredItem, nowMs: number): void {
    this.#items.delete(item.id);
    this.#ids.splice(lowerBound(this.#ids, item.id), 1);
    this.#tombstones.set(item.id, ++this.#changeSeq);
    this.modifiedMs = nowMs;
  }

  /** Live items with id > afterId, ascending, that pass `keep`; at most `limit`, and whether more follow. */
  page(
    afterId: number,
    limit: number,
    keep: (item: StoredItem) => boolean = () => true,
  ): { items: StoredItem[]; more: boolean } {
    const items: StoredItem[] = [];
    for (let i = lowerBound(this.#ids, afterId + 1); i < this.#ids.length; i++) {
      const item = this.#items.get(this.#ids[i]!)!;
      if (!keep(item)) continue;
      if (items.length === limit) return { items, more: true };
      items.push(item);
    }
    return { items, more: false };
  }

  /**
   * Items and tombstones changed in (since, upTo], ascending by id, after `afterId`; at most `limit`. Each item
   * appears once, in its latest state — "the delta feed shows the latest state for each item, not each change".
   */
  changes(
    since: number,
    upTo: number,
    afterId: number,
    limit: number,
  ): { entries: Array<StoredItem | { deletedId: number }>; more: boolean } {
    const ids = new Set<number>();
    for (const item of this.#items.values())
      if (item.changeSeq > since && item.changeSeq <= upTo && item.id > afterId) ids.add(item.id);
    for (const [id, seq] of this.#tombstones) if (seq > since && seq <= upTo && id > afterId) ids.add(id);
    const sorted = [...ids].sort((a, b) => a - b);
    const entries = sorted.slice(0, limit).map((id) => this.#items.get(id) ?? { deletedId: id });
    return { entries, more: sorted.length > limit };
  }

  liveItems(): StoredItem[] {
    return this.#ids.map((id) => this.#items.get(id)!);
  }
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

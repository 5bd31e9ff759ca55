import type { ItemLink, PageRecord } from "../../state/pageLinkStore";
import type { MissingPage } from "./pageFeed";
import type { ItemExtras } from "./pagesColumns";

/** What a page's link property says (read only for pages the sync has no record of). */
export type PropertyReading =
  | { readonly kind: "ours"; readonly itemId: string }
  /** Another profile's (or list's) link: the page belongs to someone else. */
  | { readonly kind: "foreign" }
  | { readonly kind: "none" };

/** The link property's value (docs/pages-mode.md §3). */
export interface LinkPropertyValue {
  readonly v: 1;
  readonly profile: string;
  readonly listId: string;
  readonly itemId: string;
}

/** Reads a property value written by `linkPropertyValue`; anything else is not ours. */
export function propertyReading(value: unknown, owner: { profile: string; listId: string }): PropertyReading {
  if (value === undefined) return { kind: "none" };
  const link = value as Partial<LinkPropertyValue> | null;
  if (link === null || typeof link !== "object" || typeof link.itemId !== "string") return { kind: "foreign" };
  return link.profile === owner.profile && link.listId === owner.listId
    ? { kind: "ours", itemId: link.itemId }
    : { kind: "foreign" };
}

export function linkPropertyValue(owner: { profile: string; listId: string }, itemId: string): LinkPropertyValue {
  return { v: 1, profile: owner.profile, listId: owner.listId, itemId };
}

export interface PairingInput {
  /** The items the run considers; `column` is the page id column as read this run (null: the item was not read). */
  readonly considered: ReadonlyMap<string, { readonly column: ItemExtras["pageId"] | null }>;
  readonly links: ReadonlyMap<string, ItemLink>;
  readonly records: ReadonlyMap<string, PageRecord>;
  /** The pages read this run (bodies), by id, with the version read. */
  readonly read: ReadonlyMap<string, { readonly version: number }>;
  /** Pages asked for and not answered. */
  readonly missing: ReadonlyMap<string, MissingPage>;
  /** The link property of every read page the sync had no record of. */
  readonly properties: ReadonlyMap<string, PropertyReading>;
  readonly now: string;
}

export interface Pairing {
  /** Each considered item's page, read this run. */
  readonly pageOfItem: ReadonlyMap<string, string>;
  /** Items whose linked page is in the trash or gone: the pair is unlinked (a "row gone" for the planner). */
  readonly goneOfItem: ReadonlyMap<string, { readonly pageId: string; readonly why: MissingPage }>;
  /** Pages claiming an item that already has a page: reported, never synced. */
  readonly copies: readonly { readonly pageId: string; readonly itemId: string }[];
  /** Pages without a link of ours (adoptable by `matchBy`). */
  readonly unlinked: readonly string[];
  /** Records and links to store (pages seen for the first time, pairs found now). */
  readonly records: readonly PageRecord[];
  readonly links: readonly ItemLink[];
  /** Pages paired this run that do not carry our link property yet (found by the page id column). */
  readonly propertyWrites: ReadonlySet<string>;
  /** Items whose page id column does not name their page: it is written again. */
  readonly backlinks: readonly { readonly itemId: string; readonly pageId: string }[];
  /** Items whose page id column names a page that is not theirs and that have none: reported, no page is created. */
  readonly columnProblems: readonly { readonly itemId: string; readonly message: string }[];
}

/**
 * Pairs pages with items by the three anchors (docs/pages-mode.md §3): the link rows decide for pages the sync knows,
 * the link property for pages it does not, and the page id column for pages that carry no link at all. A page
 * claiming an item that already has a page is a copy. Pure.
 */
export function pairPages(input: PairingInput): Pairing {
  const { considered, links, records, read, missing, properties, now } = input;
  const pageOfItem = new Map<string, string>();
  const itemOfPage = new Map<string, string>();
  const goneOfItem = new Map<string, { pageId: string; why: MissingPage }>();
  const copies: { pageId: string; itemId: string }[] = [];
  const newRecords = new Map<string, PageRecord>();
  const newLinks: ItemLink[] = [];
  const propertyWrites = new Set<string>();
  const settled = new Set<string>();

  const relinked = new Set<string>();
  const pair = (itemId: string, pageId: string, viaProperty: boolean) => {
    pageOfItem.set(itemId, pageId);
    itemOfPage.set(pageId, itemId);
    settled.add(pageId);
    const record = records.get(pageId);
    if (record?.role !== "item" || record.itemId !== itemId)
      newRecords.set(pageId, { pageId, role: "item", itemId, seenVersion: 0, updatedAt: now });
    const link = links.get(itemId);
    if (link?.phase !== "linked" || link.pageId !== pageId) {
      newLinks.push({ itemId, pageId, phase: "linked", updatedAt: now });
      relinked.add(itemId);
    }
    if (!viaProperty && properties.get(pageId)?.kind !== "ours" && record?.role !== "item") propertyWrites.add(pageId);
  };
  const copy = (pageId: string, itemId: string) => {
    settled.add(pageId);
    copies.push({ pageId, itemId });
    if (records.get(pageId)?.role !== "copy")
      newRecords.set(pageId, { pageId, role: "copy", itemId, seenVersion: 0, updatedAt: now });
  };
  /** The page an item is linked to, when it is another one (not in the trash or gone). */
  const linkedElsewhere = (itemId: string, pageId: string): boolean => {
    const link = links.get(itemId);
    return (
      (link?.phase === "linked" && link.pageId !== null && link.pageId !== pageId && !missing.has(link.pageId)) ||
      (pageOfItem.has(itemId) && pageOfItem.get(itemId) !== pageId)
    );
  };

  // 1. Items linked to a page: the link decides.
  for (const itemId of [...considered.keys()].sort()) {
    const link = links.get(itemId);
    if (link?.phase !== "linked" || link.pageId === null) continue;
    if (read.has(link.pageId)) pair(itemId, link.pageId, true);
    else {
      const why = missing.get(link.pageId);
      if (why !== undefined) goneOfItem.set(itemId, { pageId: link.pageId, why });
    }
  }

  // 2. Pages read: their record, else their link property.
  const unclaimed: string[] = [];
  for (const pageId of [...read.keys()].sort(byNumber)) {
    if (settled.has(pageId)) continue;
    const record = records.get(pageId);
    if (record !== undefined) {
      if (record.role === "copy") {
        settled.add(pageId);
        if (record.itemId !== null) copies.push({ pageId, itemId: record.itemId });
      } else if (record.role === "item" && record.itemId !== null) {
        if (linkedElsewhere(record.itemId, pageId)) copy(pageId, record.itemId);
        else pair(record.itemId, pageId, true);
      } else unclaimed.push(pageId);
      continue;
    }
    const property = properties.get(pageId) ?? { kind: "none" };
    if (property.kind === "ours") {
      if (linkedElsewhere(property.itemId, pageId)) copy(pageId, property.itemId);
      else pair(property.itemId, pageId, true);
    } else if (property.kind === "foreign") {
      settled.add(pageId);
      newRecords.set(pageId, { pageId, role: "unlinked", itemId: null, seenVersion: 0, updatedAt: now });
    } else unclaimed.push(pageId);
  }

  // 3. Items without a page yet whose page id column names one that carries no link.
  const backlinks: { itemId: string; pageId: string }[] = [];
  const columnProblems: { itemId: string; message: string }[] = [];
  const claimable = new Set(unclaimed);
  for (const [itemId, { column }] of [...considered].sort(([a], [b]) => byNumber(a, b))) {
    const paired = pageOfItem.get(itemId);
    if (paired !== undefined) {
      // A column read this run that disagrees, or a pair made this run whose item's column was not read.
      const disagrees = column !== null && (column.kind !== "page" || column.id !== paired);
      if (disagrees || (column === null && relinked.has(itemId))) backlinks.push({ itemId, pageId: paired });
      continue;
    }
    if (goneOfItem.has(itemId) || column === null || column.kind === "none") continue;
    if (column.kind === "invalid") {
      columnProblems.push({ itemId, message: `the page id column holds "${column.text}", which is no page id` });
      continue;
    }
    const pageId = column.id;
    if (claimable.has(pageId)) {
      claimable.delete(pageId);
      pair(itemId, pageId, false);
      continue;
    }
    const owner = itemOfPage.get(pageId);
    const why = missing.get(pageId);
    columnProblems.push({
      itemId,
      message:
        owner !== undefined
          ? `the page id column names page ${pageId}, which is the page of item ${owner}; clear the column to get a page of its own`
          : why !== undefined
            ? `the page id column names page ${pageId}, which is ${why === "trashed" ? "in the trash" : "gone or hidden from the app"}; clear the column to get a new page`
            : `the page id column names page ${pageId}, which is not under the parent page; clear the column to get a page of its own`,
    });
  }

  // 4. What is left carries no link of ours.
  const unlinked = unclaimed.filter((pageId) => claimable.has(pageId));
  for (const pageId of unlinked)
    if (records.get(pageId)?.role !== "unlinked")
      newRecords.set(pageId, { pageId, role: "unlinked", itemId: null, seenVersion: 0, updatedAt: now });

  return {
    pageOfItem,
    goneOfItem,
    copies,
    unlinked,
    records: [...newRecords.values()],
    links: newLinks,
    propertyWrites,
    backlinks,
    columnProblems,
  };
}

function byNumber(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** One side of a natural-key match: a page without a link, or an item without a page, with its key's hash. */
export interface NaturalKeyCandidate {
  readonly id: string;
  /** The hash of the `matchBy` field's value; null when empty or unreadable (never matched). */
  readonly key: string | null;
}

/**
 * Pages without a link are adopted by `matchBy` alone (docs/pages-mode.md §3): a key held by exactly one such page and
 * one item without a page pairs them; a key held by several on either side is reported and nothing of it is paired
 * (or created). Never by equal values, never guessed. Pure.
 */
export function adoptByNaturalKey(
  pages: readonly NaturalKeyCandidate[],
  items: readonly NaturalKeyCandidate[],
): {
  pairs: { itemId: string; pageId: string }[];
  ambiguous: { itemIds: string[]; pageIds: string[] }[];
} {
  const group = (candidates: readonly NaturalKeyCandidate[]) => {
    const byKey = new Map<string, string[]>();
    for (const candidate of candidates)
      if (candidate.key !== null) byKey.set(candidate.key, [...(byKey.get(candidate.key) ?? []), candidate.id]);
    return byKey;
  };
  const pagesByKey = group(pages);
  const itemsByKey = group(items);
  const pairs: { itemId: string; pageId: string }[] = [];
  const ambiguous: { itemIds: string[]; pageIds: string[] }[] = [];
  for (const [key, pageIds] of pagesByKey) {
    const itemIds = itemsByKey.get(key);
    if (itemIds === undefined) continue;
    const [pageId] = pageIds;
    const [itemId] = itemIds;
    if (pageIds.length === 1 && itemIds.length === 1 && pageId !== undefined && itemId !== undefined)
      pairs.push({ itemId, pageId });
    else ambiguous.push({ itemIds, pageIds });
  }
  return { pairs, ambiguous };
}

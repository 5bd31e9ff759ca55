import type { Profile } from "../config/profile";
import { type ColumnDefinition, type FieldCodecs, readSharePointItem } from "../mapping";
import { mapBounded } from "../runtime";
import type { DeltaMode, DeltaRound } from "../sharepoint/deltaReader";
import { GraphError, GraphErrorCodes } from "../sharepoint/graphError";
import type { SharePointItem } from "../sharepoint/listItem";
import type { SharePointClient } from "../sharepoint/sharePointClient";
import type { SharePointItemReading, SharePointSide } from "../sync";
import { needsSample } from "./codecInputs";
import type { StepReporter } from "./run/activityProgress";

/** One delta round read to its end: each item once (its latest state), the deleted ids, and the link to keep. */
export interface SharePointChanges {
  readonly mode: DeltaMode;
  readonly changed: readonly SharePointItem[];
  readonly deletedIds: readonly string[];
  /** The delta link after the last page: the next round starts here once this run is committed. */
  readonly deltaLink: string;
}

/**
 * Items per delta page (`$top`). Without it Graph sends pages of 200, so a first sync of 10,000 items took 50 calls;
 * 5,000 is the largest page observed (docs/references.md#graph-list-items-and-paging). The delta token keeps the
 * query it was opened with, so the page size holds for the later rounds of the same link too.
 */
export const DELTA_PAGE_SIZE = 5000;

/**
 * Reads the list's changes since `deltaLink` (every item when there is none, or when Graph refuses it with 410),
 * page by page. "The same item might appear more than once … use the last occurrence": later pages win, and an item
 * deleted after it changed is only deleted. Entries with neither fields nor a deletion mark are read by id (a 404 is a
 * deletion), never taken as items whose fields are all empty. An incremental round whose page held an error object
 * instead of an entry (docs/references.md#graph-delta) is dropped and the list enumerated again: a lost deletion must
 * not be skipped, and the stored link would fail the same way on every run.
 */
export async function readSharePointChanges(
  client: SharePointClient,
  deltaLink: string | undefined,
  select: readonly string[],
  report?: StepReporter,
): Promise<SharePointChanges> {
  try {
    return await readRound(
      client,
      await client.openDelta(deltaLink, { select, pageSize: DELTA_PAGE_SIZE }),
      undefined,
      select,
      report,
    );
  } catch (error) {
    if (!(deltaLink !== undefined && error instanceof GraphError && error.code === GraphErrorCodes.DeltaPageError))
      throw error;
    const mode: DeltaMode = { kind: "full", reason: "pageError", errorCode: error.graphCode };
    return readRound(
      client,
      await client.openDelta(undefined, { select, pageSize: DELTA_PAGE_SIZE }),
      mode,
      select,
      report,
    );
  }
}

/**
 * One round to its end; `report` hears, after each delta page, the entries read so far (changed, deleted or to be read
 * by id: a count that only grows, unlike the distinct items, which a later deletion can lower) and the pages read.
 */
async function readRound(
  client: SharePointClient,
  round: DeltaRound,
  mode: DeltaMode | undefined,
  select: readonly string[],
  report: StepReporter | undefined,
): Promise<SharePointChanges> {
  const changed = new Map<string, SharePointItem>();
  const deleted = new Set<string>();
  const unresolved = new Set<string>();
  let entries = 0;
  let pages = 0;
  report?.({ kind: "readingSharePoint", items: 0, pages: 0 });
  for await (const page of round.pages()) {
    pages += 1;
    entries += page.changed.length + page.deleted.length + page.unresolved.length;
    for (const item of page.changed) {
      changed.set(item.id, item);
      deleted.delete(item.id);
      unresolved.delete(item.id);
    }
    for (const id of page.deleted) {
      changed.delete(id);
      unresolved.delete(id);
      deleted.add(id);
    }
    for (const id of page.unresolved) {
      changed.delete(id);
      deleted.delete(id);
      unresolved.add(id);
    }
    report?.({ kind: "readingSharePoint", items: entries, pages });
  }
  const ids = [...unresolved];
  const read = await mapBounded(ids, 4, (id) => client.readItem(id, { select }));
  ids.forEach((id, index) => {
    const item = read[index];
    if (item === undefined) deleted.add(id);
    else changed.set(id, item);
  });
  return {
    mode: mode ?? round.mode,
    changed: [...changed.values()],
    deletedIds: [...deleted],
    deltaLink: round.deltaLink(),
  };
}

/** What a cycle keeps of its delta read once the items are read through the codecs: their ids, not the items. */
export interface ChangeSummary {
  readonly mode: DeltaMode;
  readonly changedIds: readonly string[];
  readonly deletedIds: readonly string[];
  readonly deltaLink: string;
}

export function changeSummary(changes: SharePointChanges): ChangeSummary {
  const { mode, deletedIds, deltaLink } = changes;
  return { mode, changedIds: changes.changed.map((item) => item.id), deletedIds, deltaLink };
}

/** The planner's view of the changes: a full enumeration or a delta, every mapped field read by its codec. */
export function sharePointSide(
  changes: Pick<SharePointChanges, "mode" | "changed" | "deletedIds">,
  codecs: FieldCodecs,
): SharePointSide {
  const items = changes.changed.map((item) => itemReading(item, codecs));
  return changes.mode.kind === "full"
    ? { kind: "full", items }
    : { kind: "delta", changed: items, deletedIds: changes.deletedIds };
}

export function itemReading(item: SharePointItem, codecs: FieldCodecs): SharePointItemReading {
  return {
    id: item.id,
    // Graph always sends both; empty strings would only make the item's next write fail its If-Match and re-read it.
    eTag: item.eTag ?? "",
    modifiedAt: item.lastModifiedDateTime ?? "",
    fields: readSharePointItem(codecs, item.fields, `SharePoint item ${item.id}`),
  };
}

/**
 * Keeps, per mapped field whose type only values tell (`needsSample`), a value seen: the stored one, else the
 * first one among the items read now. Stored with the cursor, so a later run with an empty delta still knows.
 */
export function fieldSamples(
  profile: Profile,
  columns: readonly ColumnDefinition[],
  items: readonly SharePointItem[],
  stored: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const samples: Record<string, unknown> = {};
  for (const field of profile.fields) {
    const column = columns.find((candidate) => candidate.name === field.sharePoint);
    if (column === undefined || !needsSample(column)) continue;
    const known = Object.hasOwn(stored, field.sharePoint) ? stored[field.sharePoint] : undefined;
    const seen =
      known ??
      items.map((item) => item.fields[field.sharePoint]).find((value) => value !== undefined && value !== null);
    if (seen !== undefined) samples[field.sharePoint] = seen;
  }
  return samples;
}

/** The highest numeric SharePoint id among `ids`: every item created later has a higher one (ids only grow). */
export function highestItemId(ids: Iterable<string>): number {
  let highest = 0;
  for (const id of ids) if (/^\d+$/.test(id)) highest = Math.max(highest, Number(id));
  return highest;
}

import type { TableClient } from "@azure/data-tables";
import { fromJsonProperties, toJsonProperties } from "./jsonProperties";
import { StateConflict } from "./stateConflict";
import { openTable, type TableStorageLocation } from "./tableClientFactory";
import { encodeTableKey } from "./tableKey";
import { tableStatusOf } from "./tableStatus";

export const SYNC_CURSORS_TABLE = "SyncCursors";
const ROW_KEY = "cursor";

/** Where a profile's next run starts reading, and what earlier reads taught it. */
export interface SyncCursor {
  /** Graph's `@odata.deltaLink` after the last committed run: the next delta round starts here. */
  deltaLink: string;
  /**
   * The fields the link's round was opened with (`$select`): a delta token keeps its first query, so a profile
   * that now maps other fields must start a new round instead of following this link.
   */
  select?: string[];
  /**
   * When a person last saved the page, as far as the sync has seen (ISO 8601): for newest-wins, when the current
   * version is the sync's own.
   */
  pageEditedAt?: string;
  /**
   * A value seen in each mapped column whose type Graph does not mark (hyperlinks, multi-select choices), so the
   * codecs can tell the type on runs whose delta holds no item.
   */
  fieldSamples?: Record<string, unknown>;
  /**
   * Set by a run that planned nothing (the engine's `QuietMark`): the page version it read and a fingerprint of its
   * other inputs. Kept while later runs find nothing new; any run that plans something stores its cursor without it.
   */
  quiet?: { pageVersion: number; inputs: string; runId: string };
  /** Items whose SharePoint gate was closed when last read (table mode's gates, docs/pages-mode.md §5). */
  gatedItems?: string[];
  /** Pages mode only: where the Confluence feed, the sweep and the points budget stand (docs/pages-mode.md §7). */
  pages?: PagesCursor;
  /** The run that stored it, and when. */
  runId: string;
  updatedAt: string;
}

/** A pages-mode profile's Confluence side of the cursor. */
export interface PagesCursor {
  /** When the last committed feed read began (ISO 8601): the next one reaches back to here plus the overlap. */
  feedFrom: string;
  /** When the page tree was last listed (ISO 8601). */
  sweptAt: string;
  /** A page that should exist answered 404: the next run lists the tree whatever the schedule. */
  sweepDue?: boolean;
  /** How many items have a linked page (the mass-delete limit's total). */
  linkedPages: number;
  /** What the set-up check found, for the profile and template it checked (see docs/pages-mode.md §4). */
  setup?: PagesSetup;
  /** Points this profile spent in the UTC hour that began at `hour`, and the app's hourly quota as last seen. */
  points?: { hour: string; spent: number; quota: number };
  /** A quota 429 stopped this profile's Confluence calls until then (ISO 8601). */
  blockedUntil?: string;
}

/** The parent and template as the set-up check found them. */
export interface PagesSetup {
  /** Hash of the profile and columns the check ran for: a different one runs it again. */
  fingerprint: string;
  /** The parent's space: new pages go there. */
  spaceId: string;
  templateVersion: number;
  /** Per mapped field, the template's value cell: what "unset" looks like (signature) and is written as (inner). */
  placeholders: Record<string, { signature: string; inner: string }>;
}

/**
 * The delta link (and what goes with it) per profile: one row, PartitionKey = the escaped profile key. Saved over
 * the version the run read (ETag); a different link stored meanwhile is a `StateConflict`, never overwritten.
 */
export class SyncCursorStore {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  static async open(location: TableStorageLocation, tableName = SYNC_CURSORS_TABLE): Promise<SyncCursorStore> {
    return new SyncCursorStore(await openTable(location, tableName));
  }

  /** The profile's cursor and its row version; undefined before the first committed run. */
  async get(profileKey: string): Promise<{ cursor: SyncCursor; version: string } | undefined> {
    try {
      const entity = await this.#table.getEntity(encodeTableKey(profileKey), ROW_KEY);
      const cursor = fromJsonProperties(entity, "cursor") as SyncCursor | undefined;
      if (cursor === undefined || typeof cursor.deltaLink !== "string")
        throw new Error(`profile "${profileKey}": the stored sync cursor is not readable`);
      return { cursor, version: entity.etag };
    } catch (error) {
      if (tableStatusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /**
   * Stores `cursor` over `version` (the one read; `null` = there was none) and answers the new version. Finding the
   * same delta link already stored (a retried commit) is fine; any other change meanwhile is a `StateConflict`.
   */
  async save(profileKey: string, cursor: SyncCursor, version: string | null): Promise<string> {
    const entity = {
      partitionKey: encodeTableKey(profileKey),
      rowKey: ROW_KEY,
      runId: cursor.runId,
      updatedAt: cursor.updatedAt,
      ...toJsonProperties("cursor", cursor),
    };
    try {
      const written =
        version === null
          ? await this.#table.createEntity(entity)
          : await this.#table.updateEntity(entity, "Replace", { etag: version });
      if (written.etag !== undefined) return written.etag;
    } catch (error) {
      const status = tableStatusOf(error);
      if (status !== 409 && status !== 412 && status !== 404) throw error;
    }
    const current = await this.get(profileKey);
    if (current !== undefined && current.cursor.deltaLink === cursor.deltaLink) return current.version;
    throw new StateConflict("cursor", profileKey, undefined);
  }

  /** Forgets the cursor: the next run enumerates the whole list. */
  async delete(profileKey: string): Promise<void> {
    try {
      await this.#table.deleteEntity(encodeTableKey(profileKey), ROW_KEY);
    } catch (error) {
      if (tableStatusOf(error) !== 404) throw error;
    }
  }
}

import { randomBytes } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { z } from "zod";
import { openTable, type TableStorageLocation } from "./tableClientFactory";
import { decodeTableKey, encodeTableKey } from "./tableKey";

/**
 * How a token refresh ended, or what happened later to the refresh token it rotated:
 * - `refreshed`: a new access token, and the rotated refresh token stored;
 * - `refreshed-unsaved`: a new access token, but the rotated refresh token could not be stored yet: the process keeps
 *   it in memory, uses it, and retries the store (the grant's `unsavedSince` in diagnostics);
 * - `saved-late`: such a token was stored after all (`saveAttempts` failures before);
 * - `unsaved-dropped`: such a token was given up, never stored: the secret was deleted by an admin, the process lost
 *   the grant's lease to another, or Atlassian refused it;
 * - `new-grant-stored`: a new consent's refresh token was stored (`storeNewGrant`);
 * - `reauthorization-required`, `failed`: no access token (the error code says why).
 */
export type TokenRefreshOutcome =
  | "refreshed"
  | "refreshed-unsaved"
  | "saved-late"
  | "unsaved-dropped"
  | "new-grant-stored"
  | "reauthorization-required"
  | "failed";

export const TOKEN_REFRESH_OUTCOMES = [
  "refreshed",
  "refreshed-unsaved",
  "saved-late",
  "unsaved-dropped",
  "new-grant-stored",
  "reauthorization-required",
  "failed",
] as const satisfies readonly TokenRefreshOutcome[];

/** One refresh attempt, as diagnostics show it. Never holds a token or secret. */
export interface TokenRefreshRecord {
  /** ISO instant the refresh started. */
  at: string;
  profileKey: string;
  outcome: TokenRefreshOutcome;
  /** The failure's stable code (e.g. `REAUTHORIZATION_REQUIRED`, `CONFLUENCE_UNAVAILABLE`). */
  errorCode?: string;
  /** ISO instant the new access token expires. */
  newExpiry?: string;
  /** Wall time of the whole refresh (secrets read, token call, persist), in milliseconds. */
  durationMs: number;
  /** Failed attempts to store the rotated refresh token, for `refreshed-unsaved`, `saved-late`, `unsaved-dropped`. */
  saveAttempts?: number;
}

/** Where the token manager writes its history; TokenRefreshHistory in production, anything in tests. */
export interface TokenRefreshRecorder {
  append(record: TokenRefreshRecord): Promise<void>;
}

export const TOKEN_REFRESH_HISTORY_TABLE = "TokenRefreshHistory";

/** Larger than any epoch-millisecond instant we will see; `MAX - at` sorts newest first. */
const INVERTED_BASE = 9_999_999_999_999;

const rowSchema = z.object({
  at: z.string(),
  outcome: z.enum(TOKEN_REFRESH_OUTCOMES),
  errorCode: z.string().optional(),
  newExpiry: z.string().optional(),
  durationMs: z.number(),
  saveAttempts: z.number().optional(),
});

/**
 * Token-refresh history in Table Storage: one partition per profile, RowKey = inverted timestamp (+ a random
 * suffix for refreshes in the same millisecond), so "the latest n refreshes of a profile" is a single-partition
 * query that reads exactly n rows in key order.
 */
export class TokenRefreshHistory implements TokenRefreshRecorder {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  static async open(
    location: TableStorageLocation,
    tableName = TOKEN_REFRESH_HISTORY_TABLE,
  ): Promise<TokenRefreshHistory> {
    return new TokenRefreshHistory(await openTable(location, tableName));
  }

  async append(record: TokenRefreshRecord): Promise<void> {
    const atMs = Date.parse(record.at);
    if (Number.isNaN(atMs))
      throw new Error(`token refresh record for profile "${record.profileKey}" has an invalid time: ${record.at}`);
    const rowKey = `${String(INVERTED_BASE - atMs).padStart(13, "0")}-${randomBytes(4).toString("hex")}`;
    await this.#table.createEntity({
      partitionKey: encodeTableKey(record.profileKey),
      rowKey,
      at: record.at,
      outcome: record.outcome,
      durationMs: record.durationMs,
      ...(record.errorCode !== undefined ? { errorCode: record.errorCode } : {}),
      ...(record.newExpiry !== undefined ? { newExpiry: record.newExpiry } : {}),
      ...(record.saveAttempts !== undefined ? { saveAttempts: record.saveAttempts } : {}),
    });
  }

  /** The profile's latest `limit` refreshes, newest first. */
  async recent(profileKey: string, limit = 20): Promise<TokenRefreshRecord[]> {
    const partition = encodeTableKey(profileKey);
    const pages = this.#table
      .listEntities({ queryOptions: { filter: `PartitionKey eq '${partition.replace(/'/g, "''")}'` } })
      .byPage({ maxPageSize: limit });
    const records: TokenRefreshRecord[] = [];
    for await (const page of pages) {
      for (const entity of page) {
        const row = rowSchema.parse(entity);
        records.push({ profileKey: decodeTableKey(String(entity.partitionKey)), ...withoutUndefined(row) });
        if (records.length >= limit) return records;
      }
    }
    return records;
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

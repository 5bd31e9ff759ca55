import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { odata, type TableClient } from "@azure/data-tables";
import { openTable, type TableStorageLocation } from "./tableClientFactory";
import { tableStatusOf } from "./tableStatus";

export const CONFLUENCE_CONSENTS_TABLE = "ConfluenceConsents";

const PARTITION = "consent";
const STATE_SHAPE = /^([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$/;

/** What a consumed `state` was issued for. */
export type ConsentStateUse =
  | { readonly ok: true; readonly profileKey: string; readonly redirectUri: string }
  | { readonly ok: false; readonly reason: "unknown" | "used" | "expired" };

/**
 * The `state` of a Confluence consent started in the Function App (docs/security.md#the-consent-callback): random,
 * bound to one profile and one callback URL, short-lived and good for one callback. A state is `{id}.{secret}`: the row
 * is found by the id and holds only the secret's SHA-256, compared in constant time, so the table never holds a
 * usable state. Consuming it is conditional on the row's ETag: of two callbacks with the same state, one wins.
 */
export class ConsentStateStore {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  static async open(location: TableStorageLocation, tableName = CONFLUENCE_CONSENTS_TABLE): Promise<ConsentStateStore> {
    return new ConsentStateStore(await openTable(location, tableName));
  }

  /** A new state for the profile's consent, valid for `ttlMs` from `nowMs`. */
  async issue(profileKey: string, redirectUri: string, nowMs: number, ttlMs: number): Promise<string> {
    const id = randomBytes(16).toString("hex");
    const secret = randomBytes(32).toString("base64url");
    await this.#table.createEntity({
      partitionKey: PARTITION,
      rowKey: id,
      secretHash: digest(secret),
      profileKey,
      redirectUri,
      issuedAt: new Date(nowMs).toISOString(),
      expiresAtMs: nowMs + ttlMs,
      usedAt: "",
    });
    return `${id}.${secret}`;
  }

  /** Uses a state up: what it was issued for, or why it cannot be used (unknown, used already, expired). */
  async consume(state: string, nowMs: number): Promise<ConsentStateUse> {
    const match = STATE_SHAPE.exec(state);
    if (match === null) return { ok: false, reason: "unknown" };
    const [, id, secret] = match as unknown as [string, string, string];
    let row: Record<string, unknown> & { etag: string };
    try {
      row = await this.#table.getEntity(PARTITION, id);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return { ok: false, reason: "unknown" };
      throw error;
    }
    const stored = Buffer.from(String(row.secretHash ?? ""), "base64url");
    const given = Buffer.from(digest(secret), "base64url");
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) return { ok: false, reason: "unknown" };
    if (row.usedAt !== "") return { ok: false, reason: "used" };
    if (Number(row.expiresAtMs) <= nowMs) return { ok: false, reason: "expired" };
    try {
      await this.#table.updateEntity(
        { partitionKey: PARTITION, rowKey: id, usedAt: new Date(nowMs).toISOString() },
        "Merge",
        { etag: row.etag },
      );
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 412) return { ok: false, reason: "used" };
      throw error;
    }
    return { ok: true, profileKey: String(row.profileKey), redirectUri: String(row.redirectUri) };
  }

  /**
   * Removes at most `limit` states that expired before `expiredBeforeMs`, used or not: they can only be refused
   * (docs/operations.md#housekeeping). Live states stay, used or not. The expiry is compared here rather than in the
   * query: the column is a plain JSON number, whose inferred type an OData literal must match exactly, and the table
   * is small (a row per consent started, in one partition). Answers how many rows went.
   */
  async sweep(expiredBeforeMs: number, limit: number): Promise<number> {
    const expired: string[] = [];
    for await (const row of this.#table.listEntities<{ expiresAtMs?: unknown }>({
      queryOptions: { filter: odata`PartitionKey eq ${PARTITION}`, select: ["RowKey", "expiresAtMs"] },
    })) {
      if (expired.length >= limit) break;
      const expiresAtMs = Number(row.expiresAtMs);
      // A row without a readable expiry cannot be used either (consume refuses it as expired).
      if (!(expiresAtMs >= expiredBeforeMs)) expired.push(String(row.rowKey));
    }
    for (const rowKey of expired) {
      await this.#table.deleteEntity(PARTITION, rowKey).catch((error: unknown) => {
        if (tableStatusOf(error) !== 404) throw error;
      });
    }
    return expired.length;
  }
}

function digest(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}

import { odata, type TableClient } from "@azure/data-tables";
import {
  type ClaimOutcome,
  EMPTY_GRANT_STATE,
  type GrantLease,
  type GrantLedger,
  type GrantState,
  type LeaseAttempt,
  type TokenClaim,
} from "./grantLedger";
import { openTable, type TableStorageLocation } from "./tableClientFactory";
import { encodeTableKey } from "./tableKey";
import { tableStatusOf } from "./tableStatus";

export const CONFLUENCE_GRANTS_TABLE = "ConfluenceGrants";
const GRANT_ROW = "grant";
const CLAIM_ROW = "claim";
/** Claims live in partitions of their own, apart from the grant rows. */
const CLAIM_PARTITION_PREFIX = "token-";
/** The first key after every `token-…` partition ('.' follows '-'). */
const CLAIM_PARTITION_END = "token.";

/** Table Storage keeps no nulls: a missing property is null, and 0 stands for "no instant". */
interface GrantEntity {
  partitionKey: string;
  rowKey: string;
  Holder?: string;
  LeaseUntil?: number;
  ExchangeStartedAt?: number;
  UnsavedSince?: number;
  SaveAttempts?: number;
  LastSaveError?: string;
  TokenHash?: string;
  RotatedAt?: number;
  Rotations?: number;
}

interface ClaimEntity {
  partitionKey: string;
  rowKey: string;
  GrantKey: string;
  ProfileKey: string;
  ClaimedAt: number;
}

/**
 * The grant ledger in Table Storage (table `ConfluenceGrants`), shared by every instance of the app and the CLI:
 * one row per grant (PartitionKey = the escaped grant key) holding the lease and the refresh's progress, written only
 * with If-Match on the ETag read, so two processes can never both believe they hold the lease; and one insert-only
 * row per exchanged refresh token (PartitionKey `token-{fingerprint}`).
 *
 * An ETag-guarded row rather than a blob lease: the app's state already lives in tables (one storage service, one
 * data role), Azurite's table service is what the tests run, and a blob lease's fixed 15–60 s or infinite durations
 * fit a lease that must outlive a slow Key Vault write yet expire by itself when its holder dies
 * (docs/security.md#the-confluence-grant).
 */
export class TableGrantLedger implements GrantLedger {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  static async open(location: TableStorageLocation, tableName = CONFLUENCE_GRANTS_TABLE): Promise<TableGrantLedger> {
    return new TableGrantLedger(await openTable(location, tableName));
  }

  async read(grantKey: string): Promise<GrantState | undefined> {
    const found = await this.#get(grantKey);
    return found?.state;
  }

  async acquire(grantKey: string, holder: string, nowMs: number, untilMs: number): Promise<LeaseAttempt> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const found = await this.#get(grantKey);
      const state = found?.state ?? EMPTY_GRANT_STATE;
      if (state.holder !== null && state.holder !== holder && nowMs < state.leaseUntilMs)
        return { kind: "busy", holder: state.holder, untilMs: state.leaseUntilMs };
      const next: GrantState = { ...state, holder, leaseUntilMs: untilMs };
      const version = await this.#write(grantKey, next, found?.version);
      if (version !== undefined) return { kind: "acquired", lease: { grantKey, holder, state: next, version } };
      // Someone wrote the row between our read and our write: read again and decide again.
    }
    const state = (await this.#get(grantKey))?.state ?? EMPTY_GRANT_STATE;
    return { kind: "busy", holder: state.holder ?? "unknown", untilMs: state.leaseUntilMs };
  }

  async update(lease: GrantLease, changes: Partial<GrantState>): Promise<GrantLease | undefined> {
    const next: GrantState = { ...lease.state, ...changes };
    const version = await this.#write(lease.grantKey, next, lease.version);
    return version === undefined ? undefined : { ...lease, state: next, version };
  }

  async claimToken(tokenHash: string, claim: TokenClaim): Promise<ClaimOutcome> {
    const partitionKey = `${CLAIM_PARTITION_PREFIX}${tokenHash}`;
    try {
      await this.#table.createEntity<ClaimEntity>({
        partitionKey,
        rowKey: CLAIM_ROW,
        GrantKey: claim.grantKey,
        ProfileKey: claim.profileKey,
        ClaimedAt: claim.claimedAtMs,
      });
      return { kind: "claimed" };
    } catch (error) {
      if (tableStatusOf(error) !== 409) throw error;
    }
    const existing = await this.#table.getEntity<ClaimEntity>(partitionKey, CLAIM_ROW);
    return {
      kind: "claimedBefore",
      claim: { grantKey: existing.GrantKey, profileKey: existing.ProfileKey, claimedAtMs: existing.ClaimedAt },
    };
  }

  /**
   * Removes at most `limit` token claims made before `claimedBeforeMs`; grant rows are never touched. A claim is what
   * stops a retired token from being sent, so it may go only once its token cannot do harm: callers pass a cut-off
   * past the whole grant's life (docs/operations.md#housekeeping). The claim time is compared here, not in the query
   * (a plain JSON number, whose inferred type an OData literal must match exactly); the query reads only claim rows,
   * by key range. Answers how many went.
   */
  async sweepClaims(claimedBeforeMs: number, limit: number): Promise<number> {
    const old: Array<{ partitionKey: string }> = [];
    const filter = odata`PartitionKey ge ${CLAIM_PARTITION_PREFIX} and PartitionKey lt ${CLAIM_PARTITION_END} and RowKey eq ${CLAIM_ROW}`;
    for await (const row of this.#table.listEntities<{ ClaimedAt?: unknown }>({
      queryOptions: { filter, select: ["PartitionKey", "ClaimedAt"] },
    })) {
      if (old.length >= limit) break;
      if (Number(row.ClaimedAt) < claimedBeforeMs) old.push({ partitionKey: String(row.partitionKey) });
    }
    // One claim per partition: no batch transaction can take two, so they go one by one.
    for (const { partitionKey } of old) {
      await this.#table.deleteEntity(partitionKey, CLAIM_ROW).catch((error: unknown) => {
        if (tableStatusOf(error) !== 404) throw error;
      });
    }
    return old.length;
  }

  async #get(grantKey: string): Promise<{ state: GrantState; version: string } | undefined> {
    try {
      const entity = await this.#table.getEntity<GrantEntity>(encodeTableKey(grantKey), GRANT_ROW);
      return { state: stateOf(entity), version: entity.etag };
    } catch (error) {
      if (tableStatusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Writes the row: insert when `version` is undefined, else replace if unchanged. The new ETag, or undefined when beaten. */
  async #write(grantKey: string, state: GrantState, version: string | undefined): Promise<string | undefined> {
    const entity = entityOf(grantKey, state);
    try {
      const response =
        version === undefined
          ? await this.#table.createEntity(entity)
          : await this.#table.updateEntity(entity, "Replace", { etag: version });
      if (response.etag === undefined) throw new Error(`Table Storage returned no ETag for grant ${grantKey}`);
      return response.etag;
    } catch (error) {
      const status = tableStatusOf(error);
      if (status === 409 || status === 412 || (status === 404 && version !== undefined)) return undefined;
      throw error;
    }
  }
}

function entityOf(grantKey: string, state: GrantState): GrantEntity {
  return {
    partitionKey: encodeTableKey(grantKey),
    rowKey: GRANT_ROW,
    ...(state.holder !== null ? { Holder: state.holder } : {}),
    LeaseUntil: state.leaseUntilMs,
    ...(state.exchangeStartedAtMs !== null ? { ExchangeStartedAt: state.exchangeStartedAtMs } : {}),
    ...(state.unsavedSinceMs !== null ? { UnsavedSince: state.unsavedSinceMs } : {}),
    SaveAttempts: state.saveAttempts,
    ...(state.lastSaveError !== null ? { LastSaveError: state.lastSaveError } : {}),
    ...(state.tokenHash !== null ? { TokenHash: state.tokenHash } : {}),
    ...(state.rotatedAtMs !== null ? { RotatedAt: state.rotatedAtMs } : {}),
    Rotations: state.rotations,
  };
}

function stateOf(entity: GrantEntity): GrantState {
  return {
    holder: entity.Holder ?? null,
    leaseUntilMs: entity.LeaseUntil ?? 0,
    exchangeStartedAtMs: entity.ExchangeStartedAt ?? null,
    unsavedSinceMs: entity.UnsavedSince ?? null,
    saveAttempts: entity.SaveAttempts ?? 0,
    lastSaveError: entity.LastSaveError ?? null,
    tokenHash: entity.TokenHash ?? null,
    rotatedAtMs: entity.RotatedAt ?? null,
    rotations: entity.Rotations ?? 0,
  };
}

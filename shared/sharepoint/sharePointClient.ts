import type { TokenCredential } from "@azure/identity";
import type { Profile } from "../config/profile";
import type { ColumnDefinition } from "../mapping/columnDefinition";
import type { LookupEntry } from "../mapping/lookupCodec";
import type { SharePointPerson } from "../mapping/sharePointPeople";
import type { RetryPolicyOptions } from "../resilience";
import { type Clock, globalRedactor, type Logger, type SecretRedactor, silentLogger, systemClock } from "../runtime";
import type { SecretsProvider } from "../secrets/secretsProvider";
import type { EndpointAllowlist } from "../settings/endpointAllowlist";
import type { SubscriptionStore } from "../state/subscriptionStore";
import { BatchWriter, type ItemWrite, type ItemWriteOutcome } from "./batchWriter";
import { ColumnCache } from "./columnCache";
import { DeltaReader, type DeltaReadOptions, type DeltaRound } from "./deltaReader";
import { createGraphCredential } from "./graphCredential";
import { createGraphSdkClient } from "./graphSdkClient";
import { GraphTransport } from "./graphTransport";
import { type ItemReadOptions, readItemById, readItemPages } from "./itemReader";
import type { SharePointItem } from "./listItem";
import type { ListRef } from "./listRef";
import { readLookupEntries } from "./lookupEntries";
import { readSitePeople } from "./sitePeople";
import { SubscriptionManager } from "./subscriptionManager";
import type { UserAgentOptions } from "./userAgent";

export interface SharePointClientOptions {
  logger?: Logger;
  clock?: Clock;
  redactor?: SecretRedactor;
  /** Bounds of the shared retry policy for every Graph call of this client. */
  retry?: RetryPolicyOptions;
  /** How long the columns of a list are reused. */
  columnTtlMs?: number;
  userAgent?: UserAgentOptions;
  /** Needed for `subscriptions`; without it that property is undefined. */
  subscriptionStore?: SubscriptionStore;
  /** Share one column cache between clients (e.g. across runs in a warm instance). */
  columnCache?: ColumnCache;
}

/**
 * Everything the sync does with one profile's SharePoint list, over one Graph SDK client:
 * columns (cached), paged item reads, delta rounds, batched writes and webhook subscriptions.
 */
export class SharePointClient {
  readonly list: ListRef;
  readonly transport: GraphTransport;
  readonly #columns: ColumnCache;
  readonly #delta: DeltaReader;
  readonly #writer: BatchWriter;
  /** Present when a subscription store was given. */
  readonly subscriptions: SubscriptionManager | undefined;

  constructor(
    transport: GraphTransport,
    list: ListRef,
    options: Omit<SharePointClientOptions, "retry" | "userAgent" | "redactor"> = {},
  ) {
    this.list = list;
    this.transport = transport;
    const logger = options.logger ?? silentLogger;
    const clock = options.clock ?? systemClock;
    this.#columns =
      options.columnCache ??
      new ColumnCache(transport, {
        clock,
        ...(options.columnTtlMs !== undefined ? { ttlMs: options.columnTtlMs } : {}),
      });
    this.#delta = new DeltaReader(transport, { logger });
    this.#writer = new BatchWriter(transport, { logger, clock });
    this.subscriptions = options.subscriptionStore
      ? new SubscriptionManager(transport, options.subscriptionStore, { clock, logger })
      : undefined;
  }

  /** For a profile: its credential (secrets or managed identity), endpoints (`graphBaseUrl`, `authorityHost`) and list. */
  static async forProfile(
    profile: Pick<Profile, "key" | "sharePoint" | "endpoints">,
    secrets: SecretsProvider,
    options: SharePointClientOptions & { endpoints: EndpointAllowlist },
  ): Promise<SharePointClient> {
    const { endpoints, ...clientOptions } = options;
    const redactor = options.redactor ?? globalRedactor;
    const credential = await createGraphCredential(profile, secrets, { redactor, endpoints });
    return SharePointClient.withCredential(
      credential,
      { siteId: profile.sharePoint.siteId, listId: profile.sharePoint.listId },
      {
        ...clientOptions,
        ...(profile.endpoints.graphBaseUrl ? { graphBaseUrl: profile.endpoints.graphBaseUrl } : {}),
      },
    );
  }

  static withCredential(
    credential: TokenCredential,
    list: ListRef,
    options: SharePointClientOptions & { graphBaseUrl?: string } = {},
  ): SharePointClient {
    const client = createGraphSdkClient({
      credential,
      ...(options.graphBaseUrl ? { graphBaseUrl: options.graphBaseUrl } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    });
    const transport = new GraphTransport(client, {
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      redactor: options.redactor ?? globalRedactor,
    });
    return new SharePointClient(transport, list, options);
  }

  /** The list's columnDefinitions, from the cache when fresh. */
  columns(): Promise<ColumnDefinition[]> {
    return this.#columns.get(this.list);
  }

  /** Every item, page by page. */
  readItems(options: ItemReadOptions = {}): AsyncGenerator<SharePointItem[]> {
    return readItemPages(this.transport, this.list, options);
  }

  /** One item by id; `undefined` when it does not exist (deleted). */
  readItem(itemId: string, options: Pick<ItemReadOptions, "select"> = {}): Promise<SharePointItem | undefined> {
    return readItemById(this.transport, this.list, itemId, options);
  }

  /** The site's people and groups (its User Information List), for person columns. */
  sitePeople(): Promise<SharePointPerson[]> {
    return readSitePeople(this.transport, this.list.siteId);
  }

  /** The entries of the list a lookup column of this list points at (same site), for lookup columns. */
  lookupEntries(lookup: { listId: string; columnName: string }): Promise<LookupEntry[]> {
    return readLookupEntries(this.transport, { siteId: this.list.siteId, ...lookup });
  }

  /** HTTP requests this client has sent to Graph so far (see `GraphTransport.requestCount`). */
  get requestCount(): number {
    return this.transport.requestCount;
  }

  /** Opens a delta round from the stored deltaLink (or a full enumeration without one, or after a 410). */
  openDelta(deltaLink: string | undefined, options: DeltaReadOptions = {}): Promise<DeltaRound> {
    return this.#delta.open(this.list, deltaLink, options);
  }

  /** Applies writes through `$batch` (≤ 20 per call); one outcome per write, in order. */
  applyWrites(writes: readonly ItemWrite[]): Promise<ItemWriteOutcome[]> {
    return this.#writer.apply(this.list, writes);
  }
}

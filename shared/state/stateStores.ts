import { ConflictStore, SYNC_CONFLICTS_TABLE } from "./conflictStore";
import { CONFLUENCE_CONSENTS_TABLE, ConsentStateStore } from "./consentStateStore";
import { ItemStateStore, SYNC_ITEM_STATE_TABLE } from "./itemStateStore";
import { PageLinkStore, SYNC_PAGE_LINKS_TABLE } from "./pageLinkStore";
import { RunRecordStore, SYNC_RUNS_TABLE } from "./runRecordStore";
import { RunStagingStore, SYNC_RUN_STAGING_TABLE } from "./runStagingStore";
import { DEFAULT_SUBSCRIPTIONS_TABLE, SubscriptionStore } from "./subscriptionStore";
import { SYNC_CURSORS_TABLE, SyncCursorStore } from "./syncCursorStore";
import type { TableStorageLocation } from "./tableClientFactory";
import { CONFLUENCE_GRANTS_TABLE, TableGrantLedger } from "./tableGrantLedger";
import { TOKEN_REFRESH_HISTORY_TABLE, TokenRefreshHistory } from "./tokenRefreshHistory";

/** Every state table of the app (Functions app, CLI, engine): one instance of each store, opened once. */
export interface StateStores {
  readonly subscriptions: SubscriptionStore;
  readonly runs: RunRecordStore;
  readonly conflicts: ConflictStore;
  readonly tokenRefreshes: TokenRefreshHistory;
  /** The Confluence grants' leases and refresh progress, shared by every process (the token manager's). */
  readonly confluenceGrants: TableGrantLedger;
  /** The merge base of every item pair (the engine's). */
  readonly items: ItemStateStore;
  /** The delta link per profile (the engine's). */
  readonly cursors: SyncCursorStore;
  /** What one activity of a run stages for the next (the engine's). */
  readonly staging: RunStagingStore;
  /** Pages mode: which page belongs to which item, page versions seen, pending items (docs/pages-mode.md §3). */
  readonly pageLinks: PageLinkStore;
  /** The single-use `state` of each Confluence consent started in the Function App. */
  readonly consents: ConsentStateStore;
}

export interface StateStoresOptions {
  /**
   * Put in front of every table name (tests give each run its own tables in a shared Azurite). Letters and digits
   * only, like table names themselves.
   */
  tablePrefix?: string;
}

/** Opens (and creates, when missing) the state tables in `location`. */
export async function openStateStores(
  location: TableStorageLocation,
  options: StateStoresOptions = {},
): Promise<StateStores> {
  const prefix = options.tablePrefix ?? "";
  if (!/^[A-Za-z0-9]*$/.test(prefix))
    throw new RangeError(`a table prefix holds letters and digits only, not "${prefix}"`);
  const [
    subscriptions,
    runs,
    conflicts,
    tokenRefreshes,
    items,
    cursors,
    staging,
    confluenceGrants,
    pageLinks,
    consents,
  ] = await Promise.all([
    SubscriptionStore.open(location, `${prefix}${DEFAULT_SUBSCRIPTIONS_TABLE}`),
    RunRecordStore.open(location, `${prefix}${SYNC_RUNS_TABLE}`),
    ConflictStore.open(location, `${prefix}${SYNC_CONFLICTS_TABLE}`),
    TokenRefreshHistory.open(location, `${prefix}${TOKEN_REFRESH_HISTORY_TABLE}`),
    ItemStateStore.open(location, `${prefix}${SYNC_ITEM_STATE_TABLE}`),
    SyncCursorStore.open(location, `${prefix}${SYNC_CURSORS_TABLE}`),
    RunStagingStore.open(location, `${prefix}${SYNC_RUN_STAGING_TABLE}`),
    TableGrantLedger.open(location, `${prefix}${CONFLUENCE_GRANTS_TABLE}`),
    PageLinkStore.open(location, `${prefix}${SYNC_PAGE_LINKS_TABLE}`),
    ConsentStateStore.open(location, `${prefix}${CONFLUENCE_CONSENTS_TABLE}`),
  ]);
  return {
    subscriptions,
    runs,
    conflicts,
    tokenRefreshes,
    items,
    cursors,
    staging,
    confluenceGrants,
    pageLinks,
    consents,
  };
}

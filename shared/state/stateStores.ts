import { ConflictStore, SYNC_CONFLICTS_TABLE } from "./conflictStore";
import { RunRecordStore, SYNC_RUNS_TABLE } from "./runRecordStore";
import { DEFAULT_SUBSCRIPTIONS_TABLE, SubscriptionStore } from "./subscriptionStore";
import type { TableStorageLocation } from "./tableClientFactory";
import { TOKEN_REFRESH_HISTORY_TABLE, TokenRefreshHistory } from "./tokenRefreshHistory";

/** The state tables the Functions app and the CLI read besides the engine's own: one instance of each store. */
export interface StateStores {
  readonly subscriptions: SubscriptionStore;
  readonly runs: RunRecordStore;
  readonly conflicts: ConflictStore;
  readonly tokenRefreshes: TokenRefreshHistory;
}

export interface StateStoresOptions {
  /**
   * Put in front of every table name (tests give each run its own tables in a shared Azurite). Letters and digits
   * only, like table names themselves.
   */
  tablePrefix?: string;
}

/** Opens (and creates, when missing) the state tables in `location`. */
export async function openStateStores(location: TableStorageLocation, options: StateStoresOptions = {}): Promise<StateStores> {
  const prefix = options.tablePrefix ?? "";
  if (!/^[A-Za-z0-9]*$/.test(prefix)) throw new RangeError(`a table prefix holds letters and digits only, not "${prefix}"`);
  const [subscriptions, runs, conflicts, tokenRefreshes] = await Promise.all([
    SubscriptionStore.open(location, `${prefix}${DEFAULT_SUBSCRIPTIONS_TABLE}`),
    RunRecordStore.open(location, `${prefix}${SYNC_RUNS_TABLE}`),
    ConflictStore.open(location, `${prefix}${SYNC_CONFLICTS_TABLE}`),
    TokenRefreshHistory.open(location, `${prefix}${TOKEN_REFRESH_HISTORY_TABLE}`),
  ]);
  return { subscriptions, runs, conflicts, tokenRefreshes };
}

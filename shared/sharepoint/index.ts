export { applicationRoles, graphApplicationRoles } from "./applicationRoles";
export { BatchWriter, type ItemWrite, type ItemWriteOutcome, MAX_BATCH_SIZE } from "./batchWriter";
export {
  type ChangeNotification,
  changeNotificationCollectionSchema,
  changeNotificationSchema,
  hasExpectedClientState,
} from "./changeNotification";
export { ColumnCache, DEFAULT_COLUMN_TTL_MS } from "./columnCache";
export { type DeltaMode, type DeltaPage, DeltaReader, type DeltaReadOptions, type DeltaRound } from "./deltaReader";
export { createGraphCredential } from "./graphCredential";
export { GraphError, type GraphErrorCode, GraphErrorCodes, type GraphErrorDetails } from "./graphError";
export { createGraphSdkClient, DEFAULT_GRAPH_BASE_URL, type GraphSdkClientOptions } from "./graphSdkClient";
export { GraphTransport, type GraphTransportOptions } from "./graphTransport";
export { type ItemReadOptions, readItemById, readItemPages } from "./itemReader";
export type { IdentitySet, SharePointItem } from "./listItem";
export { type ListRef, listPath } from "./listRef";
export { readLookupEntries } from "./lookupEntries";
export { SharePointClient, type SharePointClientOptions } from "./sharePointClient";
export { readSitePeople, USER_INFORMATION_LIST } from "./sitePeople";
export {
  MAX_LIST_SUBSCRIPTION_MINUTES,
  type RenewOutcome,
  type SubscribeRequest,
  SubscriptionManager,
} from "./subscriptionManager";
export { graphUserAgent, type UserAgentOptions } from "./userAgent";

import type { SecretsProvider } from "../secrets/secretsProvider";
import type { EndpointAllowlist } from "../settings/endpointAllowlist";
import { SharePointClient, type SharePointClientOptions } from "../sharepoint/sharePointClient";
import type { SubscriptionStore } from "../state/subscriptionStore";
import type { SubscriptionManagerFactory } from "./subscriptionKeeper";

/**
 * SubscriptionManagers over each profile's own SharePoint connection (its credentials from the SecretsProvider, its
 * endpoint overrides), all writing to one SubscriptionStore.
 */
export function sharePointSubscriptionManagers(
  secrets: SecretsProvider,
  store: SubscriptionStore,
  clientOptions: Omit<SharePointClientOptions, "subscriptionStore"> & { endpoints: EndpointAllowlist },
): SubscriptionManagerFactory {
  return async (profile) => {
    const client = await SharePointClient.forProfile(profile, secrets, { ...clientOptions, subscriptionStore: store });
    // Always present: the client was given a subscription store.
    return client.subscriptions!;
  };
}

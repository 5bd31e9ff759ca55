import { mapBounded } from "../runtime";
import {
  type ChangeNotification,
  changeNotificationCollectionSchema,
  hasExpectedClientState,
} from "../sharepoint/changeNotification";
import type { SubscriptionRecord, SubscriptionStore } from "../state/subscriptionStore";

/**
 * Bounds of what the anonymous webhook reads and acts on (docs/http-api.md#post-apiwebhookssharepoint). Graph batches
 * notifications but documents no maximum; a list notification is about 500 bytes and carries no item data, so these
 * leave room for any real delivery while a forged one cannot make the app read storage thousands of times.
 */
export const MAX_NOTIFICATION_BODY_BYTES = 256 * 1024;
/** Notifications in one request. */
export const MAX_NOTIFICATIONS_PER_REQUEST = 500;
/** Distinct subscriptions one request may name: each costs one storage read. */
export const MAX_SUBSCRIPTIONS_PER_REQUEST = 100;
/** Storage reads of subscriptions at once. */
const LOOKUP_CONCURRENCY = 4;

/** Graph's subscription ids are GUIDs; anything else is not from Graph and is never looked up. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ParsedNotifications = { ok: true; notifications: ChangeNotification[] } | { ok: false; message: string };

/**
 * Parses a POSTed `{"value": [changeNotification…]}`, checking the shape we depend on and the bounds above: more
 * notifications or subscriptions than Graph sends, or a subscription id that is not a GUID, refuse the request.
 */
export function parseNotificationCollection(body: string): ParsedNotifications {
  if (Buffer.byteLength(body, "utf8") > MAX_NOTIFICATION_BODY_BYTES)
    return { ok: false, message: `the body is longer than ${MAX_NOTIFICATION_BODY_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, message: "the body is not JSON" };
  }
  const parsed = changeNotificationCollectionSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      message: `the body is not a change notification collection (${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"})`,
    };
  }
  const notifications = parsed.data.value;
  if (notifications.length > MAX_NOTIFICATIONS_PER_REQUEST)
    return {
      ok: false,
      message: `${notifications.length} notifications in one request; Graph sends at most ${MAX_NOTIFICATIONS_PER_REQUEST}`,
    };
  const invalid = notifications.findIndex((notification) => !GUID.test(notification.subscriptionId));
  if (invalid !== -1)
    return { ok: false, message: `value.${invalid}.subscriptionId: not a subscription id (Graph's are GUIDs)` };
  const distinct = new Set(notifications.map((notification) => notification.subscriptionId.toLowerCase())).size;
  if (distinct > MAX_SUBSCRIPTIONS_PER_REQUEST)
    return {
      ok: false,
      message: `${distinct} subscriptions in one request; at most ${MAX_SUBSCRIPTIONS_PER_REQUEST} are looked up`,
    };
  return { ok: true, notifications };
}

export type RoutedNotification =
  /** Something changed in the profile's list. */
  | { kind: "change"; subscriptionId: string; profileKey: string }
  /** A lifecycle event (`reauthorizationRequired`, …) about one of our subscriptions. */
  | { kind: "lifecycle"; lifecycleEvent: string; subscription: SubscriptionRecord }
  /**
   * Not ours, or not provably from Graph: no side effect. `unknownSubscription` — we hold no such subscription
   * (forged, or one we deleted that Graph still delivers); `clientStateMismatch` — the shared secret is wrong.
   */
  | { kind: "ignored"; subscriptionId: string; reason: "unknownSubscription" | "clientStateMismatch" };

/**
 * Maps each notification to its profile through the stored subscription, and keeps only those whose `clientState`
 * matches the subscription's (compared in constant time). Each distinct subscription is read once, a few at a time.
 */
export async function routeNotifications(
  notifications: readonly ChangeNotification[],
  subscriptions: Pick<SubscriptionStore, "get">,
): Promise<RoutedNotification[]> {
  const ids = [...new Set(notifications.map((notification) => notification.subscriptionId))];
  const found = await mapBounded(ids, LOOKUP_CONCURRENCY, (id) => subscriptions.get(id));
  const records = new Map<string, SubscriptionRecord | undefined>(ids.map((id, index) => [id, found[index]]));
  return notifications.map((notification): RoutedNotification => {
    const { subscriptionId } = notification;
    const record = records.get(subscriptionId);
    if (!record) return { kind: "ignored", subscriptionId, reason: "unknownSubscription" };
    if (!hasExpectedClientState(notification, record.clientState))
      return { kind: "ignored", subscriptionId, reason: "clientStateMismatch" };
    if (notification.lifecycleEvent)
      return { kind: "lifecycle", lifecycleEvent: notification.lifecycleEvent, subscription: record };
    return { kind: "change", subscriptionId, profileKey: record.profileKey };
  });
}

import {
  type ChangeNotification,
  changeNotificationCollectionSchema,
  hasExpectedClientState,
} from "../sharepoint/changeNotification";
import type { SubscriptionRecord, SubscriptionStore } from "../state/subscriptionStore";

/** Largest notification body accepted (Graph batches notifications, but a batch of list notifications is small). */
export const MAX_NOTIFICATION_BODY_CHARS = 1_000_000;

export type ParsedNotifications = { ok: true; notifications: ChangeNotification[] } | { ok: false; message: string };

/** Parses a POSTed `{"value": [changeNotification…]}`, checking the shape we depend on. */
export function parseNotificationCollection(body: string): ParsedNotifications {
  if (body.length > MAX_NOTIFICATION_BODY_CHARS)
    return { ok: false, message: `the body is longer than ${MAX_NOTIFICATION_BODY_CHARS} characters` };
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
  return { ok: true, notifications: parsed.data.value };
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
 * matches the subscription's (compared in constant time). Each distinct subscription is read once.
 */
export async function routeNotifications(
  notifications: readonly ChangeNotification[],
  subscriptions: Pick<SubscriptionStore, "get">,
): Promise<RoutedNotification[]> {
  const records = new Map<string, Promise<SubscriptionRecord | undefined>>();
  const lookup = (id: string) => {
    let record = records.get(id);
    if (!record) {
      record = subscriptions.get(id);
      records.set(id, record);
    }
    return record;
  };
  return Promise.all(
    notifications.map(async (notification): Promise<RoutedNotification> => {
      const { subscriptionId } = notification;
      const record = await lookup(subscriptionId);
      if (!record) return { kind: "ignored", subscriptionId, reason: "unknownSubscription" };
      if (!hasExpectedClientState(notification, record.clientState))
        return { kind: "ignored", subscriptionId, reason: "clientStateMismatch" };
      if (notification.lifecycleEvent)
        return { kind: "lifecycle", lifecycleEvent: notification.lifecycleEvent, subscription: record };
      return { kind: "change", subscriptionId, profileKey: record.profileKey };
    }),
  );
}

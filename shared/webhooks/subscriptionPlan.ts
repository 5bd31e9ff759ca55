import type { SubscriptionRecord } from "../state/subscriptionStore";

/** Renew a subscription once less than this is left of it: 48 hours of the 42,300-minute (~29 day) maximum. */
export const DEFAULT_RENEW_BEFORE_MS = 48 * 60 * 60_000;

/** What the plan needs to know of a profile. */
export interface ProfileForSubscriptions {
  key: string;
  enabled: boolean;
  /** The profile passes the schema and has every secret it needs: only then can we call Graph for it. */
  valid: boolean;
}

export interface SubscriptionPolicy {
  /** Where Graph must deliver (WEBHOOK_NOTIFICATION_URL); subscriptions elsewhere belong to an old deployment. */
  notificationUrl: string;
  renewBeforeMs?: number;
}

export type SubscriptionAction =
  /** Enough time left; confirm Graph still has it, and create a new one if not. */
  | { kind: "keep"; profileKey: string; subscriptionId: string; expirationDateTime: string }
  /** Extend it; if Graph no longer has it, create a new one. */
  | { kind: "renew"; profileKey: string; subscriptionId: string; expirationDateTime: string }
  | { kind: "create"; profileKey: string; reason: "missing" | "expired" | "notificationUrlChanged" }
  /** Delete it in Graph and in the store. */
  | {
      kind: "delete";
      profileKey: string;
      subscriptionId: string;
      reason: "profileDisabled" | "duplicate" | "notificationUrlChanged";
    }
  /**
   * Drop only our record: Graph has already deleted an expired subscription, and for a deleted profile we have no
   * credentials to call Graph with (its subscription simply expires; its notifications are ignored meanwhile).
   */
  | { kind: "forget"; profileKey: string; subscriptionId: string; reason: "expired" | "profileDeleted" }
  /** Nothing can be done without the profile's credentials; existing subscriptions are left as they are. */
  | { kind: "skip"; profileKey: string; reason: "profileInvalid" };

/**
 * The actions that leave every enabled, valid profile with exactly one live subscription to `notificationUrl` that
 * has at least `renewBeforeMs` left, and no subscription for anything else. Pure: `now` in epoch milliseconds.
 * Ordered by profile key; per profile, removals come before the renewal or creation.
 */
export function planSubscriptions(
  profiles: readonly ProfileForSubscriptions[],
  subscriptions: readonly SubscriptionRecord[],
  now: number,
  policy: SubscriptionPolicy,
): SubscriptionAction[] {
  const renewBeforeMs = policy.renewBeforeMs ?? DEFAULT_RENEW_BEFORE_MS;
  const byProfile = new Map<string, SubscriptionRecord[]>();
  for (const record of subscriptions)
    byProfile.set(record.profileKey, [...(byProfile.get(record.profileKey) ?? []), record]);
  const profileByKey = new Map(profiles.map((profile) => [profile.key, profile]));
  const keys = [...new Set([...profileByKey.keys(), ...byProfile.keys()])].sort();

  const actions: SubscriptionAction[] = [];
  for (const profileKey of keys) {
    const profile = profileByKey.get(profileKey);
    const records = byProfile.get(profileKey) ?? [];
    if (!profile) {
      for (const record of records)
        actions.push({ kind: "forget", profileKey, subscriptionId: record.subscriptionId, reason: "profileDeleted" });
      continue;
    }
    if (!profile.valid) {
      if (profile.enabled || records.length > 0) actions.push({ kind: "skip", profileKey, reason: "profileInvalid" });
      continue;
    }
    const expired = records.filter((record) => expiry(record) <= now);
    const live = records.filter((record) => expiry(record) > now);
    for (const record of expired)
      actions.push({ kind: "forget", profileKey, subscriptionId: record.subscriptionId, reason: "expired" });
    if (!profile.enabled) {
      for (const record of live)
        actions.push({ kind: "delete", profileKey, subscriptionId: record.subscriptionId, reason: "profileDisabled" });
      continue;
    }
    const moved = live.filter((record) => record.notificationUrl !== policy.notificationUrl);
    for (const record of moved)
      actions.push({
        kind: "delete",
        profileKey,
        subscriptionId: record.subscriptionId,
        reason: "notificationUrlChanged",
      });
    // Keep the longest-lived one; any other is a leftover (e.g. a creation whose answer was lost and was retried).
    const [primary, ...duplicates] = live
      .filter((record) => record.notificationUrl === policy.notificationUrl)
      .sort((a, b) => expiry(b) - expiry(a));
    for (const record of duplicates)
      actions.push({ kind: "delete", profileKey, subscriptionId: record.subscriptionId, reason: "duplicate" });
    if (!primary) {
      const reason = moved.length > 0 ? "notificationUrlChanged" : expired.length > 0 ? "expired" : "missing";
      actions.push({ kind: "create", profileKey, reason });
    } else {
      const { subscriptionId, expirationDateTime } = primary;
      actions.push({
        kind: expiry(primary) - now < renewBeforeMs ? "renew" : "keep",
        profileKey,
        subscriptionId,
        expirationDateTime,
      });
    }
  }
  return actions;
}

function expiry(record: SubscriptionRecord): number {
  const ms = Date.parse(record.expirationDateTime);
  // An unreadable expiry is treated as already expired: renewing or recreating is always safe.
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

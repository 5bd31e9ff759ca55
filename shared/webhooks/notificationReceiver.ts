import { ProfileInvalid } from "../config/profileInvalid";
import { ProfileNotFound } from "../config/profileNotFound";
import type { ProfileStore } from "../config/profileStore";
import { isAppError } from "../errors";
import { asRetryableFailure } from "../resilience";
import { globalRedactor, type Logger } from "../runtime";
import type { ChangeNotification } from "../sharepoint/changeNotification";
import type { SubscriptionStore } from "../state/subscriptionStore";
import { type CoalescedStart, type SyncStarter, startOrCoalesce } from "../syncStart/syncStarter";
import { type RoutedNotification, routeNotifications } from "./notificationRouting";
import type { SubscriptionKeeper, SubscriptionResult } from "./subscriptionKeeper";

export interface NotificationReceiverDependencies {
  subscriptions: Pick<SubscriptionStore, "get">;
  /** Only enabled, stored profiles are synced from a notification. */
  profiles: Pick<ProfileStore, "get">;
  starter: SyncStarter;
  /** Renews subscriptions on lifecycle events; built on demand because it needs profile credentials. */
  keeper: () => Promise<Pick<SubscriptionKeeper, "reauthorize">>;
  logger: Logger;
  /**
   * How long lifecycle work may hold the response, in milliseconds. Graph wants an answer within 3 s; renewal
   * that takes longer finishes after the answer, and the hourly renewal timer covers it if it cannot.
   */
  lifecycleBudgetMs?: number;
}

export interface NotificationReceipt {
  syncs: Array<{ profileKey: string } & CoalescedStart>;
  lifecycle: SubscriptionResult[];
  ignored: Array<{ subscriptionId: string; reason: string }>;
  /** Work that could not be done; `retryable` ones are worth Graph delivering the notification again. */
  failures: Array<{ profileKey: string; code: string; message: string; retryable: boolean }>;
}

const DEFAULT_LIFECYCLE_BUDGET_MS = 2_000;

/**
 * Acts on verified notifications: one start-or-coalesce per changed profile (however many notifications it got),
 * a renewal per `reauthorizationRequired` / `subscriptionRemoved`, a sync per `missed`. Notifications that are not
 * ours or fail the clientState check are ignored. The request is logged once, as a summary (subscription ids and
 * reasons only, never a clientState): a forged request must not cost a log line per notification.
 */
export async function receiveNotifications(
  notifications: readonly ChangeNotification[],
  deps: NotificationReceiverDependencies,
): Promise<NotificationReceipt> {
  const receipt: NotificationReceipt = { syncs: [], lifecycle: [], ignored: [], failures: [] };
  const unhandled: string[] = [];
  try {
    await receive(notifications, deps, receipt, unhandled);
  } finally {
    logSummary(notifications, receipt, unhandled, deps.logger);
  }
  return receipt;
}

async function receive(
  notifications: readonly ChangeNotification[],
  deps: NotificationReceiverDependencies,
  receipt: NotificationReceipt,
  unhandled: string[],
): Promise<void> {
  const routed = await routeNotifications(notifications, deps.subscriptions);
  for (const entry of routed) {
    if (entry.kind !== "ignored") continue;
    receipt.ignored.push({ subscriptionId: entry.subscriptionId, reason: entry.reason });
  }

  const lifecycle = routed.filter(
    (entry): entry is Extract<RoutedNotification, { kind: "lifecycle" }> => entry.kind === "lifecycle",
  );
  const toSync = new Set(routed.flatMap((entry) => (entry.kind === "change" ? [entry.profileKey] : [])));
  for (const entry of lifecycle) if (entry.lifecycleEvent === "missed") toSync.add(entry.subscription.profileKey);

  // Starts first: they are what Graph is waiting for, and each takes a few storage round trips.
  await Promise.all(
    [...toSync].sort().map(async (profileKey) => {
      try {
        const skip = await whyNotSync(deps.profiles, profileKey);
        if (skip) {
          receipt.ignored.push({ subscriptionId: subscriptionOf(routed, profileKey), reason: skip });
          return;
        }
        const outcome = await startOrCoalesce(deps.starter, profileKey, "webhook");
        receipt.syncs.push({ profileKey, ...outcome });
      } catch (error) {
        receipt.failures.push(failure(profileKey, error));
      }
    }),
  );

  const renewals = uniqueBySubscription(
    lifecycle.filter(
      (entry) => entry.lifecycleEvent === "reauthorizationRequired" || entry.lifecycleEvent === "subscriptionRemoved",
    ),
  );
  for (const entry of lifecycle) {
    if (!["reauthorizationRequired", "subscriptionRemoved", "missed"].includes(entry.lifecycleEvent))
      unhandled.push(entry.lifecycleEvent.slice(0, 64));
  }
  if (renewals.length > 0) await renewWithinBudget(renewals, receipt, deps);
}

/** The one log line of a request: what it held and what was done, at the level of the worst of it. */
function logSummary(
  notifications: readonly ChangeNotification[],
  receipt: NotificationReceipt,
  unhandledLifecycle: readonly string[],
  logger: Logger,
): void {
  const ignored: Record<string, number> = {};
  for (const entry of receipt.ignored) ignored[entry.reason] = (ignored[entry.reason] ?? 0) + 1;
  const fields = {
    notifications: notifications.length,
    subscriptions: new Set(notifications.map((notification) => notification.subscriptionId)).size,
    syncs: receipt.syncs,
    ...(receipt.lifecycle.length > 0 ? { lifecycle: receipt.lifecycle } : {}),
    ...(receipt.ignored.length > 0
      ? {
          ignored,
          ignoredSubscriptions: [...new Set(receipt.ignored.map((entry) => entry.subscriptionId))].slice(0, 5),
        }
      : {}),
    ...(unhandledLifecycle.length > 0 ? { unhandledLifecycle: [...new Set(unhandledLifecycle)].slice(0, 5) } : {}),
    ...(receipt.failures.length > 0 ? { failures: receipt.failures } : {}),
  };
  if (receipt.failures.length > 0) logger.error("change notifications received", fields);
  else if (receipt.ignored.length > 0 || unhandledLifecycle.length > 0)
    logger.warn("change notifications received", fields);
  else logger.info("change notifications received", fields);
}

async function renewWithinBudget(
  renewals: Array<Extract<RoutedNotification, { kind: "lifecycle" }>>,
  receipt: NotificationReceipt,
  deps: NotificationReceiverDependencies,
): Promise<void> {
  const work = (async () => {
    const keeper = await deps.keeper();
    for (const entry of renewals) {
      const result = await keeper.reauthorize(entry.subscription);
      receipt.lifecycle.push(result);
      if (result.problem) receipt.failures.push({ profileKey: result.profileKey, ...result.problem, retryable: false });
    }
  })().catch((error: unknown) => {
    deps.logger.error("lifecycle notification: renewal failed", {
      ...failure(renewals[0]!.subscription.profileKey, error),
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), deps.lifecycleBudgetMs ?? DEFAULT_LIFECYCLE_BUDGET_MS);
  });
  const finished = await Promise.race([work.then(() => "done" as const), budget]);
  clearTimeout(timer);
  if (finished === "late")
    deps.logger.warn("lifecycle renewal is taking long; answering Graph now and finishing in the background", {
      subscriptions: renewals.length,
    });
}

/**
 * A deleted or disabled profile's subscription may still deliver until renewal removes it; such notifications are
 * not a reason to sync. A stored profile that no longer passes the schema is not synced either: its run could only
 * report what `GET /api/profiles/{key}` already shows.
 */
async function whyNotSync(profiles: Pick<ProfileStore, "get">, profileKey: string): Promise<string | undefined> {
  try {
    return (await profiles.get(profileKey)).profile.enabled ? undefined : "profileDisabled";
  } catch (error) {
    if (error instanceof ProfileNotFound) return "profileDeleted";
    if (error instanceof ProfileInvalid) return "profileInvalid";
    throw error;
  }
}

function subscriptionOf(routed: RoutedNotification[], profileKey: string): string {
  for (const entry of routed) {
    if (entry.kind === "change" && entry.profileKey === profileKey) return entry.subscriptionId;
    if (entry.kind === "lifecycle" && entry.subscription.profileKey === profileKey)
      return entry.subscription.subscriptionId;
  }
  return "";
}

function uniqueBySubscription<T extends { subscription: { subscriptionId: string } }>(entries: T[]): T[] {
  const seen = new Map<string, T>();
  for (const entry of entries)
    if (!seen.has(entry.subscription.subscriptionId)) seen.set(entry.subscription.subscriptionId, entry);
  return [...seen.values()];
}

function failure(profileKey: string, error: unknown): NotificationReceipt["failures"][number] {
  return {
    profileKey,
    code: isAppError(error) ? error.code : "WEBHOOK_PROCESSING_FAILED",
    message: globalRedactor.redact(error instanceof Error ? error.message : String(error)),
    // Unknown failures (storage hiccups included) are worth a redelivery; Graph gives up after 4 hours anyway.
    retryable: asRetryableFailure(error)?.transient ?? true,
  };
}

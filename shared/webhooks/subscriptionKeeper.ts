import type { Profile } from "../config/profile";
import { ProfileNotFound } from "../config/profileNotFound";
import type { ProfileStore } from "../config/profileStore";
import type { ProfileValidator } from "../config/profileValidator";
import { isAppError } from "../errors";
import { type Clock, globalRedactor, type Logger, silentLogger, systemClock } from "../runtime";
import type { SubscriptionManager } from "../sharepoint/subscriptionManager";
import type { SubscriptionRecord, SubscriptionStore } from "../state/subscriptionStore";
import { type ProfileForSubscriptions, planSubscriptions, type SubscriptionAction } from "./subscriptionPlan";

/** The SubscriptionManager for one profile: its own Graph credentials and endpoints, the shared store. */
export type SubscriptionManagerFactory = (profile: Profile) => Promise<SubscriptionManager>;

export type SubscriptionOutcome =
  | "kept"
  | "renewed"
  | "recreated"
  | "created"
  | "deleted"
  | "forgotten"
  | "skipped"
  | "failed";

/** What was done for one profile (and subscription). Never carries the clientState. */
export interface SubscriptionResult {
  profileKey: string;
  outcome: SubscriptionOutcome;
  /** The action's reason (`missing`, `duplicate`, `profileInvalid`, …), when it had one. */
  reason?: string;
  /** The subscription acted on, or the one that now exists. */
  subscriptionId?: string;
  /** The subscription a renewal replaced (its clientState retired with it). */
  previousSubscriptionId?: string;
  expirationDateTime?: string;
  problem?: { code: string; message: string };
}

export interface SubscriptionMaintenanceReport {
  /** Null when WEBHOOK_NOTIFICATION_URL is not set: then nothing is done. */
  notificationUrl: string | null;
  results: SubscriptionResult[];
}

export interface SubscriptionKeeperOptions {
  profiles: ProfileStore;
  validator: ProfileValidator;
  store: SubscriptionStore;
  managerFor: SubscriptionManagerFactory;
  /** WEBHOOK_NOTIFICATION_URL; used as the lifecycle notification URL too (one endpoint handles both). */
  notificationUrl: string | undefined;
  renewBeforeMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/**
 * Keeps every enabled profile subscribed to its list's change notifications: the renewal timer calls `maintain`,
 * the webhook calls `reauthorize` for a `reauthorizationRequired` lifecycle event. Planning is pure
 * (`planSubscriptions`); this applies the plan through each profile's SubscriptionManager, one profile's failure
 * never stopping the others.
 *
 * A renewal replaces the subscription: a new one with a new clientState, then the old one is deleted. A captured
 * notification can then be replayed only until the next renewal, not for the subscription's whole life
 * (docs/security.md#webhook-notifications). Graph documents updating a subscription's expiry and notification URL, not
 * its clientState, so a PATCH cannot rotate it; when the replacement cannot be created, the old subscription is
 * extended instead, so notifications keep coming, and the result says the clientState was not rotated.
 */
export class SubscriptionKeeper {
  readonly #options: SubscriptionKeeperOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(options: SubscriptionKeeperOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
  }

  async maintain(): Promise<SubscriptionMaintenanceReport> {
    const { notificationUrl } = this.#options;
    if (!notificationUrl) {
      this.#logger.warn(
        "WEBHOOK_NOTIFICATION_URL is not set: no change-notification subscriptions are kept (scheduled syncs still run)",
      );
      return { notificationUrl: null, results: [] };
    }
    const entries = await this.#options.profiles.list();
    const profiles = new Map<string, Profile>();
    const summaries: ProfileForSubscriptions[] = [];
    for (const entry of entries) {
      if (!entry.valid) {
        summaries.push({ key: entry.key, enabled: true, valid: false });
        continue;
      }
      profiles.set(entry.key, entry.profile);
      const validation = await this.#options.validator.validate(entry.profile);
      summaries.push({ key: entry.key, enabled: entry.profile.enabled, valid: validation.valid });
    }
    const actions = planSubscriptions(summaries, await this.#options.store.list(), this.#clock.now(), {
      notificationUrl,
      ...(this.#options.renewBeforeMs !== undefined ? { renewBeforeMs: this.#options.renewBeforeMs } : {}),
    });
    const results: SubscriptionResult[] = [];
    for (const action of actions)
      results.push(await this.#apply(action, profiles.get(action.profileKey), notificationUrl));
    const changed = results.filter((r) => r.outcome !== "kept");
    this.#logger.info("subscriptions maintained", {
      kept: results.length - changed.length,
      changed: changed.map(describe),
    });
    return { notificationUrl, results };
  }

  /**
   * Answers `reauthorizationRequired`: renews the subscription now (which reauthorizes it), creating a new one when
   * Graph no longer has it. A subscription of a deleted or disabled profile is removed instead.
   */
  async reauthorize(subscription: SubscriptionRecord): Promise<SubscriptionResult> {
    const { profileKey, subscriptionId, expirationDateTime } = subscription;
    let profile: Profile;
    try {
      profile = (await this.#options.profiles.get(profileKey)).profile;
    } catch (error) {
      if (error instanceof ProfileNotFound)
        return this.#apply({ kind: "forget", profileKey, subscriptionId, reason: "profileDeleted" }, undefined, "");
      return failed({ profileKey, subscriptionId }, error);
    }
    const notificationUrl = this.#options.notificationUrl ?? subscription.notificationUrl;
    if (!profile.enabled)
      return this.#apply(
        { kind: "delete", profileKey, subscriptionId, reason: "profileDisabled" },
        profile,
        notificationUrl,
      );
    return this.#apply({ kind: "renew", profileKey, subscriptionId, expirationDateTime }, profile, notificationUrl);
  }

  async #apply(
    action: SubscriptionAction,
    profile: Profile | undefined,
    notificationUrl: string,
  ): Promise<SubscriptionResult> {
    const base = { profileKey: action.profileKey, ...("reason" in action ? { reason: action.reason } : {}) };
    try {
      switch (action.kind) {
        case "keep": {
          // Plenty of time left by our record, but Graph may have lost it (deleted by an admin, a tenant-wide reset).
          const manager = await this.#manager(profile, action);
          if (await manager.exists(action.subscriptionId)) {
            return {
              ...base,
              outcome: "kept",
              subscriptionId: action.subscriptionId,
              expirationDateTime: action.expirationDateTime,
            };
          }
          await this.#options.store.delete(action.subscriptionId);
          const created = await this.#create(manager, profile!, notificationUrl);
          return {
            ...base,
            outcome: "recreated",
            reason: "goneFromGraph",
            subscriptionId: created.subscriptionId,
            expirationDateTime: created.expirationDateTime,
          };
        }
        case "skip":
          return { ...base, outcome: "skipped" };
        case "forget":
          await this.#options.store.delete(action.subscriptionId);
          return { ...base, outcome: "forgotten", subscriptionId: action.subscriptionId };
        case "delete":
          await (await this.#manager(profile, action)).delete(action.subscriptionId);
          return { ...base, outcome: "deleted", subscriptionId: action.subscriptionId };
        case "renew": {
          const manager = await this.#manager(profile, action);
          let replacement: SubscriptionRecord;
          try {
            replacement = await this.#create(manager, profile!, notificationUrl);
          } catch (error) {
            return this.#extendUnrotated(manager, action.subscriptionId, base, error, profile!, notificationUrl);
          }
          await this.#retire(manager, action.profileKey, action.subscriptionId);
          return {
            ...base,
            outcome: "renewed",
            subscriptionId: replacement.subscriptionId,
            previousSubscriptionId: action.subscriptionId,
            expirationDateTime: replacement.expirationDateTime,
          };
        }
        case "create": {
          const created = await this.#create(await this.#manager(profile, action), profile!, notificationUrl);
          return {
            ...base,
            outcome: "created",
            subscriptionId: created.subscriptionId,
            expirationDateTime: created.expirationDateTime,
          };
        }
      }
    } catch (error) {
      const result = failed(
        { ...base, ...("subscriptionId" in action ? { subscriptionId: action.subscriptionId } : {}) },
        error,
      );
      this.#logger.error("subscription maintenance failed", { ...result, action: action.kind });
      return result;
    }
  }

  async #manager(profile: Profile | undefined, action: SubscriptionAction): Promise<SubscriptionManager> {
    if (!profile) throw new Error(`no profile "${action.profileKey}" to ${action.kind} its subscription with`);
    return this.#options.managerFor(profile);
  }

  /**
   * The replacement could not be created (Graph down, the validation handshake failed): extend the old subscription
   * so notifications keep coming, and say its clientState was not rotated. If Graph no longer has it either, the
   * profile has no subscription until the next maintenance: the original failure is reported.
   */
  async #extendUnrotated(
    manager: SubscriptionManager,
    subscriptionId: string,
    base: { profileKey: string; reason?: string },
    createError: unknown,
    profile: Profile,
    notificationUrl: string,
  ): Promise<SubscriptionResult> {
    const problem = failed(base, createError).problem;
    this.#logger.warn("subscription renewal could not rotate the clientState; extending the old subscription", {
      profileKey: base.profileKey,
      subscriptionId,
      ...problem,
    });
    const renewed = await manager.renew(subscriptionId);
    if (renewed.kind === "renewed") {
      return {
        ...base,
        outcome: "renewed",
        reason: "clientStateNotRotated",
        subscriptionId,
        expirationDateTime: renewed.record.expirationDateTime,
        ...(problem ? { problem } : {}),
      };
    }
    // Graph forgot it too (expired early, deleted by an admin): one more try at a new subscription.
    const created = await this.#create(manager, profile, notificationUrl);
    return {
      ...base,
      outcome: "recreated",
      reason: "goneFromGraph",
      subscriptionId: created.subscriptionId,
      expirationDateTime: created.expirationDateTime,
    };
  }

  /**
   * Deletes a replaced subscription in Graph and in the store. When Graph cannot be reached, the record stays, so the
   * next maintenance deletes it as a duplicate; its notifications still verify until then (its clientState is its own).
   */
  async #retire(manager: SubscriptionManager, profileKey: string, subscriptionId: string): Promise<void> {
    try {
      await manager.delete(subscriptionId);
    } catch (error) {
      this.#logger.warn("could not delete a replaced subscription; the next maintenance removes it", {
        profileKey,
        subscriptionId,
        ...failed({ profileKey }, error).problem,
      });
    }
  }

  #create(manager: SubscriptionManager, profile: Profile, notificationUrl: string): Promise<SubscriptionRecord> {
    return manager.create(
      profile.key,
      { siteId: profile.sharePoint.siteId, listId: profile.sharePoint.listId },
      { notificationUrl, lifecycleNotificationUrl: notificationUrl },
    );
  }
}

function failed(
  base: { profileKey: string; reason?: string; subscriptionId?: string },
  error: unknown,
): SubscriptionResult {
  const code = isAppError(error) ? error.code : "SUBSCRIPTION_MAINTENANCE_FAILED";
  const message = globalRedactor.redact(error instanceof Error ? error.message : String(error));
  return { ...base, outcome: "failed", problem: { code, message } };
}

function describe(result: SubscriptionResult): string {
  return `${result.profileKey}: ${result.outcome}${result.reason ? ` (${result.reason})` : ""}${result.problem ? ` ${result.problem.code}` : ""}`;
}

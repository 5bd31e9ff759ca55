import { randomBytes } from "node:crypto";
import { z } from "zod";
import { type Clock, type Logger, silentLogger, systemClock } from "../runtime";
import type { SubscriptionRecord, SubscriptionStore } from "../state/subscriptionStore";
import { GraphError, GraphErrorCodes } from "./graphError";
import { parseGraphResponse } from "./graphResponseShape";
import type { GraphTransport } from "./graphTransport";
import { describeList, type ListRef, listPath } from "./listRef";

/** "SharePoint list | 42,300 minutes (under 30 days)": the longest lifetime Graph grants a list subscription. */
export const MAX_LIST_SUBSCRIPTION_MINUTES = 42_300;
/**
 * Graph checks the expiry against its own clock: asking for exactly the maximum from a clock a little ahead of Graph's
 * is refused (400) on every create and renewal. So the lifetime asked for stays this far under the maximum, and a
 * refusal about the expiry is tried once more a day shorter.
 */
export const SUBSCRIPTION_EXPIRY_MARGIN_MINUTES = 60;
const SHORTER_RETRY_MINUTES = 24 * 60;

const subscriptionSchema = z.looseObject({
  id: z.string(),
  resource: z.string(),
  expirationDateTime: z.string(),
  notificationUrl: z.string(),
});

export interface SubscribeRequest {
  /** Public HTTPS URL of the webhook; Graph validates it with the `validationToken` handshake before creating. */
  notificationUrl: string;
  /** Where `reauthorizationRequired` lifecycle events go (validated the same way); none when absent. */
  lifecycleNotificationUrl?: string;
  /** Lifetime from now; at most (and by default) 42,300 minutes less the margin (`SUBSCRIPTION_EXPIRY_MARGIN_MINUTES`). */
  expiresInMinutes?: number;
}

export type RenewOutcome =
  | { kind: "renewed"; record: SubscriptionRecord }
  | { kind: "notFound"; subscriptionId: string };

/**
 * Change-notification subscriptions for a profile's list (`changeType: "updated"`, the only one lists support).
 * Each subscription gets its own clientState — 32 random bytes, base64url (43 characters, within Graph's 128) —
 * stored with the subscription so the webhook can tell Graph's notifications from forgeries.
 */
export class SubscriptionManager {
  readonly #transport: GraphTransport;
  readonly #store: SubscriptionStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #randomBytes: (size: number) => Buffer;

  constructor(
    transport: GraphTransport,
    store: SubscriptionStore,
    options: { clock?: Clock; logger?: Logger; randomBytes?: (size: number) => Buffer } = {},
  ) {
    this.#transport = transport;
    this.#store = store;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#randomBytes = options.randomBytes ?? randomBytes;
  }

  async create(profileKey: string, list: ListRef, request: SubscribeRequest): Promise<SubscriptionRecord> {
    const clientState = this.#randomBytes(32).toString("base64url");
    const body = (shorterBy: number) => ({
      changeType: "updated",
      notificationUrl: request.notificationUrl,
      ...(request.lifecycleNotificationUrl ? { lifecycleNotificationUrl: request.lifecycleNotificationUrl } : {}),
      resource: listPath(list),
      expirationDateTime: this.#expiry(request.expiresInMinutes, shorterBy),
      clientState,
    });
    const created = parseGraphResponse(
      subscriptionSchema,
      await this.#withShorterRetry((shorterBy) => this.#transport.write("POST", "subscriptions", body(shorterBy))),
      `subscription for ${describeList(list)}`,
    );
    const record: SubscriptionRecord = {
      subscriptionId: created.id,
      profileKey,
      clientState,
      expirationDateTime: created.expirationDateTime,
      resource: created.resource,
      notificationUrl: created.notificationUrl,
    };
    try {
      await this.#store.save(record);
    } catch (error) {
      // A subscription we cannot verify notifications for is worse than none: take it back.
      await this.#transport.write("DELETE", `subscriptions/${encodeURIComponent(created.id)}`).catch(() => undefined);
      throw error;
    }
    this.#logger.info("graph subscription created", {
      profileKey,
      subscriptionId: created.id,
      expirationDateTime: created.expirationDateTime,
    });
    return record;
  }

  /**
   * Extends the subscription. `notFound` when Graph no longer has it (expired, deleted) or our store does not (we
   * could not verify its notifications, so it is deleted in Graph): either way the caller creates a new one.
   */
  async renew(subscriptionId: string, expiresInMinutes?: number): Promise<RenewOutcome> {
    const record = await this.#store.get(subscriptionId);
    if (!record) {
      await this.delete(subscriptionId);
      return { kind: "notFound", subscriptionId };
    }
    let renewed: z.infer<typeof subscriptionSchema>;
    try {
      const response = await this.#withShorterRetry((shorterBy) =>
        this.#transport.write("PATCH", `subscriptions/${encodeURIComponent(subscriptionId)}`, {
          expirationDateTime: this.#expiry(expiresInMinutes, shorterBy),
        }),
      );
      renewed = parseGraphResponse(subscriptionSchema, response, `subscription ${subscriptionId}`);
    } catch (error) {
      if (error instanceof GraphError && error.code === GraphErrorCodes.NotFound) {
        await this.#store.delete(subscriptionId);
        return { kind: "notFound", subscriptionId };
      }
      throw error;
    }
    const updated = { ...record, expirationDateTime: renewed.expirationDateTime };
    await this.#store.save(updated);
    return { kind: "renewed", record: updated };
  }

  /**
   * Whether Graph still has the subscription. Graph deletes expired subscriptions, an admin may delete any, and for
   * lists no lifecycle event announces it, so the renewal timer asks.
   */
  async exists(subscriptionId: string): Promise<boolean> {
    try {
      await this.#transport.get(`subscriptions/${encodeURIComponent(subscriptionId)}`);
      return true;
    } catch (error) {
      if (error instanceof GraphError && error.code === GraphErrorCodes.NotFound) return false;
      throw error;
    }
  }

  /** Deletes the subscription in Graph and the store; one Graph no longer has is simply forgotten. */
  async delete(subscriptionId: string): Promise<void> {
    try {
      await this.#transport.write("DELETE", `subscriptions/${encodeURIComponent(subscriptionId)}`);
    } catch (error) {
      if (!(error instanceof GraphError && error.code === GraphErrorCodes.NotFound)) throw error;
    }
    await this.#store.delete(subscriptionId);
  }

  /** Sends `write`; a 400 about the expiry (our clock ahead of Graph's) is sent once more, a day shorter. */
  async #withShorterRetry(write: (shorterByMinutes: number) => Promise<unknown>): Promise<unknown> {
    try {
      return await write(0);
    } catch (error) {
      if (!(error instanceof GraphError && error.status === 400 && /expir/i.test(error.message))) throw error;
      this.#logger.warn("graph refused the subscription's expiry; asking for a day less", {
        graphCode: error.graphCode,
      });
      return write(SHORTER_RETRY_MINUTES);
    }
  }

  #expiry(minutes: number | undefined, shorterBy: number): string {
    const longest = MAX_LIST_SUBSCRIPTION_MINUTES - SUBSCRIPTION_EXPIRY_MARGIN_MINUTES;
    const wanted = Math.min(minutes ?? longest, longest) - shorterBy;
    if (!(wanted > 0)) throw new RangeError(`a subscription lifetime must be positive, not ${minutes} minutes`);
    return new Date(this.#clock.now() + wanted * 60_000).toISOString();
  }
}

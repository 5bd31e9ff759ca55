import { randomUUID } from "node:crypto";
import type { GraphSettings } from "./graphSeed";

export interface Subscription {
  id: string;
  resource: string;
  siteId: string;
  listId: string;
  applicationId: string;
  changeType: string;
  clientState: string | undefined;
  notificationUrl: string;
  lifecycleNotificationUrl: string | undefined;
  /** As the client sent it (Graph echoes the 7 fractional digits it was given). */
  expirationDateTime: string;
  expirationMs: number;
  latestSupportedTlsVersion: string;
}

/** One attempt to reach a subscriber, for `GET /_admin/state` (tests read what was delivered and retried). */
export interface DeliveryRecord {
  subscriptionId: string;
  kind: "validation" | "notification" | "lifecycle";
  attempt: number;
  /** HTTP status the endpoint answered, absent when it did not answer (timeout, refused). */
  status?: number;
  error?: string;
  at: string;
}

export type SubscriptionFailure = { status: number; code: string; message: string };

export interface SubscriptionHubOptions {
  tenantId: string;
  settings: () => GraphSettings;
  /** Emulator time, ms since the epoch. */
  now: () => number;
  /** Resolves `sites/{site-id}/lists/{list-id}` to the list, or undefined when there is no such list. */
  findList: (siteId: string, listId: string) => { siteId: string; listId: string } | undefined;
}

const RESOURCE_PATTERN = /^\/?sites\/([^/]+)\/lists\/([^/]+)\/?$/i;

/**
 * Graph's change-notification service for SharePoint lists: subscriptions with the validation handshake, change
 * notifications without item data, redelivery of failed notifications with backoff, and `reauthorizationRequired`
 * lifecycle events. Deliveries happen after the change that caused them, never inside the caller's request.
 */
export class SubscriptionHub {
  readonly #options: SubscriptionHubOptions;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #deliveries: DeliveryRecord[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #pending = new Set<string>();
  readonly #inFlight = new Set<AbortController>();
  #closed = false;

  constructor(options: SubscriptionHubOptions) {
    this.#options = options;
  }

  async create(
    body: unknown,
    applicationId: string,
  ): Promise<{ ok: true; subscription: Subscription } | { ok: false; failure: SubscriptionFailure }> {
    const input = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const invalid = (message: string): { ok: false; failure: SubscriptionFailure } => ({
      ok: false,
      failure: { status: 400, code: "InvalidRequest", message },
    });
    const settings = this.#options.settings();

    if (input.changeType !== "updated")
      return invalid(`Invalid 'changeType' attribute: '${String(input.changeType)}'.`);
    if (typeof input.resource !== "string") return invalid("The 'resource' property is required.");
    const match = RESOURCE_PATTERN.exec(input.resource);
    if (!match) return invalid(`Resource '${input.resource}' is not supported.`);
    const list = this.#options.findList(decodeURIComponent(match[1]!), decodeURIComponent(match[2]!));
    if (!list)
      return {
        ok: false,
        failure: { status: 404, code: "itemNotFound", message: `Resource '${input.resource}' was not found.` },
      };
    for (const key of ["notificationUrl", "lifecycleNotificationUrl"] as const) {
      const url = input[key];
      if (url === undefined && key === "lifecycleNotificationUrl") continue;
      if (typeof url !== "string" || !isAllowedUrl(url, settings.allowInsecureNotificationUrls)) {
        return invalid(`The '${key}' must be an absolute HTTPS URL.`);
      }
    }
    if (input.clientState !== undefined && (typeof input.clientState !== "string" || input.clientState.length > 128)) {
      return invalid("The clientState value must be a string of at most 128 characters.");
    }
    const expiration = this.#checkExpiration(input.expirationDateTime);
    if (!expiration.ok) return invalid(expiration.message);

    const subscription: Subscription = {
      id: randomUUID(),
      resource: input.resource,
      siteId: list.siteId,
      listId: list.listId,
      applicationId,
      changeType: "updated",
      clientState: input.clientState as string | undefined,
      notificationUrl: input.notificationUrl as string,
      lifecycleNotificationUrl: input.lifecycleNotificationUrl as string | undefined,
      expirationDateTime: input.expirationDateTime as string,
      expirationMs: expiration.ms,
      latestSupportedTlsVersion:
        typeof input.latestSupportedTlsVersion === "string" ? input.latestSupportedTlsVersion : "v1_2",
    };
    // "If you're subscribing to lifecycle notifications as well, Microsoft Graph will also validate the lifecycleNotificationUrl."
    for (const url of [subscription.notificationUrl, subscription.lifecycleNotificationUrl]) {
      if (url === undefined) continue;
      if (!(await this.#validate(subscription.id, url))) {
        return invalid(
          "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
        );
      }
    }
    this.#subscriptions.set(subscription.id, subscription);
    return { ok: true, subscription };
  }

  get(id: string): Subscription | undefined {
    const subscription = this.#subscriptions.get(id);
    if (subscription && subscription.expirationMs <= this.#options.now()) {
      // "If you don't renew a subscription in time, Microsoft Graph deletes the subscription."
      this.#subscriptions.delete(id);
      return undefined;
    }
    return subscription;
  }

  list(): Subscription[] {
    return [...this.#subscriptions.keys()].map((id) => this.get(id)).filter((s): s is Subscription => s !== undefined);
  }

  renew(
    id: string,
    body: unknown,
  ): { ok: true; subscription: Subscription } | { ok: false; failure: SubscriptionFailure } {
    const subscription = this.get(id);
    if (!subscription)
      return {
        ok: false,
        failure: { status: 404, code: "ResourceNotFound", message: `The object was not found: subscription '${id}'.` },
      };
    const input = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const expiration = this.#checkExpiration(input.expirationDateTime);
    if (!expiration.ok)
      return { ok: false, failure: { status: 400, code: "InvalidRequest", message: expiration.message } };
    subscription.expirationDateTime = input.expirationDateTime as string;
    subscription.expirationMs = expiration.ms;
    return { ok: true, subscription };
  }

  delete(id: string): boolean {
    return this.get(id) !== undefined && this.#subscriptions.delete(id);
  }

  /** Queues a change notification to every live subscription on the list. */
  listChanged(siteId: string, listId: string): void {
    for (const subscription of this.list()) {
      if (subscription.siteId !== siteId || subscription.listId !== listId) continue;
      if (this.#pending.has(subscription.id)) continue;
      this.#pending.add(subscription.id);
      this.#later(this.#options.settings().notificationCoalesceMs, () => {
        this.#pending.delete(subscription.id);
        void this.#deliver({ subscription, kind: "notification", attempt: 1, firstAttemptMs: Date.now() });
      });
    }
  }

  /** Sends a lifecycle event (only `reauthorizationRequired` is documented for lists) to the lifecycle URL. */
  lifecycle(id: string, lifecycleEvent: string): { ok: true } | { ok: false; message: string } {
    const subscription = this.get(id);
    if (!subscription) return { ok: false, message: `no subscription ${id}` };
    if (!subscription.lifecycleNotificationUrl)
      return { ok: false, message: `subscription ${id} has no lifecycleNotificationUrl` };
    void this.#deliver({ subscription, kind: "lifecycle", attempt: 1, firstAttemptMs: Date.now(), lifecycleEvent });
    return { ok: true };
  }

  deliveries(): DeliveryRecord[] {
    return [...this.#deliveries];
  }

  /** What `GET /_admin/state` shows: no clientState (a shared secret), only whether one is set. */
  state(): unknown[] {
    return this.list().map(({ clientState, ...rest }) => ({ ...rest, hasClientState: clientState !== undefined }));
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const controller of this.#inFlight) controller.abort();
  }

  #checkExpiration(value: unknown): { ok: true; ms: number } | { ok: false; message: string } {
    const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms))
      return { ok: false, message: "The 'expirationDateTime' property is required and must be a date-time." };
    const now = this.#options.now();
    const maxMinutes = this.#options.settings().subscriptionMaxMinutes;
    if (ms <= now) return { ok: false, message: "Subscription expiration can only be in the future." };
    if (ms > now + maxMinutes * 60_000)
      return { ok: false, message: `Subscription expiration can only be ${maxMinutes} minutes in the future.` };
    return { ok: true, ms };
  }

  /** The handshake: POST `{url}?validationToken=…`; the endpoint must echo the decoded token as text/plain, 200, in time. */
  async #validate(subscriptionId: string, url: string): Promise<boolean> {
    // Real tokens are prose with spaces and colons, so an endpoint that forgets to URL-decode fails, as it would live.
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = `${url}${url.includes("?") ? "&" : "?"}validationToken=${encodeURIComponent(token)}`;
    const result = await this.#post(
      target,
      "",
      "text/plain; charset=utf-8",
      this.#options.settings().validationTimeoutMs,
    );
    this.#record({ subscriptionId, kind: "validation", attempt: 1, ...result.record });
    if (!result.response) return false;
    const contentType = result.response.headers.get("content-type") ?? "";
    return (
      result.response.status === 200 && contentType.toLowerCase().startsWith("text/plain") && result.text === token
    );
  }

  /** One delivery attempt; `firstAttemptMs` is real time. */
  async #deliver(job: {
    subscription: Subscription;
    kind: "notification" | "lifecycle";
    attempt: number;
    firstAttemptMs: number;
    lifecycleEvent?: string;
  }): Promise<void> {
    const { subscription, kind, attempt, firstAttemptMs, lifecycleEvent } = job;
    if (this.#closed || !this.get(subscription.id)) return;
    const entry: Record<string, unknown> = {
      subscriptionId: subscription.id,
      subscriptionExpirationDateTime: subscription.expirationDateTime,
      tenantId: this.#options.tenantId,
      clientState: subscription.clientState ?? null,
    };
    if (kind === "lifecycle") entry.lifecycleEvent = lifecycleEvent;
    else {
      // No item data: list notifications only say "something in this list changed"; the receiver runs delta.
      Object.assign(entry, {
        changeType: "updated",
        resource: subscription.resource.replace(/^\//, ""),
        resourceData: { "@odata.type": "#Microsoft.Graph.ListItem" },
      });
    }
    const url = kind === "lifecycle" ? subscription.lifecycleNotificationUrl! : subscription.notificationUrl;
    const result = await this.#post(
      url,
      JSON.stringify({ value: [entry] }),
      "application/json; charset=utf-8",
      this.#options.settings().notificationTimeoutMs,
    );
    this.#record({ subscriptionId: subscription.id, kind, attempt, ...result.record });
    if (result.response && result.response.status >= 200 && result.response.status < 300) return;

    // "If Microsoft Graph doesn't receive a 2xx class code within 3 seconds, it tries to resend the change
    // notification multiple times, for up to 4 hours", then discards it. Redelivery runs on real time (timers),
    // not on the adjustable emulator clock.
    const retry = this.#options.settings().notificationRetry;
    const delay = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** (attempt - 1));
    if (Date.now() + delay - firstAttemptMs > retry.maxDurationMs) return;
    this.#later(delay, () => void this.#deliver({ ...job, attempt: attempt + 1 }));
  }

  async #post(
    url: string,
    body: string,
    contentType: string,
    timeoutMs: number,
  ): Promise<{ response?: Response; text?: string; record: { status?: number; error?: string } }> {
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": contentType },
        body,
        signal: controller.signal,
      });
      const text = await response.text();
      return { response, text, record: { status: response.status } };
    } catch (error) {
      const reason =
        controller.signal.aborted && controller.signal.reason instanceof Error ? controller.signal.reason : error;
      return { record: { error: reason instanceof Error ? reason.message : String(reason) } };
    } finally {
      clearTimeout(timer);
      this.#inFlight.delete(controller);
    }
  }

  #record(record: Omit<DeliveryRecord, "at">): void {
    this.#deliveries.push({ ...record, at: new Date().toISOString() });
  }

  #later(ms: number, run: () => void): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    this.#timers.add(timer);
  }
}

function isAllowedUrl(value: string, allowInsecure: boolean): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || (allowInsecure && url.protocol === "http:");
  } catch {
    return false;
  }
}

/** The subscription resource Graph returns (docs/references.md#graph-subscriptions-and-notifications). */
export function renderSubscription(subscription: Subscription, origin: string): Record<string, unknown> {
  return {
    "@odata.context": `${origin}/v1.0/$metadata#subscriptions/$entity`,
    id: subscription.id,
    resource: subscription.resource,
    applicationId: subscription.applicationId,
    changeType: subscription.changeType,
    clientState: subscription.clientState ?? null,
    notificationUrl: subscription.notificationUrl,
    lifecycleNotificationUrl: subscription.lifecycleNotificationUrl ?? null,
    expirationDateTime: subscription.expirationDateTime,
    creatorId: subscription.applicationId,
    latestSupportedTlsVersion: subscription.latestSupportedTlsVersion,
    notificationContentType: "application/json",
  };
}

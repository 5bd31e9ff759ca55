import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { Logger } from "../runtime";
import {
  MAX_NOTIFICATION_BODY_BYTES,
  type NotificationReceiverDependencies,
  parseNotificationCollection,
  readValidationHandshake,
  receiveNotifications,
} from "../webhooks";
import { errorResponse, HttpErrorCodes, respondSafely } from "./httpResponses";

export type SharePointWebhookDependencies = NotificationReceiverDependencies;

/**
 * The webhook's dependencies as the Functions host gives them: a logger now, and the services (storage, the Durable
 * client) only once a notification must be acted on. Graph's validation handshake is answered without them, so a
 * cold start or an unreachable storage account never fails the subscription's creation.
 */
export interface LazyWebhookDependencies {
  readonly logger: Logger;
  readonly services: () => Promise<SharePointWebhookDependencies>;
}

/** What the handler reads of a request (the Functions `HttpRequest`, or a test's stand-in). */
export type WebhookRequest = Pick<HttpRequest, "url" | "headers" | "body">;

/**
 * `POST /api/webhooks/sharepoint` (anonymous: Graph cannot send a function key, so authenticity rests on the
 * per-subscription clientState).
 *
 * - The body is read as a stream and abandoned past `MAX_NOTIFICATION_BODY_BYTES`, whatever `Content-Length` says or
 *   whether there is one: 413.
 * - Validation handshake (`?validationToken=…`, empty body): 200, the decoded token as `text/plain`, `nosniff`,
 *   before any service is touched.
 * - Notifications: 400 for a body that is not a change notification collection, holds more notifications or
 *   subscriptions than Graph sends, or a subscription id that is not a GUID (nothing is looked up); otherwise 202
 *   once every verified change has started (or coalesced into) its profile's sync. Notifications for unknown
 *   subscriptions or with the wrong clientState are dropped but still answered 202: a 4xx would make Graph redeliver
 *   for hours (a subscription we deleted still delivers until it expires) and would tell a forger which ids exist.
 *   One summary log line per request.
 * - 503 when a start could not be recorded (storage or the Durable extension unavailable), so Graph redelivers.
 */
export function sharePointWebhook(
  request: WebhookRequest,
  deps: SharePointWebhookDependencies | LazyWebhookDependencies,
): Promise<HttpResponseInit> {
  return respondSafely(deps.logger, async () => {
    const tooLarge = () =>
      errorResponse(
        413,
        HttpErrorCodes.InvalidNotification,
        `the body is longer than ${MAX_NOTIFICATION_BODY_BYTES} bytes`,
      );
    const declaredLength = Number(request.headers.get("content-length") ?? "0");
    if (declaredLength > MAX_NOTIFICATION_BODY_BYTES) return tooLarge();
    const read = await readBodyWithin(request, MAX_NOTIFICATION_BODY_BYTES);
    if (!read.ok) {
      deps.logger.warn("change notification refused: body too large", { limitBytes: MAX_NOTIFICATION_BODY_BYTES });
      return tooLarge();
    }
    const body = read.text;
    const handshake = readValidationHandshake(request.url, body);
    if (handshake.kind === "answer") {
      deps.logger.info("answered a subscription validation request");
      return {
        status: 200,
        body: handshake.token,
        headers: {
          "Content-Type": "text/plain; charset=utf-8",
          // Never rendered as HTML, whatever the token holds.
          "X-Content-Type-Options": "nosniff",
          "Content-Security-Policy": "default-src 'none'; sandbox",
          "Cache-Control": "no-store",
        },
      };
    }
    if (handshake.kind === "refuse")
      return errorResponse(400, HttpErrorCodes.InvalidValidationRequest, handshake.message);

    const parsed = parseNotificationCollection(body);
    if (!parsed.ok) {
      deps.logger.warn("malformed change notification refused", { problem: parsed.message });
      return errorResponse(400, HttpErrorCodes.InvalidNotification, parsed.message);
    }
    const services = "services" in deps ? await deps.services() : deps;
    const receipt = await receiveNotifications(parsed.notifications, services);
    const retryable = receipt.failures.filter((failure) => failure.retryable);
    if (retryable.length > 0) {
      return errorResponse(
        503,
        HttpErrorCodes.NotificationNotProcessed,
        "the notification could not be processed now; Graph will deliver it again",
        {
          profiles: retryable.map((failure) => ({ profileKey: failure.profileKey, code: failure.code })),
        },
      );
    }
    // Graph reads only the status; the body stays empty so it tells a sender nothing.
    return { status: 202 };
  }) as Promise<HttpResponseInit>;
}

/**
 * The body as UTF-8 text, read chunk by chunk and given up (the stream cancelled) as soon as it passes `maxBytes`:
 * a request without `Content-Length`, or lying in it, is never held whole.
 */
async function readBodyWithin(
  request: WebhookRequest,
  maxBytes: number,
): Promise<{ ok: true; text: string } | { ok: false }> {
  const stream = request.body;
  if (stream === null) return { ok: true, text: "" };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const chunk = typeof value === "string" ? new TextEncoder().encode(value) : (value as Uint8Array);
    size += chunk.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { ok: false };
    }
    chunks.push(chunk);
  }
  return { ok: true, text: Buffer.concat(chunks).toString("utf8") };
}

import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import {
  MAX_NOTIFICATION_BODY_CHARS,
  type NotificationReceiverDependencies,
  parseNotificationCollection,
  readValidationHandshake,
  receiveNotifications,
} from "../webhooks";
import { errorResponse, HttpErrorCodes, respondSafely } from "./httpResponses";

export type SharePointWebhookDependencies = NotificationReceiverDependencies;

/**
 * `POST /api/webhooks/sharepoint` (anonymous: Graph cannot send a function key, so authenticity rests on the
 * per-subscription clientState).
 *
 * - Validation handshake (`?validationToken=…`, empty body): 200, the decoded token as `text/plain`, `nosniff`.
 * - Notifications: 400 for a body that is not a change notification collection; otherwise 202 once every verified
 *   change has started (or coalesced into) its profile's sync. Notifications for unknown subscriptions or with the
 *   wrong clientState are dropped and logged but still answered 202: a 4xx would make Graph redeliver for hours
 *   (a subscription we deleted still delivers until it expires) and would tell a forger which ids exist.
 * - 503 when a start could not be recorded (storage or the Durable extension unavailable), so Graph redelivers.
 */
export function sharePointWebhook(
  request: HttpRequest,
  deps: SharePointWebhookDependencies,
): Promise<HttpResponseInit> {
  return respondSafely(deps.logger, async () => {
    const declaredLength = Number(request.headers.get("content-length") ?? "0");
    if (declaredLength > MAX_NOTIFICATION_BODY_CHARS) {
      return errorResponse(
        413,
        HttpErrorCodes.InvalidNotification,
        `the body is longer than ${MAX_NOTIFICATION_BODY_CHARS} characters`,
      );
    }
    const body = await request.text();
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
    const receipt = await receiveNotifications(parsed.notifications, deps);
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

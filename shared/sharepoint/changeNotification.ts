import { timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * What Graph POSTs to the notification URL: `{"value": [changeNotification…]}`. For lists there is no item data —
 * only "something in this list changed" — so the receiver checks `clientState`, acknowledges, and runs delta.
 * Lifecycle events (`reauthorizationRequired`) share the envelope and carry `lifecycleEvent` instead of `changeType`.
 */
export const changeNotificationSchema = z.looseObject({
  subscriptionId: z.string(),
  clientState: z.string().nullish(),
  changeType: z.string().optional(),
  lifecycleEvent: z.string().optional(),
  resource: z.string().optional(),
  subscriptionExpirationDateTime: z.string().optional(),
  tenantId: z.string().optional(),
});
export type ChangeNotification = z.infer<typeof changeNotificationSchema>;

export const changeNotificationCollectionSchema = z.looseObject({ value: z.array(changeNotificationSchema) });

/** Whether a notification carries the clientState stored for its subscription (constant-time comparison). */
export function hasExpectedClientState(notification: ChangeNotification, expected: string): boolean {
  const given = Buffer.from(notification.clientState ?? "", "utf8");
  const wanted = Buffer.from(expected, "utf8");
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

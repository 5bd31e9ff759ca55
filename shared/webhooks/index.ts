export { readValidationHandshake, MAX_VALIDATION_TOKEN_LENGTH, type ValidationHandshake } from "./validationHandshake";
export { parseNotificationCollection, routeNotifications, MAX_NOTIFICATION_BODY_CHARS, type ParsedNotifications, type RoutedNotification } from "./notificationRouting";
export { receiveNotifications, type NotificationReceiverDependencies, type NotificationReceipt } from "./notificationReceiver";
export { planSubscriptions, DEFAULT_RENEW_BEFORE_MS, type SubscriptionAction, type SubscriptionPolicy, type ProfileForSubscriptions } from "./subscriptionPlan";
export {
  SubscriptionKeeper,
  type SubscriptionKeeperOptions,
  type SubscriptionManagerFactory,
  type SubscriptionResult,
  type SubscriptionOutcome,
  type SubscriptionMaintenanceReport,
} from "./subscriptionKeeper";
export { sharePointSubscriptionManagers } from "./subscriptionManagers";

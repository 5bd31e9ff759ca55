export {
  type NotificationReceipt,
  type NotificationReceiverDependencies,
  receiveNotifications,
} from "./notificationReceiver";
export {
  MAX_NOTIFICATION_BODY_CHARS,
  type ParsedNotifications,
  parseNotificationCollection,
  type RoutedNotification,
  routeNotifications,
} from "./notificationRouting";
export {
  SubscriptionKeeper,
  type SubscriptionKeeperOptions,
  type SubscriptionMaintenanceReport,
  type SubscriptionManagerFactory,
  type SubscriptionOutcome,
  type SubscriptionResult,
} from "./subscriptionKeeper";
export { sharePointSubscriptionManagers } from "./subscriptionManagers";
export {
  DEFAULT_RENEW_BEFORE_MS,
  type ProfileForSubscriptions,
  planSubscriptions,
  type SubscriptionAction,
  type SubscriptionPolicy,
} from "./subscriptionPlan";
export { MAX_VALIDATION_TOKEN_LENGTH, readValidationHandshake, type ValidationHandshake } from "./validationHandshake";

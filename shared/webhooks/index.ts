export {
  type NotificationReceipt,
  type NotificationReceiverDependencies,
  receiveNotifications,
} from "./notificationReceiver";
export {
  MAX_NOTIFICATION_BODY_BYTES,
  MAX_NOTIFICATIONS_PER_REQUEST,
  MAX_SUBSCRIPTIONS_PER_REQUEST,
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

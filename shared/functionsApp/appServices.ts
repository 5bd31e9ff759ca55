import {
  type AppSettings,
  type ConfigServices,
  type ConfigServicesDependencies,
  openConfigServices,
  readAppSettings,
} from "../config";
import type { DiagnosticsSources } from "../diagnostics";
import { type Clock, type Logger, silentTelemetry, systemClock, type Telemetry } from "../runtime";
import { InvalidAppSetting } from "../settings/invalidAppSetting";
import type { SharePointClientOptions } from "../sharepoint/sharePointClient";
import { openStateStores, type StateStores } from "../state/stateStores";
import { type TableStorageLocation, tableStorageFromSettings } from "../state/tableClientFactory";
import { SubscriptionKeeper, sharePointSubscriptionManagers } from "../webhooks";
import { telemetryFromSettings } from "./azureMonitorTelemetry";

/**
 * What the Functions app's triggers share within one worker process: settings, profiles and secrets, the state
 * tables. Opened once, on first use, and reused by every invocation (tables are created once, credentials cached).
 */
export interface AppServices {
  readonly settings: AppSettings;
  readonly config: ConfigServices;
  readonly state: StateStores;
  readonly clock: Clock;
  /** The SharePoint options every profile's subscription calls use (tests shorten retries). */
  readonly sharePoint: Omit<SharePointClientOptions, "subscriptionStore" | "logger">;
  /** Run and token-refresh events: Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set. */
  readonly telemetry: Telemetry;
  close(): void;
}

export interface AppServicesOptions extends Pick<ConfigServicesDependencies, "credential"> {
  /** State tables' location when not taken from the AzureWebJobsStorage settings. */
  tableStorage?: TableStorageLocation;
  /** Prefix of the state tables' names (tests). */
  tablePrefix?: string;
  clock?: Clock;
  sharePoint?: AppServices["sharePoint"];
  /** The events' sink instead of the one the settings configure (tests record them). */
  telemetry?: Telemetry;
}

export async function openAppServices(settings: AppSettings, options: AppServicesOptions = {}): Promise<AppServices> {
  const location = options.tableStorage ?? tableStorageFromSettings(settings);
  if (!location) {
    throw new InvalidAppSetting(
      "AzureWebJobsStorage",
      "the Functions app keeps its state in Table Storage: set AzureWebJobsStorage (a connection string; UseDevelopmentStorage=true for Azurite) or AzureWebJobsStorage__tableServiceUri",
    );
  }
  const config = await openConfigServices(settings, {
    ...(options.credential ? { credential: options.credential } : {}),
    ...(options.tableStorage ? { tableStorage: options.tableStorage } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  try {
    const state = await openStateStores(
      location,
      options.tablePrefix !== undefined ? { tablePrefix: options.tablePrefix } : {},
    );
    const telemetry = options.telemetry ?? (await telemetryFromSettings(settings)) ?? silentTelemetry;
    return {
      settings,
      config,
      state,
      clock: options.clock ?? systemClock,
      sharePoint: options.sharePoint ?? {},
      telemetry,
      close: () => config.close(),
    };
  } catch (error) {
    config.close();
    throw error;
  }
}

let shared: Promise<AppServices> | undefined;

/**
 * The process-wide services, opened from the environment on first use. A failed opening is not cached, so the next
 * invocation tries again (e.g. after a storage hiccup at cold start).
 */
export function appServices(): Promise<AppServices> {
  shared ??= openAppServices(readAppSettings()).catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

/**
 * Replaces the process-wide services (or, with undefined, forgets them so the next use reopens from the
 * environment), closing the previous ones. For tests and in-process hosts such as the sandbox.
 */
export async function replaceAppServices(services: AppServices | undefined): Promise<void> {
  const previous = shared;
  shared = services ? Promise.resolve(services) : undefined;
  if (previous) (await previous.catch(() => undefined))?.close();
}

/** The diagnostics' view of the services. */
export function diagnosticsSources(services: AppServices): DiagnosticsSources {
  return {
    profiles: services.config.profiles,
    validator: services.config.validator,
    state: services.state,
    clock: services.clock,
  };
}

/** The subscription keeper over the services, logging to `logger`. */
export function subscriptionKeeper(services: AppServices, logger: Logger): SubscriptionKeeper {
  return new SubscriptionKeeper({
    profiles: services.config.profiles,
    validator: services.config.validator,
    store: services.state.subscriptions,
    managerFor: sharePointSubscriptionManagers(services.config.secrets, services.state.subscriptions, {
      ...services.sharePoint,
      endpoints: services.config.validator.endpoints,
      logger,
      clock: services.clock,
    }),
    notificationUrl: services.settings.WEBHOOK_NOTIFICATION_URL,
    clock: services.clock,
    logger,
  });
}

import { createEngineServices, type EngineOptions, type EngineServices } from "../engine/engineServices";
import { createConsoleLogger } from "../runtime";
import { type AppServices, appServices } from "./appServices";

/** The engine of the Functions app: its profiles, secrets, state tables, clock, SharePoint retry settings, telemetry. */
export function engineServicesFrom(app: AppServices, options: Omit<EngineOptions, "clock"> = {}): EngineServices {
  return createEngineServices(
    { config: app.config, state: app.state },
    {
      clock: app.clock,
      telemetry: app.telemetry,
      ...(app.sharePoint.retry ? { graphRetry: app.sharePoint.retry } : {}),
      ...options,
    },
  );
}

const engines = new WeakMap<AppServices, EngineServices>();

/**
 * The process-wide engine over the process-wide services, built on first use: the sync activities and the profile
 * check share it, so the process has one Confluence token manager (refreshes of a rotating token must not race).
 * Engine warnings go as JSON lines to stderr, which the worker forwards to Application Insights.
 */
export async function appEngine(): Promise<EngineServices> {
  const services = await appServices();
  let engine = engines.get(services);
  if (engine === undefined) {
    engine = engineServicesFrom(services, { logger: createConsoleLogger("info") });
    engines.set(services, engine);
  }
  return engine;
}

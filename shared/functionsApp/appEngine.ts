import { createEngineServices, type EngineOptions, type EngineServices } from "../engine/engineServices";
import { progressLog } from "../engine/run/activityProgress";
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
 * Engine warnings, and the steps of long activities, go as JSON lines to stderr, which the worker forwards to
 * Application Insights.
 */
export async function appEngine(): Promise<EngineServices> {
  const services = await appServices();
  let engine = engines.get(services);
  if (engine === undefined) {
    const logger = createConsoleLogger("info");
    // An activity cannot change its orchestration's custom status: a long prepareRun or commitRun says where it is in
    // a trace line every 15 s instead (docs/engine.md#progress).
    const clock = services.clock;
    engine = engineServicesFrom(services, { logger, progress: progressLog(logger, () => clock.now()) });
    engines.set(services, engine);
  }
  return engine;
}

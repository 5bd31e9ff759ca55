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

let shared: { readonly services: AppServices; readonly engine: EngineServices } | undefined;

/**
 * The one engine of this worker process, over the process-wide services (built again only when those are replaced):
 * the sync activities and the HTTP handlers that settle conflicts or store a new Confluence consent share it, so there
 * is one Confluence token manager (and one cache of access tokens) per process.
 */
export async function processEngineServices(): Promise<EngineServices> {
  const services = await appServices();
  if (shared?.services !== services)
    // Engine warnings (retried batches, resyncs) as JSON lines on stderr, which the worker forwards to App Insights.
    shared = { services, engine: engineServicesFrom(services, { logger: createConsoleLogger("info") }) };
  return shared.engine;
}

import { createEngineServices, type EngineOptions, type EngineServices } from "../engine/engineServices";
import type { AppServices } from "./appServices";

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

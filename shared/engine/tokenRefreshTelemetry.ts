import type { Telemetry } from "../runtime";
import type { TokenRefreshRecorder } from "../state/tokenRefreshHistory";
import { tokenRefreshEvent } from "./telemetryEvents";

/** The token-refresh history with an event for every refresh it records (emitted first: the event has no store to fail). */
export function tokenRefreshesWithTelemetry(history: TokenRefreshRecorder, telemetry: Telemetry): TokenRefreshRecorder {
  return {
    append: async (record) => {
      telemetry.emit(tokenRefreshEvent(record));
      await history.append(record);
    },
  };
}

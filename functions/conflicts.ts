import * as df from "durable-functions";
import { appEngine, invocationLogger, resolveConflicts, respondSafely } from "../shared/functionsApp";
import { DurableSyncStarter } from "../shared/syncStart";

// Settling conflicts, with a function key: one conflict, or every open field conflict of a profile (one side). The
// durable client starts the profile's run at once when asked (?sync=true).
for (const [name, route] of [
  ["resolveConflict", "profiles/{profileKey}/conflicts/{conflictId}/resolve"],
  ["resolveAllConflicts", "profiles/{profileKey}/conflicts/resolve"],
] as const) {
  df.app.client.http(name, {
    route,
    methods: ["POST"],
    authLevel: "function",
    handler: (request, client, context) => {
      const logger = invocationLogger(context);
      return respondSafely(logger, async () =>
        resolveConflicts(request, {
          engine: await appEngine(),
          starter: new DurableSyncStarter(client, { logger }),
          logger,
        }),
      );
    },
  });
}

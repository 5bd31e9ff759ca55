import * as df from "durable-functions";
import { appServices, invocationLogger, manualSync, respondSafely, syncStatus } from "../shared/functionsApp";
import { DurableSyncStarter } from "../shared/syncStart";

// POST /api/profiles/{profileKey}/sync[?dryRun=true], with a function key.
df.app.client.http("manualSync", {
  route: "profiles/{profileKey}/sync",
  methods: ["POST"],
  authLevel: "function",
  handler: (request, client, context) => {
    const logger = invocationLogger(context);
    return respondSafely(logger, async () =>
      manualSync(request, {
        validator: (await appServices()).config.validator,
        starter: new DurableSyncStarter(client, { logger }),
        logger,
      }),
    );
  },
});

// GET /api/profiles/{profileKey}/sync/status, with a function key: the run's status, read through the Durable client.
df.app.client.http("syncStatus", {
  route: "profiles/{profileKey}/sync/status",
  methods: ["GET"],
  authLevel: "function",
  handler: (request, client, context) => syncStatus(request, { client, logger: invocationLogger(context) }),
});

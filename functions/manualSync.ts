import * as df from "durable-functions";
import { appServices, invocationLogger, manualSync, respondSafely } from "../shared/functionsApp";
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
        checkStatusResponse: (instanceId) => client.createCheckStatusResponse(request, instanceId),
        logger,
      }),
    );
  },
});

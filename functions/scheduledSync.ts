import * as df from "durable-functions";
import { invocationLogger, scheduledSync } from "../shared/functionsApp";
import { DurableSyncStarter } from "../shared/syncStart";

// Every profile on a schedule (NCRONTAB from the SYNC_SCHEDULE app setting), unless the last fan-out still runs.
df.app.client.timer("scheduledSync", {
  schedule: "%SYNC_SCHEDULE%",
  handler: async (timer, client, context) => {
    const logger = invocationLogger(context);
    await scheduledSync(timer, { starter: new DurableSyncStarter(client, { logger }), logger });
  },
});

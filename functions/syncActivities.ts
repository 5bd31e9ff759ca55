import * as df from "durable-functions";
import { createSyncActivities } from "../shared/engine/activities";
import { ActivityName } from "../shared/engine/run/runContract";
import { processEngineServices } from "../shared/functionsApp/appEngine";

// The sync activities the syncProfile / syncAllProfiles orchestrations schedule (shared/engine/activities), over the
// process's engine, built on first use (a failed build is not kept, so the next invocation tries again).
for (const name of Object.values(ActivityName)) {
  df.app.activity(name, {
    handler: async (input: unknown) => createSyncActivities(await processEngineServices())[name](input),
  });
}

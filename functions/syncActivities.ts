import * as df from "durable-functions";
import { createSyncActivities, type SyncActivities } from "../shared/engine/activities";
import { ActivityName } from "../shared/engine/run/runContract";
import { appServices } from "../shared/functionsApp";
import { engineServicesFrom } from "../shared/functionsApp/appEngine";
import { createConsoleLogger } from "../shared/runtime";

// The sync activities the syncProfile / syncAllProfiles orchestrations schedule (shared/engine/activities), over the
// process-wide services, built on first use. A failed build is not kept, so the next invocation tries again.
let activities: Promise<SyncActivities> | undefined;
const engine = (): Promise<SyncActivities> => {
  activities ??= appServices()
    // Engine warnings (retried batches, resyncs) as JSON lines on stderr, which the worker forwards to App Insights.
    .then((services) => createSyncActivities(engineServicesFrom(services, { logger: createConsoleLogger("info") })))
    .catch((error: unknown) => {
      activities = undefined;
      throw error;
    });
  return activities;
};

for (const name of Object.values(ActivityName)) {
  df.app.activity(name, { handler: async (input: unknown) => (await engine())[name](input) });
}

import * as df from "durable-functions";
import { createSyncActivities, type SyncActivities } from "../shared/engine/activities";
import { ActivityName } from "../shared/engine/run/runContract";
import { appEngine } from "../shared/functionsApp/appEngine";

// The sync activities the syncProfile / syncAllProfiles orchestrations schedule (shared/engine/activities), over the
// process-wide engine, built on first use. A failed build is not kept, so the next invocation tries again.
let activities: Promise<SyncActivities> | undefined;
const engine = (): Promise<SyncActivities> => {
  activities ??= appEngine()
    .then((services) => createSyncActivities(services))
    .catch((error: unknown) => {
      activities = undefined;
      throw error;
    });
  return activities;
};

for (const name of Object.values(ActivityName)) {
  df.app.activity(name, { handler: async (input: unknown) => (await engine())[name](input) });
}

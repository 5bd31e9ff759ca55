import * as df from "durable-functions";
import type { SyncProfileInput } from "../shared/engine/run/runContract";
import { invocationLogger } from "../shared/functionsApp";
import { DurableSyncStarter, SyncFollowUpNames, syncFollowUpOrchestrator } from "../shared/syncStart";

// "Run again when the current run finishes": started by the webhook when a change arrives mid-run.
df.app.orchestration(SyncFollowUpNames.orchestrator, syncFollowUpOrchestrator);

// Its one activity starts the profile's run through the Durable client, unless that run is still busy.
const durableClient = df.input.durableClient();
df.app.activity(SyncFollowUpNames.startSyncIfIdle, {
  extraInputs: [durableClient],
  handler: (input: unknown, context) =>
    new DurableSyncStarter(df.getClient(context), { logger: invocationLogger(context) }).startProfileSync(
      input as SyncProfileInput,
    ),
});

import * as df from "durable-functions";
import {
  syncAllProfilesOrchestrator,
  syncPageJobsOrchestrator,
  syncProfileOrchestrator,
} from "../shared/engine/orchestration";
import { OrchestratorName } from "../shared/engine/run/runContract";

// One profile's run, and the scheduled fan-out over every enabled profile (shared/engine/orchestration).
df.app.orchestration(OrchestratorName.syncProfile, syncProfileOrchestrator);
df.app.orchestration(OrchestratorName.syncAllProfiles, syncAllProfilesOrchestrator);
// Pages mode: one chunk of a run's page jobs (docs/pages-mode.md §9).
df.app.orchestration(OrchestratorName.syncPageJobs, syncPageJobsOrchestrator);

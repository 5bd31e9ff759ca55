import type { z } from "zod";
import type { EngineServices } from "../engineServices";
import { ActivityName } from "../run/runContract";
import {
  applyConfluencePageInputSchema,
  applySharePointBatchInputSchema,
  commitRunInputSchema,
  prepareRunInputSchema,
  recordRunFailureInputSchema,
} from "./activityInputs";
import { applyConfluencePage } from "./applyConfluencePage";
import { applySharePointBatch } from "./applySharePointBatch";
import { commitRun } from "./commitRun";
import { listActiveProfiles } from "./listActiveProfiles";
import { prepareRun } from "./prepareRun";
import { recordRunFailure } from "./recordRunFailure";

/** One handler per activity name, as `df.app.activity` and the local Durable host take them. */
export type SyncActivities = Record<ActivityName, (input: unknown) => Promise<unknown>>;

/**
 * The bodies of the sync activities over `services`: what the `syncProfile` and `syncAllProfiles` orchestrators
 * schedule (see `runContract.ts`). Each validates its input (JSON from the task hub), returns the contract's tagged
 * result, and throws only failures worth retrying, which Durable retries with `activityRetryOptions`.
 */
export function createSyncActivities(services: EngineServices): SyncActivities {
  const checked =
    <S extends z.ZodType, R>(schema: S, body: (input: z.infer<S>) => Promise<R>) =>
    (input: unknown) =>
      body(schema.parse(input));
  return {
    [ActivityName.listActiveProfiles]: () => listActiveProfiles(services),
    [ActivityName.prepareRun]: checked(prepareRunInputSchema, (input) => prepareRun(services, input)),
    [ActivityName.applySharePointBatch]: checked(applySharePointBatchInputSchema, (input) =>
      applySharePointBatch(services, input),
    ),
    [ActivityName.applyConfluencePage]: checked(applyConfluencePageInputSchema, (input) =>
      applyConfluencePage(services, input),
    ),
    [ActivityName.commitRun]: checked(commitRunInputSchema, (input) => commitRun(services, input)),
    [ActivityName.recordRunFailure]: checked(recordRunFailureInputSchema, (input) => recordRunFailure(services, input)),
  };
}

export { applyConfluencePage, applySharePointBatch, commitRun, listActiveProfiles, prepareRun, recordRunFailure };

import type { z } from "zod";
import type { EngineServices } from "../engineServices";
import { applyPageWrite } from "../pages/applyPageWrite";
import { commitPagesRun } from "../pages/commitPagesRun";
import { linkCreatedPages } from "../pages/linkCreatedPages";
import { ActivityName } from "../run/runContract";
import {
  applyConfluencePageInputSchema,
  applyPageWriteInputSchema,
  applySharePointBatchInputSchema,
  commitPagesRunInputSchema,
  commitRunInputSchema,
  linkCreatedPagesInputSchema,
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
    [ActivityName.applyPageWrite]: checked(applyPageWriteInputSchema, (input) => applyPageWrite(services, input)),
    [ActivityName.linkCreatedPages]: checked(linkCreatedPagesInputSchema, (input) => linkCreatedPages(services, input)),
    [ActivityName.commitPagesRun]: checked(commitPagesRunInputSchema, (input) => commitPagesRun(services, input)),
  };
}

export { applyConfluencePage, applySharePointBatch, commitRun, listActiveProfiles, prepareRun, recordRunFailure };

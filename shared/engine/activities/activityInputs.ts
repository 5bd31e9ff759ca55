import { z } from "zod";

/**
 * Activity inputs arrive as JSON through the Durable task hub: checked here, at the edge, so an activity never
 * works on a malformed reference. Shapes of `runContract.ts`.
 */
const trigger = z.enum(["schedule", "webhook", "manual", "cli"]);
const runRef = z.object({ profileKey: z.string().min(1), runId: z.string().min(1), cycle: z.number().int().min(1) });
const problem = z.object({ code: z.string(), message: z.string() });

export const prepareRunInputSchema = runRef.extend({ dryRun: z.boolean(), trigger, startedAt: z.string() });
export const applySharePointBatchInputSchema = runRef.extend({ batchId: z.string().min(1) });
export const applyConfluencePageInputSchema = runRef;
export const commitRunInputSchema = runRef.extend({
  trigger,
  startedAt: z.string(),
  confluence: z.enum(["applied", "versionConflict", "failed", "notAttempted"]),
  failedBatchIds: z.array(z.string()),
  finalCycle: z.boolean(),
});
export const recordRunFailureInputSchema = runRef.extend({
  dryRun: z.boolean(),
  trigger,
  startedAt: z.string(),
  finishedAt: z.string(),
  problem,
});
export const applyPageWriteInputSchema = runRef.extend({ jobId: z.string().regex(/^j\d{4,}$/) });
export const linkCreatedPagesInputSchema = runRef;
export const commitPagesRunInputSchema = runRef.extend({
  trigger,
  startedAt: z.string(),
  failedBatchIds: z.array(z.string()),
  failedJobIds: z.array(z.string()),
});

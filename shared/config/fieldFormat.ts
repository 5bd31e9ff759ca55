import { z } from "zod";
import { type FieldFormat, STATUS_COLOURS, type StatusColour } from "../mapping/fieldFormat";

export type { FieldFormat, StatusColour };

/** A profile's `fields[].format`: the mapper's `FieldFormat` (shared/mapping/fieldFormat.ts), validated. */
export const statusColourSchema = z.enum(STATUS_COLOURS);

export const fieldFormatSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("text") }).strict(),
  z
    .object({
      kind: z.literal("status"),
      colours: z.record(z.string(), statusColourSchema).default({}),
      defaultColour: statusColourSchema.default("Grey"),
    })
    .strict(),
  z.object({ kind: z.literal("date") }).strict(),
  z.object({ kind: z.literal("link") }).strict(),
  z
    .object({
      kind: z.literal("mention"),
      accounts: z.record(z.string(), z.string()).default({}),
    })
    .strict(),
]) satisfies z.ZodType<FieldFormat>;

import type { z } from "zod";
import { GraphError, GraphErrorCodes } from "./graphError";

/** Validates a Graph response we depend on; a mismatch is a GraphError naming what was being read and where. */
export function parseGraphResponse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "unexpected shape";
  throw new GraphError(
    GraphErrorCodes.InvalidResponse,
    `${what}: response does not have the documented shape (${where})`,
    { transient: false },
  );
}

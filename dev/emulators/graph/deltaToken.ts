import { z } from "zod";

/**
 * State carried by the opaque `token` of `items/delta` links. "The state tokens also encode and include other query
 * parameters (such as `$select`) specified in the initial delta query request", so links are just `?token=…`.
 *
 * - `enumerate`: a first round (no token, or the restart a 410 points at) listing live items by id; `upTo` is the
 *   change sequence when the round began (set on its first page).
 * - `changes`: a later round listing what changed in (since, upTo].
 * - `link`: a deltaLink; the next call starts a `changes` round from `since`.
 */
const deltaStateSchema = z.object({
  l: z.string(),
  p: z.enum(["enumerate", "changes", "link"]),
  s: z.number().int().min(0).default(0),
  u: z.number().int().min(0).optional(),
  a: z.number().int().min(0).default(0),
  /** Issue time (emulator clock, ms); a token older than the TTL answers 410. */
  i: z.number(),
  q: z.object({ f: z.boolean(), sel: z.array(z.string()).optional(), top: z.number().int().optional() }),
});
export type DeltaState = z.infer<typeof deltaStateSchema>;

export function encodeDeltaToken(state: DeltaState): string {
  return Buffer.from(JSON.stringify(state), "utf8").toString("base64url");
}

export function decodeDeltaToken(token: string): DeltaState | undefined {
  try {
    const parsed = deltaStateSchema.safeParse(JSON.parse(Buffer.from(token, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

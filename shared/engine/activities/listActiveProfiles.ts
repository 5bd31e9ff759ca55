import type { EngineServices } from "../engineServices";

/**
 * The profiles the schedule syncs: every enabled one. A stored profile that no longer passes the schema is included
 * unless it says `enabled: false`, so its run records the problem where diagnostics show it.
 */
export async function listActiveProfiles(services: EngineServices): Promise<string[]> {
  const entries = await services.config.profiles.list();
  return entries
    .filter((entry) =>
      entry.valid ? entry.profile.enabled : (entry.document as { enabled?: unknown } | undefined)?.enabled !== false,
    )
    .map((entry) => entry.key);
}

import type { Clock, Logger } from "../runtime";
import type { StateStores } from "../state/stateStores";
import { type AppServices, subscriptionKeeper } from "./appServices";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How long a refresh token's claim is kept: past the 365 days a grant lives at most after its consent, rotation or not
 * (docs/references.md#confluence-rotating-refresh-tokens), plus a margin. A token claimed longer ago belongs to a dead
 * grant, so sending it again can revoke nothing; before that, its claim is what keeps a copy or an old version unsent.
 */
export const TOKEN_CLAIM_RETENTION_MS = 400 * DAY_MS;

/**
 * How long an expired consent `state` is kept: a day, so a late or replayed callback is still told "expired" or "used"
 * rather than "unknown" (it is refused either way).
 */
export const CONSENT_STATE_RETENTION_MS = DAY_MS;

/** Rows of each kind one pass removes at most, so the hourly timer stays short; the rest go on the next pass. */
export const HOUSEKEEPING_LIMIT = 500;

/** What one housekeeping pass removed; `undefined` where its sweep failed (logged, tried again next hour). */
export interface HousekeepingReport {
  consentStates: number | undefined;
  tokenClaims: number | undefined;
}

/**
 * Removes the state rows nothing else ever deletes (docs/operations.md#housekeeping): consent states a day after they
 * expired, used or not (`ConfluenceConsents`), and refresh-token claims older than a grant can live
 * (`ConfluenceGrants`, claim rows only). Bounded per pass; never throws: a failure is logged and the next pass retries.
 */
export async function sweepExpiredStateRows(
  services: { state: Pick<StateStores, "consents" | "confluenceGrants">; clock: Clock },
  logger: Logger,
  limit = HOUSEKEEPING_LIMIT,
): Promise<HousekeepingReport> {
  const now = services.clock.now();
  const sweep = async (table: string, run: () => Promise<number>): Promise<number | undefined> => {
    try {
      return await run();
    } catch (error) {
      logger.warn("housekeeping could not sweep a state table; the next pass tries again", {
        table,
        message: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
  };
  const report: HousekeepingReport = {
    consentStates: await sweep("ConfluenceConsents", () =>
      services.state.consents.sweep(now - CONSENT_STATE_RETENTION_MS, limit),
    ),
    tokenClaims: await sweep("ConfluenceGrants", () =>
      services.state.confluenceGrants.sweepClaims(now - TOKEN_CLAIM_RETENTION_MS, limit),
    ),
  };
  logger.info("housekeeping swept expired state rows", { ...report, limit });
  return report;
}

/**
 * The hourly timer: keeps every profile's change-notification subscription (SubscriptionKeeper), then sweeps expired
 * state rows. It rides on this timer so that housekeeping costs no trigger of its own; the sweep runs even when the
 * subscriptions' pass failed, whose error is then thrown as before.
 */
export async function hourlyMaintenance(services: AppServices, logger: Logger): Promise<HousekeepingReport> {
  let failure: { error: unknown } | undefined;
  try {
    await subscriptionKeeper(services, logger).maintain();
  } catch (error) {
    failure = { error };
  }
  const report = await sweepExpiredStateRows(services, logger);
  if (failure) throw failure.error;
  return report;
}

import { z } from "zod";
import type { ProfileIssue } from "../config/profileIssue";
import type { ConflictEntry, ConflictSettlementRecord } from "../state/conflictStore";
import type { GrantState } from "../state/grantLedger";
import type { SubscriptionRecord } from "../state/subscriptionStore";
import type { TokenRefreshRecord } from "../state/tokenRefreshHistory";

/**
 * What the diagnostics endpoints and `confluence-sync diagnostics` show, assembled from the stores' rows by pure
 * functions. Names of missing secrets appear; secret values, clientStates and tokens never do.
 */

export interface RunSummary {
  runId: string;
  outcome: string;
  trigger: string | null;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  counts: RunCounts | null;
  /** Why the run stopped, failed or was invalid. */
  problem: { code: string; message: string } | null;
}

export interface RunCounts {
  sharePoint: { created: number; updated: number; deleted: number };
  confluence: { created: number; updated: number; deleted: number };
  conflicts: number;
  errors: number;
}

export interface ProfileSummary {
  key: string;
  displayName: string | null;
  /** Null when the stored document is too broken to tell. */
  enabled: boolean | null;
  /** Passes the schema and has every secret it needs. */
  valid: boolean;
  missingSecrets: string[];
  errors: ProfileIssue[];
  lastRun: RunSummary | null;
  openConflicts: number;
}

export interface SubscriptionSummary {
  subscriptionId: string;
  expirationDateTime: string;
  /** Hours left, one decimal; negative once expired. */
  expiresInHours: number;
  /** Where Graph delivers, without any query string. */
  notificationUrl: string;
}

/**
 * The Confluence grant as the processes share it (the grant ledger), never a token: whether a rotated refresh token
 * is only in a process's memory because storing it fails, and whether a refresh was interrupted.
 */
export interface ConfluenceGrantSummary {
  /** Set while a process keeps a rotated refresh token it could not store yet; the secrets store needs attention. */
  unsavedSince: string | null;
  saveAttempts: number;
  lastSaveError: string | null;
  /** Set while a refresh is between the token call and the store (or died there). */
  exchangeStartedAt: string | null;
  /** Whether a process holds the lease now, and until when. */
  leaseHeldUntil: string | null;
  lastRotatedAt: string | null;
  rotations: number;
}

export interface ProfileDetail extends ProfileSummary {
  recentRuns: RunSummary[];
  subscriptions: SubscriptionSummary[];
  tokenRefreshes: Array<Omit<TokenRefreshRecord, "profileKey">>;
  /** Null before the app has refreshed the profile's token. */
  confluenceGrant: ConfluenceGrantSummary | null;
}

export interface ConflictView {
  id: string;
  kind: ConflictEntry["kind"];
  item: ConflictEntry["item"];
  field: string | null;
  /** Both sides' values (canonical form) and the last synced one, when known. */
  values: { sharePoint: unknown; confluence: unknown; base: unknown };
  resolution: string;
  message: string;
  openedAt: string;
  lastSeenAt: string;
  runId: string;
  /** Who settled it and how, waiting for the next run (or, once resolved, applied by it). Null when nobody did. */
  settlement: ConflictSettlementRecord | null;
  /** The last settlement a run found stale or could not write, and why; null when none. */
  reopened: NonNullable<ConflictEntry["reopened"]> | null;
}

export interface ProfileConflicts {
  profileKey: string;
  conflicts: ConflictView[];
}

const countsSchema = z.preprocess(
  // Records written before the JSON spelled the side `sharePoint` everywhere hold `sharepoint`.
  (counts) => {
    if (typeof counts !== "object" || counts === null || !("sharepoint" in counts) || "sharePoint" in counts)
      return counts;
    const { sharepoint, ...rest } = counts as Record<string, unknown>;
    return { ...rest, sharePoint: sharepoint };
  },
  z.object({
    sharePoint: z.object({ created: z.number(), updated: z.number(), deleted: z.number() }),
    confluence: z.object({ created: z.number(), updated: z.number(), deleted: z.number() }),
    conflicts: z.number(),
    errors: z.number(),
  }),
);

/** A stored run report, read leniently: older or partial records still summarise. */
const storedRunSchema = z.looseObject({
  runId: z.string(),
  outcome: z.string(),
  trigger: z.string().optional(),
  dryRun: z.boolean().optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  counts: countsSchema.optional().catch(undefined),
  problem: z.object({ code: z.string(), message: z.string() }).optional().catch(undefined),
});

/** Summarises a stored run record; one the schema cannot read is reported as such rather than dropped. */
export function summarizeRun(stored: unknown): RunSummary {
  const parsed = storedRunSchema.safeParse(stored);
  if (!parsed.success) {
    const runId =
      typeof (stored as { runId?: unknown } | null)?.runId === "string"
        ? (stored as { runId: string }).runId
        : "unknown";
    return {
      runId,
      outcome: "unreadable",
      trigger: null,
      dryRun: false,
      startedAt: "",
      finishedAt: "",
      counts: null,
      problem: null,
    };
  }
  const run = parsed.data;
  return {
    runId: run.runId,
    outcome: run.outcome,
    trigger: run.trigger ?? null,
    dryRun: run.dryRun ?? false,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    counts: run.counts ?? null,
    problem: run.problem ?? null,
  };
}

export interface ProfileFacts {
  key: string;
  /** The stored document: the validated profile, or whatever a broken one holds. */
  document: unknown;
  validation: { valid: boolean; missingSecrets: readonly string[]; errors: readonly ProfileIssue[] };
  lastRun: unknown;
  openConflicts: number;
}

export function summarizeProfile(facts: ProfileFacts): ProfileSummary {
  const isObject = typeof facts.document === "object" && facts.document !== null;
  const document = (isObject ? facts.document : {}) as { displayName?: unknown; enabled?: unknown };
  return {
    key: facts.key,
    displayName: typeof document.displayName === "string" ? document.displayName : null,
    // A document without `enabled` is enabled (the schema's default); one that is not even an object tells nothing.
    enabled: !isObject
      ? null
      : document.enabled === undefined
        ? true
        : typeof document.enabled === "boolean"
          ? document.enabled
          : null,
    valid: facts.validation.valid,
    missingSecrets: [...facts.validation.missingSecrets],
    errors: [...facts.validation.errors],
    lastRun: facts.lastRun === undefined ? null : summarizeRun(facts.lastRun),
    openConflicts: facts.openConflicts,
  };
}

export function detailProfile(
  summary: ProfileSummary,
  extra: {
    recentRuns: readonly unknown[];
    subscriptions: readonly SubscriptionRecord[];
    tokenRefreshes: readonly TokenRefreshRecord[];
    grant?: GrantState | undefined;
    now: number;
  },
): ProfileDetail {
  return {
    ...summary,
    recentRuns: extra.recentRuns.map(summarizeRun),
    subscriptions: extra.subscriptions.map((record) => summarizeSubscription(record, extra.now)),
    tokenRefreshes: extra.tokenRefreshes.map(({ profileKey: _profileKey, ...record }) => record),
    confluenceGrant: extra.grant === undefined ? null : summarizeGrant(extra.grant, extra.now),
  };
}

/** What an operator needs of the grant's shared state; its token fingerprint is deliberately absent. */
export function summarizeGrant(state: GrantState, now: number): ConfluenceGrantSummary {
  const at = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
  return {
    unsavedSince: at(state.unsavedSinceMs),
    saveAttempts: state.saveAttempts,
    lastSaveError: state.lastSaveError,
    exchangeStartedAt: at(state.exchangeStartedAtMs),
    leaseHeldUntil: state.holder !== null && state.leaseUntilMs > now ? at(state.leaseUntilMs) : null,
    lastRotatedAt: at(state.rotatedAtMs),
    rotations: state.rotations,
  };
}

/** Only what an operator needs; the clientState (a shared secret) is deliberately absent. */
export function summarizeSubscription(record: SubscriptionRecord, now: number): SubscriptionSummary {
  const expiresAt = Date.parse(record.expirationDateTime);
  return {
    subscriptionId: record.subscriptionId,
    expirationDateTime: record.expirationDateTime,
    expiresInHours: Number.isNaN(expiresAt) ? 0 : Math.round((expiresAt - now) / 360_000) / 10,
    notificationUrl: withoutQuery(record.notificationUrl),
  };
}

export function viewConflict(entry: ConflictEntry): ConflictView {
  return {
    id: entry.id,
    kind: entry.kind,
    item: entry.item,
    field: entry.field,
    values: {
      sharePoint: entry.values.sharePoint ?? null,
      confluence: entry.values.confluence ?? null,
      base: entry.values.base ?? null,
    },
    resolution: entry.resolution,
    message: entry.message,
    openedAt: entry.openedAt,
    lastSeenAt: entry.lastSeenAt,
    runId: entry.runId,
    settlement: entry.settlement ?? null,
    reopened: entry.reopened ?? null,
  };
}

function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url.split("?")[0] ?? "";
  }
}

import type { AxiosAdapter } from "axios";
import type { ConfluenceEmulator } from "../../dev/emulators/confluence/confluenceEmulator";
import type { ConfluenceSiteTarget } from "../../shared/confluence";
import {
  ConfluenceAuthClient,
  ConfluenceClient,
  ConfluenceTokenManager,
  type GrantTiming,
} from "../../shared/confluence";
import type { RetryPolicyOptions } from "../../shared/resilience";
import { type Clock, createMemoryLogger, SecretRedactor, systemClock } from "../../shared/runtime";
import { InMemorySecretsProvider } from "../../shared/secrets/inMemorySecretsProvider";
import { SecretNames, type SecretsProvider } from "../../shared/secrets/secretsProvider";
import type { GrantLedger } from "../../shared/state/grantLedger";
import type { TokenRefreshRecord, TokenRefreshRecorder } from "../../shared/state/tokenRefreshHistory";
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_CLOUD_ID, TEST_REFRESH_TOKEN } from "./confluenceSite";

export const PROFILE = "team-roster";

/** Fast, deterministic retries for tests: real policy, tiny delays. */
export const FAST_RETRY: Omit<RetryPolicyOptions, "retryOn"> = { initialDelayMs: 5, maxDelayMs: 20, random: () => 0.5 };

/** Records refreshes in memory, for tests that are not about Table Storage. */
export class MemoryRefreshHistory implements TokenRefreshRecorder {
  readonly records: TokenRefreshRecord[] = [];
  async append(record: TokenRefreshRecord): Promise<void> {
    this.records.push(record);
  }
}

/** The profile's secrets as an admin stores them after consenting, in the InMemorySecretsProvider seed shape. */
export function profileSecretValues(refreshToken = TEST_REFRESH_TOKEN): Record<string, Record<string, string>> {
  return {
    [PROFILE]: {
      [SecretNames.ConfluenceClientId]: TEST_CLIENT_ID,
      [SecretNames.ConfluenceClientSecret]: TEST_CLIENT_SECRET,
      [SecretNames.ConfluenceRefreshToken]: refreshToken,
    },
  };
}

export function profileSecrets(refreshToken = TEST_REFRESH_TOKEN): InMemorySecretsProvider {
  return new InMemorySecretsProvider(profileSecretValues(refreshToken));
}

export interface StackOptions {
  secrets?: SecretsProvider;
  history?: TokenRefreshRecorder;
  site?: ConfluenceSiteTarget;
  retry?: Omit<RetryPolicyOptions, "retryOn">;
  /** Wraps axios's http adapter (the transport seam), e.g. to observe headers. */
  adapter?: AxiosAdapter;
  /** Per-request timeout (milliseconds). */
  timeoutMs?: number;
  /** The process's clock (token expiry, leases); the emulator has its own. */
  clock?: Clock;
  /** The grant ledger this "process" shares with others (a TableGrantLedger in Azurite); process-local when absent. */
  ledger?: GrantLedger;
  timing?: Partial<GrantTiming>;
}

/** Lease and store timings for tests: short real-time waits, leases measured on the process clock. */
export const FAST_GRANT_TIMING: Partial<GrantTiming> = {
  leaseWaitMs: 5_000,
  leasePollInitialMs: 5,
  leasePollMaxMs: 20,
  saveRetryInitialMs: 5,
  saveRetryMaxMs: 20,
};

/** The whole client stack of one process, wired to an emulator the way the engine will wire it to Atlassian. */
export function connectStack(emulator: ConfluenceEmulator, options: StackOptions = {}) {
  const logger = createMemoryLogger();
  const redactor = new SecretRedactor();
  const secrets = options.secrets ?? profileSecrets();
  const history = options.history ?? new MemoryRefreshHistory();
  const retry = options.retry ?? FAST_RETRY;
  const transport = {
    ...(options.adapter ? { adapter: options.adapter } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  };
  const clock = options.clock ?? systemClock;
  const auth = new ConfluenceAuthClient({
    authBaseUrl: emulator.urls.authBaseUrl,
    apiBaseUrl: emulator.urls.apiBaseUrl,
    clock,
    logger,
    redactor,
    retry,
    ...transport,
  });
  const tokens = new ConfluenceTokenManager({
    auth,
    secrets,
    history,
    clock,
    logger,
    redactor,
    timing: { ...FAST_GRANT_TIMING, ...options.timing },
    ...(options.ledger ? { ledger: options.ledger } : {}),
  });
  const client = new ConfluenceClient({
    profileKey: PROFILE,
    site: options.site ?? { cloudId: TEST_CLOUD_ID },
    tokens,
    auth,
    apiBaseUrl: emulator.urls.apiBaseUrl,
    clock,
    logger,
    redactor,
    retry,
    ...transport,
  });
  return { auth, tokens, client, secrets, history, logger, redactor };
}

/** Served calls, as `METHOD path status`, from the emulator's request log. */
export function servedCalls(emulator: ConfluenceEmulator): string[] {
  return emulator.server.requestLog
    .entries()
    .map((e) => `${e.method} ${e.path.replace(`/ex/confluence/${TEST_CLOUD_ID}`, "")} ${e.status}`);
}

export function tokenCalls(emulator: ConfluenceEmulator): number {
  return emulator.server.requestLog.entries().filter((e) => e.path === "/oauth/token").length;
}

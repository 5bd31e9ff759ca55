import type { TokenCredential } from "@azure/identity";
import type { Profile } from "../config/profile";
import { assertProfileEndpointsAllowed } from "../config/profileEndpoints";
import {
  type ConfluenceAuthClient,
  type ConfluenceClient,
  ConfluenceTokenManager,
  type ConfluenceTransportOptions,
  confluenceAuthClientForProfile,
  confluenceClientForProfile,
} from "../confluence";
import type { RetryPolicyOptions } from "../resilience";
import { type Clock, globalRedactor, type Logger, type SecretRedactor, silentLogger, systemClock } from "../runtime";
import type { SecretsProvider } from "../secrets/secretsProvider";
import { EndpointAllowlist } from "../settings/endpointAllowlist";
import { graphApplicationRoles } from "../sharepoint/applicationRoles";
import { createGraphCredential } from "../sharepoint/graphCredential";
import { SharePointClient } from "../sharepoint/sharePointClient";
import type { GrantLedger } from "../state/grantLedger";
import type { TokenRefreshRecorder } from "../state/tokenRefreshHistory";

export interface ProfileConnectionsOptions {
  secrets: SecretsProvider;
  /** Where the Confluence token manager records every refresh. */
  tokenHistory?: TokenRefreshRecorder;
  /** The grant leases and refresh progress shared with every other process (the state's TableGrantLedger). */
  grantLedger?: GrantLedger;
  clock?: Clock;
  logger?: Logger;
  redactor?: SecretRedactor;
  /** Bounds of the shared retry policy for Graph calls (tests shorten them). */
  graphRetry?: RetryPolicyOptions;
  /** Bounds of the shared retry policy for Confluence calls, and its transport (tests shorten them). */
  confluenceRetry?: Omit<RetryPolicyOptions, "retryOn">;
  confluenceTransport?: ConfluenceTransportOptions;
  /** How long a Graph credential (and so a changed client secret) is reused. Default 15 minutes. */
  credentialTtlMs?: number;
  /** Where profiles may send credentials (the deployment's ALLOWED_*_HOSTS); the production default when absent. */
  endpoints?: EndpointAllowlist;
}

const DEFAULT_CREDENTIAL_TTL_MS = 15 * 60_000;

/**
 * Opens each profile's clients for one activity. The clients are new every time, so each one's request counter
 * counts exactly that activity's calls (a run report sums them); what is worth keeping lives here, per process:
 * Graph credentials (they cache their tokens), the one Confluence token manager (single-flight refreshes of the
 * rotating refresh token), and Confluence cloud ids resolved from site URLs.
 */
export class ProfileConnections {
  readonly tokens: ConfluenceTokenManager;
  readonly #options: ProfileConnectionsOptions;
  readonly #clock: Clock;
  readonly #credentials = new Map<
    string,
    { fingerprint: string; createdMs: number; credential: Promise<TokenCredential> }
  >();
  readonly #authClients = new Map<string, { fingerprint: string; client: ConfluenceAuthClient }>();
  readonly #cloudIds = new Map<string, Promise<string>>();

  constructor(options: ProfileConnectionsOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.tokens = new ConfluenceTokenManager({
      auth: (profileKey) => {
        const entry = this.#authClients.get(profileKey);
        // Every client is opened through `confluence()`, which registers the profile's auth client first.
        if (entry === undefined) throw new Error(`profile "${profileKey}": no Confluence connection was opened`);
        return entry.client;
      },
      secrets: options.secrets,
      ...(options.tokenHistory ? { history: options.tokenHistory } : {}),
      ...(options.grantLedger ? { ledger: options.grantLedger } : {}),
      clock: this.#clock,
      logger: this.#logger,
      redactor: this.#redactor,
    });
  }

  get #logger(): Logger {
    return this.#options.logger ?? silentLogger;
  }

  get #endpoints(): EndpointAllowlist {
    return this.#options.endpoints ?? EndpointAllowlist.production;
  }

  get #redactor(): SecretRedactor {
    return this.#options.redactor ?? globalRedactor;
  }

  /** A fresh SharePoint client for the profile's list, over the profile's (cached) Graph credential. */
  async sharePoint(profile: Profile): Promise<SharePointClient> {
    // Checked on every use, not only when the credential was made: the cached credential outlives profile edits.
    assertProfileEndpointsAllowed(profile, this.#endpoints);
    const credential = await this.#credential(profile);
    return SharePointClient.withCredential(
      credential,
      { siteId: profile.sharePoint.siteId, listId: profile.sharePoint.listId },
      {
        logger: this.#logger,
        clock: this.#clock,
        redactor: this.#redactor,
        ...(this.#options.graphRetry ? { retry: this.#options.graphRetry } : {}),
        ...(profile.endpoints.graphBaseUrl ? { graphBaseUrl: profile.endpoints.graphBaseUrl } : {}),
      },
    );
  }

  /**
   * The application permissions (the `roles` claim) of the Graph token the profile's credential gets, for
   * diagnostics (`confluence-sync check`); `undefined` when the token does not say.
   */
  async graphRoles(profile: Profile): Promise<string[] | undefined> {
    assertProfileEndpointsAllowed(profile, this.#endpoints);
    const { roles } = await graphApplicationRoles(await this.#credential(profile), profile.endpoints.graphBaseUrl);
    return roles;
  }

  /** A fresh Confluence client for the profile's site, sharing the process's token manager. */
  async confluence(profile: Profile): Promise<ConfluenceClient> {
    const auth = this.#authClient(profile);
    const common = {
      tokens: this.tokens,
      auth,
      endpoints: this.#endpoints,
      clock: this.#clock,
      logger: this.#logger,
      redactor: this.#redactor,
      ...(this.#options.confluenceRetry ? { retry: this.#options.confluenceRetry } : {}),
      ...this.#options.confluenceTransport,
    };
    if (profile.confluence.cloudId !== undefined) return confluenceClientForProfile(profile, common);
    // Resolve the site URL once per process; later clients get the cloud id pinned (no accessible-resources call).
    const siteKey = `${profile.key}|${profile.confluence.siteUrl ?? ""}`;
    let cloudId = this.#cloudIds.get(siteKey);
    if (cloudId === undefined) {
      const resolving = confluenceClientForProfile(profile, common).cloudId();
      cloudId = resolving;
      this.#cloudIds.set(siteKey, resolving);
      resolving.catch(() => this.#cloudIds.delete(siteKey));
    }
    const pinned = { ...profile, confluence: { ...profile.confluence, cloudId: await cloudId } };
    return confluenceClientForProfile(pinned, common);
  }

  /** The profile's Atlassian OAuth client (consent exchanges, accessible-resources), held to the allowlist. */
  confluenceAuth(profile: Profile): ConfluenceAuthClient {
    return this.#authClient(profile);
  }

  /** Forgets the profile's cached Graph credential (after it was refused, say). */
  forgetGraphCredential(profileKey: string): void {
    this.#credentials.delete(profileKey);
  }

  #credential(profile: Profile): Promise<TokenCredential> {
    const fingerprint = JSON.stringify([profile.sharePoint.auth, profile.endpoints.authorityHost ?? null]);
    const now = this.#clock.now();
    const cached = this.#credentials.get(profile.key);
    const ttl = this.#options.credentialTtlMs ?? DEFAULT_CREDENTIAL_TTL_MS;
    if (cached !== undefined && cached.fingerprint === fingerprint && now - cached.createdMs < ttl)
      return cached.credential;
    const credential = createGraphCredential(profile, this.#options.secrets, {
      redactor: this.#redactor,
      endpoints: this.#endpoints,
    });
    this.#credentials.set(profile.key, { fingerprint, createdMs: now, credential });
    credential.catch(() => {
      if (this.#credentials.get(profile.key)?.credential === credential) this.#credentials.delete(profile.key);
    });
    return credential;
  }

  #authClient(profile: Profile): ConfluenceAuthClient {
    const fingerprint = JSON.stringify([
      profile.endpoints.confluenceAuthBaseUrl ?? null,
      profile.endpoints.confluenceApiBaseUrl ?? null,
    ]);
    const cached = this.#authClients.get(profile.key);
    if (cached !== undefined && cached.fingerprint === fingerprint) return cached.client;
    const client = confluenceAuthClientForProfile(profile, {
      endpoints: this.#endpoints,
      clock: this.#clock,
      logger: this.#logger,
      redactor: this.#redactor,
      ...(this.#options.confluenceRetry ? { retry: this.#options.confluenceRetry } : {}),
      ...this.#options.confluenceTransport,
    });
    this.#authClients.set(profile.key, { fingerprint, client });
    return client;
  }
}

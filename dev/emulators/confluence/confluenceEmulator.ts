import type { Clock } from "../../../shared/runtime";
import { EmulatorServer, pathOf } from "../common/emulatorServer";
import type { EmulatorStarter, RunningEmulator } from "../common/runningEmulator";
import type { EmulatorCertificate } from "../common/tls";
import { registerAdminRoutes } from "./adminRoutes";
import { type ConfluenceSeed, parseConfluenceSeed } from "./confluenceSeed";
import { EmulatorClock } from "./emulatorClock";
import { type ConfluenceEmulatorContext, iso } from "./emulatorContext";
import { EmulatorRandom } from "./emulatorRandom";
import { faultBodyFor } from "./errorBodies";
import { registerOAuthRoutes } from "./oauthRoutes";
import { registerPageRoutes } from "./pageRoutes";
import { registerPagesAdminRoutes } from "./pagesAdminRoutes";
import { registerPageTreeRoutes } from "./pageTreeRoutes";
import { type PointsQuota, registerPointsQuota } from "./pointsQuota";
import { registerPropertyRoutes } from "./propertyRoutes";
import { type QuotaDecision, RequestQuota } from "./requestQuota";
import { registerSearchRoutes } from "./searchRoutes";
import { currentVersion, SiteContent } from "./siteContent";
import { TokenFamilies } from "./tokenFamilies";
import { versionJson } from "./wireShapes";

export interface ConfluenceEmulatorOptions {
  /** HTTPS certificate; plain HTTP when absent (the profile schema accepts http for loopback tests). */
  certificate?: EmulatorCertificate;
  /** Base time source (default: real time); the emulator adds its own controllable offset. */
  clock?: Clock;
  port?: number;
}

/** A running Confluence emulator, with in-process handles for tests that prefer them to the admin surface. */
export interface ConfluenceEmulator extends RunningEmulator {
  /** `baseUrl` (the origin, for `/_admin/`), `authBaseUrl` (auth.atlassian.com), `apiBaseUrl` (api.atlassian.com). */
  urls: { baseUrl: string; authBaseUrl: string; apiBaseUrl: string };
  readonly seed: ConfluenceSeed;
  readonly server: EmulatorServer;
  readonly clock: EmulatorClock;
  readonly content: SiteContent;
  readonly tokens: TokenFamilies;
  /** The points quota, when the seed sets one. */
  readonly points: PointsQuota | undefined;
  /** What `GET /_admin/state` serves. */
  state(): Record<string, unknown>;
}

/**
 * Confluence Cloud on loopback: auth.atlassian.com's token endpoint and api.atlassian.com's accessible-resources
 * and `/ex/confluence/{cloudId}/wiki/...` gateway, all on one origin (clients keep both base URLs configurable).
 * Faithful to docs/references.md#confluence-cloud, including rotation with family revocation, expiring access tokens,
 * 409 on stale versions, cursor pagination and 429s with Atlassian's rate-limit headers.
 */
export async function startConfluenceEmulator(
  seedInput: unknown,
  options: ConfluenceEmulatorOptions = {},
): Promise<ConfluenceEmulator> {
  const seed = parseConfluenceSeed(seedInput);
  const clock = new EmulatorClock(options.clock);
  const tokens = new TokenFamilies({
    clock,
    reuseLeewayMs: seed.oauth.reuseLeewaySeconds * 1000,
    reuseRule: seed.oauth.reuseRule,
    accessTokenLifetimeMs: seed.oauth.accessTokenExpiresIn * 1000,
    inactivityMs: seed.oauth.inactivityExpirySeconds * 1000,
    absoluteLifetimeMs: seed.oauth.absoluteExpirySeconds * 1000,
    scopes: seed.oauth.scopes,
  });
  for (const refreshToken of seed.oauth.refreshTokens) tokens.consent(refreshToken);
  const content = new SiteContent(seed, clock);
  const siteBase = `${seed.siteUrl.replace(/\/+$/, "")}/wiki`;

  const state = (): Record<string, unknown> => ({
    cloudId: seed.cloudId,
    siteUrl: seed.siteUrl,
    now: iso(clock.now()),
    clockOffsetMs: clock.offsetMs,
    spaces: content.spaces.map((s) => ({ id: s.id, key: s.key, name: s.name, homepageId: s.homepageId })),
    pages: content.pages().map((page) => {
      const version = currentVersion(page);
      return {
        id: page.id,
        spaceId: page.spaceId,
        parentId: page.parentId,
        title: version.title,
        status: page.status,
        body: version.body,
        version: versionJson(version),
        versionHistory: page.versions.map(({ title: _title, body: _body, ...meta }) => versionJson(meta)),
        labels: page.labels.map((l) => l.name),
        properties: page.properties.map((p) => ({
          id: p.id,
          key: p.key,
          value: p.value,
          version: versionJson(p.version),
        })),
      };
    }),
    tokenFamilies: tokens.view(),
  });

  const server = new EmulatorServer({
    name: "confluence",
    ...(options.certificate ? { tls: options.certificate } : {}),
    faultBody: (status, request) => faultBodyFor(status, pathOf(request)),
    state,
    // Confluence's request limit is 5 MB (413 above it); leave headroom for the JSON envelope.
    bodyLimitBytes: 6 * 1024 * 1024,
  });

  // The seed's quota, if any, applies to every served call (admin calls excepted), injected faults first.
  const quota = seed.rateLimit
    ? new RequestQuota(seed.rateLimit.limit, seed.rateLimit.windowSeconds * 1000, clock)
    : undefined;
  const decisions = new WeakMap<object, QuotaDecision>();
  server.app.addHook("onRequest", async (request, reply) => {
    if (!quota || pathOf(request).startsWith("/_admin/") || reply.sent) return;
    const decision = quota.take();
    decisions.set(request, decision);
    if (decision.allowed) return;
    reply.header("Retry-After", String(Math.max(1, Math.ceil((decision.resetAtMs - clock.now()) / 1000))));
    await reply
      .code(429)
      .type("application/json")
      .send(JSON.stringify(faultBodyFor(429, pathOf(request))));
  });

  // Every 429 — injected or from the quota — carries Atlassian's rate-limit headers
  // (docs/references.md#confluence-rate-limits); with a quota, every response reports what is left of it.
  server.app.addHook("onSend", async (request, reply, payload) => {
    const decision = decisions.get(request);
    const limit = String(quota?.limit ?? 65000);
    if (decision && reply.statusCode !== 429) {
      reply.header("X-RateLimit-Limit", limit);
      reply.header("X-RateLimit-Remaining", String(decision.remaining));
      if (decision.remaining < 0.2 * Number(limit)) reply.header("X-RateLimit-NearLimit", "true");
    }
    if (reply.statusCode !== 429) return payload;
    const retryAfterSeconds = Number(reply.getHeader("retry-after") ?? 0) || 0;
    const resetAt = new Date(decision?.resetAtMs ?? clock.now() + retryAfterSeconds * 1000).toISOString();
    reply.header("X-RateLimit-Limit", limit);
    reply.header("X-RateLimit-Remaining", "0");
    reply.header("X-RateLimit-Reset", resetAt);
    reply.header("RateLimit-Reason", "confluence-quota-global-based");
    reply.header("Beta-RateLimit-Policy", `"global-app-quota";q=${limit};w=${seed.rateLimit?.windowSeconds ?? 3600}`);
    reply.header("Beta-RateLimit", `"global-app-quota";r=0;t=${Math.ceil(retryAfterSeconds)}`);
    return payload;
  });

  const random = new EmulatorRandom(seed.randomSeed);
  const context: ConfluenceEmulatorContext = { server, seed, clock, tokens, content, siteBase, random };
  const points = registerPointsQuota(context);
  registerOAuthRoutes(context);
  registerPageRoutes(context);
  registerPageTreeRoutes(context);
  registerPropertyRoutes(context);
  registerSearchRoutes(context);
  registerAdminRoutes(context);
  registerPagesAdminRoutes(context);

  const origin = await server.listen(options.port ?? 0);
  return {
    name: "confluence",
    urls: { baseUrl: origin, authBaseUrl: origin, apiBaseUrl: origin },
    seed,
    server,
    clock,
    content,
    tokens,
    points,
    state,
    close: () => server.close(),
  };
}

/** The registry's starter for the `confluence` seed section. */
export const startConfluence: EmulatorStarter = (seedSection, { certificate }) =>
  startConfluenceEmulator(seedSection, { certificate });

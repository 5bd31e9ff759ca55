import { rm } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { EMULATOR_ENDPOINT_SETTINGS } from "../../dev/emulators/emulatorEndpoints";
import { openConfigServices, readAppSettings } from "../../shared/config";
import { runCliInProcess } from "../helpers/cli";
import { cliProfileFor } from "../helpers/cliProfile";
import { TEST_CLIENT_SECRET as CONFLUENCE_CLIENT_SECRET } from "../helpers/confluenceSite";
import { type ConsentLanding, consentByHttp, freePort } from "../helpers/consentByHttp";
import { type SyncHarness, type SyncHarnessOptions, sampleItems, startSyncHarness } from "../helpers/syncHarness";
import { azuriteLocation } from "../helpers/tables";

/**
 * `confluence-sync connect confluence` end to end against the Confluence emulator's authorization-code flow, the
 * person's browser played with plain HTTP (test/helpers/consentByHttp.ts): the consent screen, the loopback callback,
 * the exchange, the site and scope checks, the refresh token stored, and a sync that then works with it.
 */

let harness: SyncHarness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await harness?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  harness = undefined;
  dir = undefined;
});

/** A CLI environment with the harness's profile under a fresh key, without a refresh token (never connected). */
async function cliWithEmulator(oauth: Record<string, unknown>, options: SyncHarnessOptions = {}) {
  const port = await freePort();
  const redirectUri = `http://localhost:${port}/callback`;
  harness = await startSyncHarness({
    items: sampleItems(2),
    confluenceOAuth: { callbackUrls: [redirectUri], ...oauth },
    ...options,
  });
  const h = harness;
  const cli = await cliProfileFor(h, { keyPrefix: "cli", connected: false });
  dir = cli.dir;
  const { key, env } = cli;
  const cwd = cli.dir;
  const storedToken = async () => {
    const reopened = await openConfigServices(readAppSettings(env, cwd));
    try {
      return await reopened.secrets.get(key, "ConfluenceRefreshToken");
    } finally {
      reopened.close();
    }
  };
  /** Runs `connect confluence` while a person answers the consent screen in "their browser". */
  const connect = async (browse: (url: string) => Promise<ConsentLanding>, ...extra: string[]) => {
    let landing: Promise<ConsentLanding> | undefined;
    const result = await runCliInProcess(
      ["connect", "confluence", key, "--redirect-uri", redirectUri, "--timeout", "20", ...extra],
      {
        env,
        cwd,
        openUrl: async (url) => {
          landing = browse(url);
        },
      },
    );
    return { result, landing: await landing };
  };
  const run = (...args: string[]) => runCliInProcess(args, { env, cwd });
  return { key, h, redirectUri, connect, run, storedToken };
}

describe("confluence-sync connect confluence", () => {
  it("asks for offline_access and the scopes the profile needs, stores the token, and the next sync works", async () => {
    const cli = await cliWithEmulator({});
    // Never connected: the profile cannot run until a consent stores its refresh token.
    expect((await cli.run("sync", cli.key)).stderr).toContain("ConfluenceRefreshToken");
    let asked: URL | undefined;
    const { result, landing } = await cli.connect(async (url) => {
      asked = new URL(url);
      return consentByHttp(url);
    }, "--json");
    expect(result.stderr).not.toContain("error");
    expect(result.code).toBe(0);
    expect(asked?.searchParams.get("scope")).toBe("offline_access read:page:confluence write:page:confluence");
    expect(asked?.searchParams.get("prompt")).toBe("consent");
    expect(asked?.searchParams.get("redirect_uri")).toBe(cli.redirectUri);
    expect(JSON.parse(result.stdout)).toMatchObject({
      profileKey: cli.key,
      site: { cloudId: cli.h.confluence.seed.cloudId, url: cli.h.confluence.seed.siteUrl },
      stored: true,
    });
    expect(landing).toMatchObject({ status: 200, body: expect.stringContaining("Connected") });
    // Neither the page nor the output shows the code or a token.
    const stored = await cli.storedToken();
    expect(stored).toBeDefined();
    const code = new URL(landing!.url).searchParams.get("code")!;
    for (const secret of [stored!, code, CONFLUENCE_CLIENT_SECRET])
      expect(result.stdout + result.stderr + landing!.body).not.toContain(secret);
    const synced = await cli.run("sync", cli.key, "--json");
    expect(synced.code).toBe(0);
    expect(JSON.parse(synced.stdout).outcome).toBe("completed");
  });

  it("refuses a consent for another site: nothing is stored", async () => {
    const other = { id: "9b2c0c5e-other-site", name: "Fabrikam", url: "https://fabrikam.atlassian.net" };
    const cli = await cliWithEmulator({}, { confluenceSeed: { additionalResources: [other] } });
    const { result, landing } = await cli.connect((url) => consentByHttp(url, { site: other.id }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("CONSENT_SITE_MISMATCH");
    expect(landing?.body).toContain("Nothing was stored");
    expect(await cli.storedToken()).toBeUndefined();
  });

  it("reports the scopes the app lacks and stores nothing", async () => {
    const cli = await cliWithEmulator({ scopes: ["read:page:confluence", "offline_access"] });
    const { result } = await cli.connect((url) => consentByHttp(url));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/CONSENT_SCOPES_MISSING: .*write:page:confluence/);
    expect(await cli.storedToken()).toBeUndefined();
  });

  it("a declined consent stores nothing", async () => {
    const cli = await cliWithEmulator({});
    const { result, landing } = await cli.connect((url) => consentByHttp(url, { decision: "cancel" }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("access_denied");
    expect(landing?.body).toContain("Nothing was stored");
    expect(await cli.storedToken()).toBeUndefined();
  });

  it("ignores a callback with another state, and still takes the real one", async () => {
    const cli = await cliWithEmulator({});
    const { result } = await cli.connect(async (url) => {
      const forged = await fetch(`${cli.redirectUri}?code=attacker-code&state=guessed`);
      expect(forged.status).toBe(400);
      return consentByHttp(url);
    });
    expect(result.code).toBe(0);
    expect(await cli.storedToken()).toBeDefined();
  });

  it("--paste takes the address the browser was sent to, checked like a callback", async () => {
    const cli = await cliWithEmulator({});
    let consentUrl = "";
    const result = await runCliInProcess(
      ["connect", "confluence", cli.key, "--redirect-uri", cli.redirectUri, "--paste", "--timeout", "20"],
      {
        env: { CONFLUENCE_SYNC_HOME: "home", ...EMULATOR_ENDPOINT_SETTINGS, AzureWebJobsStorage: connectionString() },
        cwd: dir!,
        openUrl: async (url) => {
          consentUrl = url;
        },
        // Nothing listens on the callback: the person copies the address the browser was sent to.
        readLine: async () => (await consentByHttp(consentUrl, { stopAt: new URL(cli.redirectUri).origin })).url,
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Profile "${cli.key}" is connected`);
    expect(await cli.storedToken()).toBeDefined();
  });
});

function connectionString(): string {
  const location = azuriteLocation();
  return location.kind === "connectionString" ? location.connectionString : "";
}

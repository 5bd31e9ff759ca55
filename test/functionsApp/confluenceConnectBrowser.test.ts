import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_ENDPOINT_SETTINGS } from "../../dev/emulators/emulatorEndpoints";
import { openConfigServices, readAppSettings } from "../../shared/config";
import { runCliInProcess } from "../helpers/cli";
import { TEST_REFRESH_TOKEN } from "../helpers/confluenceSite";
import { type ConsentApp, startConsentApp } from "../helpers/consentApp";
import { freePort } from "../helpers/consentByHttp";
import { HARNESS_PROFILE, harnessSecretValues, startSyncHarness } from "../helpers/syncHarness";
import { azuriteLocation } from "../helpers/tables";

/**
 * The consent in a real browser: Debian's Chromium, headless, driven by playwright-core, clicking through the
 * Confluence emulator's consent screen for the Function App's routes and for `connect confluence`'s loopback. CI's
 * fresh clone has no Chromium: then these are skipped, and the same flows are covered over plain HTTP
 * (test/functionsApp/confluenceConnect.test.ts, test/cli/connectConfluence.test.ts).
 */
const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
const title = available
  ? "the consent in headless Chromium"
  : `the consent in headless Chromium (skipped: ${CHROMIUM} is absent; apt-get install chromium to run it; plain-HTTP tests cover the same flow)`;

// The reason shows in the test output whatever the reporter (a skipped suite's title alone does not).
if (!available) console.warn(`confluenceConnectBrowser.test.ts: ${title}`);

describe.skipIf(!available)(title, () => {
  let browser: Browser;

  beforeAll(async () => {
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A person on the consent screen: picks the site, reads the scopes, clicks Accept. */
  async function consent(page: Page, siteId: string): Promise<string[]> {
    await page.waitForSelector("#accept");
    const scopes = await page.locator("#scopes li").allTextContents();
    await page.selectOption("#site", siteId);
    await page.click("#accept");
    return scopes;
  }

  it("Function App: start, consent screen, callback page; the token is stored", async () => {
    const app: ConsentApp = await startConsentApp();
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      await page.goto(app.startUrl);
      const scopes = await consent(page, app.h.confluence.seed.cloudId);
      expect(scopes).toEqual(["offline_access", "read:page:confluence", "write:page:confluence"]);
      await page.waitForURL((url) => url.pathname === "/api/connect/confluence/callback");
      expect(await page.locator("h1").textContent()).toBe("Connected");
      expect(await page.locator("p").textContent()).toContain(`Profile "${HARNESS_PROFILE}" is connected`);
      const stored = await app.h.secrets.get(HARNESS_PROFILE, "ConfluenceRefreshToken");
      expect(stored).not.toBe(TEST_REFRESH_TOKEN);
      expect(await page.content()).not.toContain(stored!);
      // Back and reload the callback: the state is spent.
      await page.reload();
      expect(await page.locator("h1").textContent()).toBe("Nothing was stored");
    } finally {
      await context.close();
      await app.close();
    }
  });

  it("connect confluence: the command opens the address, the browser lands on its loopback callback", async () => {
    const port = await freePort();
    const redirectUri = `http://localhost:${port}/callback`;
    const h = await startSyncHarness({ confluenceOAuth: { callbackUrls: [redirectUri] } });
    const dir = await mkdtemp(path.join(os.tmpdir(), "cs-browser-"));
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const location = azuriteLocation();
      const env = {
        CONFLUENCE_SYNC_HOME: "home",
        AzureWebJobsStorage: location.kind === "connectionString" ? location.connectionString : "",
        ...EMULATOR_ENDPOINT_SETTINGS,
      };
      const key = `cli-${randomBytes(4).toString("hex")}`;
      const config = await openConfigServices(readAppSettings(env, dir));
      try {
        await config.profiles.save({ ...h.profile, key } as never);
        const { ConfluenceRefreshToken: _, ...secrets } = harnessSecretValues();
        for (const [name, value] of Object.entries(secrets)) await config.secrets.set(key, name as never, value);
      } finally {
        config.close();
      }
      const page = await context.newPage();
      let landed: Promise<string> | undefined;
      const result = await runCliInProcess(
        ["connect", "confluence", key, "--redirect-uri", redirectUri, "--timeout", "30"],
        {
          env,
          cwd: dir,
          openUrl: async (url) => {
            landed = (async () => {
              await page.goto(url);
              await consent(page, h.confluence.seed.cloudId);
              await page.waitForURL((next) => next.port === String(port));
              await page.waitForSelector("h1");
              return (await page.locator("h1").textContent()) ?? "";
            })();
          },
        },
      );
      expect(result.code).toBe(0);
      expect(await landed).toBe("Connected");
      expect(result.stdout).toContain(`Profile "${key}" is connected`);
    } finally {
      await context.close();
      await rm(dir, { recursive: true, force: true });
      await h.close();
    }
  });
});

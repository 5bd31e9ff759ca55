import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  generateEmulatorCertificate,
  trustCertificateInProcess,
  writeCertificateFile,
} from "../../dev/emulators/common/tls";
import { type ConfluenceEmulator, startConfluenceEmulator } from "../../dev/emulators/confluence/confluenceEmulator";
import { EMULATOR_ENDPOINT_SETTINGS } from "../../dev/emulators/emulatorEndpoints";
import { openConfigServices, profileSchema, readAppSettings } from "../../shared/config";
import { SecretNames } from "../../shared/secrets";
import { spawnCli } from "../helpers/cli";
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_REFRESH_TOKEN, testSeed } from "../helpers/confluenceSite";
import { tokenCalls } from "../helpers/confluenceStack";
import { azuriteLocation } from "../helpers/tables";

/**
 * Two real processes (the built CLI, `inspect-page --profile`, each refreshing the profile's Confluence token) start
 * at the same moment over the same secrets (SQLite config.db), the same Azurite (the grant ledger) and the same
 * Atlassian (the emulator, with NO reuse leeway: any second use of a refresh token revokes the grant). Each token call
 * is slow, so without a lease both would send the same stored token. With it, the second waits for the first, reads
 * what the first stored, and rotates that.
 */
describe("two processes refreshing one grant at once", () => {
  let emulator: ConfluenceEmulator;
  let dir: string;
  let caFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "grant-race-"));
    const certificate = await generateEmulatorCertificate();
    trustCertificateInProcess(certificate.cert);
    caFile = await writeCertificateFile(dir, certificate.cert);
    emulator = await startConfluenceEmulator(
      testSeed({
        oauth: {
          clientId: TEST_CLIENT_ID,
          clientSecret: TEST_CLIENT_SECRET,
          refreshTokens: [TEST_REFRESH_TOKEN],
          reuseLeewaySeconds: 0,
        },
      }),
      { certificate },
    );
  });
  afterAll(async () => {
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("leaves the grant alive: the second process waits for the lease and uses what the first stored", async () => {
    const location = azuriteLocation();
    const env = {
      CONFLUENCE_SYNC_HOME: "home",
      AzureWebJobsStorage: location.kind === "connectionString" ? location.connectionString : "",
      NODE_EXTRA_CA_CERTS: caFile,
      ...EMULATOR_ENDPOINT_SETTINGS,
    };
    const key = `race-${randomBytes(4).toString("hex")}`;
    const config = await openConfigServices(readAppSettings(env, dir));
    try {
      await config.profiles.save(
        profileSchema.parse({
          key,
          sharePoint: { siteId: "contoso.sharepoint.com,1,2", listId: "l" },
          confluence: { cloudId: testSeed().cloudId, target: { mode: "table", pageId: "98306" } },
          fields: [{ sharePoint: "Title", confluence: "Name" }],
          endpoints: {
            confluenceAuthBaseUrl: emulator.urls.authBaseUrl,
            confluenceApiBaseUrl: emulator.urls.apiBaseUrl,
          },
        }),
      );
      await config.secrets.set(key, SecretNames.ConfluenceClientId, TEST_CLIENT_ID);
      await config.secrets.set(key, SecretNames.ConfluenceClientSecret, TEST_CLIENT_SECRET);
      await config.secrets.set(key, SecretNames.ConfluenceRefreshToken, TEST_REFRESH_TOKEN);
    } finally {
      config.close();
    }
    emulator.server.faults.add({ method: "POST", path: "^/oauth/token$", latencyMs: 1_500, times: -1 });

    const runs = [0, 1].map(() => {
      const child = spawnCli(["inspect-page", "--profile", key, "--json"], { env, cwd: dir });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      return once(child, "exit").then(([code]) => ({ code, stderr }));
    });
    const results = await Promise.all(runs);
    expect(results).toEqual([
      { code: 0, stderr: "" },
      { code: 0, stderr: "" },
    ]);

    expect(tokenCalls(emulator)).toBe(2);
    expect(emulator.state().tokenFamilies).toEqual([expect.objectContaining({ revoked: false, refreshCount: 2 })]);
    const after = await openConfigServices(readAppSettings(env, dir));
    try {
      const stored = await after.secrets.get(key, SecretNames.ConfluenceRefreshToken);
      // The stored token is the newest one: a third refresh works.
      const answer = await fetch(`${emulator.urls.authBaseUrl}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          grant_type: "refresh_token",
          client_id: TEST_CLIENT_ID,
          client_secret: TEST_CLIENT_SECRET,
          refresh_token: stored,
        }),
      });
      expect(answer.status).toBe(200);
    } finally {
      after.close();
    }
  });
});

import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { SecretClient } from "@azure/keyvault-secrets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningKeyVaultEmulator } from "../../../dev/emulators/keyVault/keyVaultEmulator";
import { startEmulatorsFromSeed } from "../../../dev/emulators/startEmulators";
import { fixedTokenCredential, startTestKeyVault, TEST_VAULT_TOKEN } from "../../helpers/keyVault";

const API = "api-version=2026-04-01";

describe("Key Vault emulator, on the wire", () => {
  let kv: RunningKeyVaultEmulator;

  beforeAll(async () => {
    kv = await startTestKeyVault({ secrets: { "seeded-one": "s1", "seeded-two": "s2" } });
  });
  afterAll(() => kv.close());

  async function call(method: string, path: string, options: { token?: string | null; body?: unknown } = {}) {
    const token = options.token === undefined ? TEST_VAULT_TOKEN : options.token;
    const response = await fetch(`${kv.vaultUrl}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as Record<string, any>) : undefined,
    };
  }

  it("challenges a request without a token: 401 + WWW-Authenticate naming the tenant and the vault resource", async () => {
    const response = await call("PUT", `/secrets/x?${API}`, { token: null });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(
      'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000aa", resource="https://vault.azure.net"',
    );
    expect(response.body).toEqual({
      error: { code: "Unauthorized", message: expect.stringContaining("missing a Bearer") },
    });
  });

  it("rejects a token its seed does not accept", async () => {
    const response = await call("GET", `/secrets/seeded-one?${API}`, { token: "someone-elses-token" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("resource=");
  });

  it("requires a known api-version", async () => {
    expect((await call("GET", "/secrets/seeded-one")).body).toEqual({
      error: { code: "BadParameter", message: expect.stringContaining("api-version") },
    });
    expect((await call("GET", "/secrets/seeded-one?api-version=1999-01-01")).status).toBe(400);
  });

  it("validates names as Key Vault does", async () => {
    const response = await call("PUT", `/secrets/bad_name?${API}`, { body: { value: "v" } });
    expect(response.status).toBe(400);
    expect(response.body?.error.code).toBe("BadParameter");
    expect((await call("PUT", `/secrets/${"a".repeat(128)}?${API}`, { body: { value: "v" } })).status).toBe(400);
    expect((await call("PUT", `/secrets/${"a".repeat(127)}?${API}`, { body: { value: "v" } })).status).toBe(200);
  });

  it("versions every set, reads the latest or a given version, and answers 404 SecretNotFound", async () => {
    const first = await call("PUT", `/secrets/rotating?${API}`, { body: { value: "one" } });
    const second = await call("PUT", `/secrets/rotating?${API}`, { body: { value: "two" } });
    expect(first.body).toMatchObject({
      value: "one",
      id: expect.stringMatching(new RegExp(`^${kv.vaultUrl}/secrets/rotating/[0-9a-f]{32}$`)),
      attributes: {
        enabled: true,
        created: expect.any(Number),
        updated: expect.any(Number),
        recoveryLevel: "Recoverable+Purgeable",
      },
    });
    expect(second.body?.id).not.toBe(first.body?.id);
    expect((await call("GET", `/secrets/rotating?${API}`)).body?.value).toBe("two");
    const firstVersion = String(first.body?.id).split("/").at(-1);
    expect((await call("GET", `/secrets/rotating/${firstVersion}?${API}`)).body?.value).toBe("one");
    expect((await call("GET", `/secrets/ROTATING?${API}`)).body?.value).toBe("two"); // names ignore case

    const missing = await call("GET", `/secrets/nope?${API}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: "SecretNotFound", message: expect.stringContaining("nope") } });
  });

  it("pages the list with nextLink and honours maxresults (1..25)", async () => {
    for (let i = 0; i < 5; i++) await call("PUT", `/secrets/page-${i}?${API}`, { body: { value: `v${i}` } });
    const seen: string[] = [];
    let next: string | null = `/secrets?${API}&maxresults=2`;
    let pages = 0;
    while (next) {
      const page = await call("GET", next.replace(kv.vaultUrl, ""));
      expect(page.status).toBe(200);
      expect(page.body?.value.length).toBeLessThanOrEqual(2);
      for (const item of page.body?.value ?? []) {
        expect(item).not.toHaveProperty("value");
        seen.push(String(item.id).replace(`${kv.vaultUrl}/secrets/`, ""));
      }
      next = page.body?.nextLink ?? null;
      pages++;
    }
    expect(pages).toBeGreaterThanOrEqual(4);
    expect(seen).toEqual(expect.arrayContaining(["page-0", "page-4", "seeded-one", "seeded-two"]));
    expect(new Set(seen).size).toBe(seen.length);
    expect((await call("GET", `/secrets?${API}&maxresults=26`)).body?.error.code).toBe("BadParameter");
  });

  it("soft-deletes: the name conflicts (409) until purged, and a recovered secret keeps its value", async () => {
    await call("PUT", `/secrets/doomed?${API}`, { body: { value: "keep-me" } });
    const deleted = await call("DELETE", `/secrets/doomed?${API}`);
    expect(deleted.body).toMatchObject({
      recoveryId: `${kv.vaultUrl}/deletedsecrets/doomed`,
      deletedDate: expect.any(Number),
      scheduledPurgeDate: expect.any(Number),
      id: expect.stringContaining("/secrets/doomed/"),
    });
    expect(deleted.body).not.toHaveProperty("value");
    expect((await call("GET", `/secrets/doomed?${API}`)).status).toBe(404);

    const conflict = await call("PUT", `/secrets/doomed?${API}`, { body: { value: "again" } });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toEqual({
      error: {
        code: "Conflict",
        message: expect.stringContaining("deleted but recoverable state"),
        innererror: { code: "ObjectIsDeletedButRecoverable" },
      },
    });

    expect((await call("GET", `/deletedsecrets/doomed?${API}`)).status).toBe(200);
    expect((await call("POST", `/deletedsecrets/doomed/recover?${API}`)).status).toBe(200);
    expect((await call("GET", `/secrets/doomed?${API}`)).body?.value).toBe("keep-me");

    await call("DELETE", `/secrets/doomed?${API}`);
    expect((await call("DELETE", `/deletedsecrets/doomed?${API}`)).status).toBe(204);
    expect((await call("GET", `/deletedsecrets/doomed?${API}`)).status).toBe(404);
    expect((await call("PUT", `/secrets/doomed?${API}`, { body: { value: "fresh" } })).status).toBe(200);
  });

  it("serves disabled secrets as 403 SecretDisabled", async () => {
    await call("PUT", `/secrets/switched-off?${API}`, { body: { value: "v", attributes: { enabled: false } } });
    const response = await call("GET", `/secrets/switched-off?${API}`);
    expect(response.status).toBe(403);
    expect(response.body?.error.innererror.code).toBe("SecretDisabled");
  });

  it("reports its state and logs the calls it served", async () => {
    const state = (await (await fetch(`${kv.vaultUrl}/_admin/state`)).json()) as {
      secrets: Record<string, string>;
      versions: Record<string, number>;
    };
    expect(state.secrets["seeded-one"]).toBe("s1");
    expect(state.versions.rotating).toBe(2);
    const log = (await (await fetch(`${kv.vaultUrl}/_admin/requests`)).json()) as Array<{
      method: string;
      status: number;
    }>;
    expect(log.some((entry) => entry.status === 401)).toBe(true);
  });
});

describe("Key Vault emulator with the real SecretClient", () => {
  it("completes the challenge with the seed's tenant and the vault scope, then sets, reads, lists and deletes", async () => {
    const kv = await startTestKeyVault();
    try {
      const credential = fixedTokenCredential();
      const client = new SecretClient(kv.vaultUrl, credential, { disableChallengeResourceVerification: true });
      const set = await client.setSecret("sdk-secret", "v1");
      expect(set.properties.version).toMatch(/^[0-9a-f]{32}$/);
      await client.setSecret("sdk-secret", "v2");
      expect((await client.getSecret("sdk-secret")).value).toBe("v2");
      expect((await client.getSecret("sdk-secret", { version: set.properties.version! })).value).toBe("v1");
      expect(credential.requests[0]).toEqual({
        scopes: ["https://vault.azure.net/.default"],
        tenantId: "00000000-0000-0000-0000-0000000000aa",
      });

      const names: string[] = [];
      for await (const page of client.listPropertiesOfSecrets().byPage({ maxPageSize: 1 }))
        names.push(...page.map((p) => p.name));
      expect(names).toEqual(["sdk-secret"]);

      const poller = await client.beginDeleteSecret("sdk-secret", { intervalInMs: 1 });
      const deleted = await poller.pollUntilDone();
      expect(deleted.recoveryId).toBe(`${kv.vaultUrl}/deletedsecrets/sdk-secret`);
      await client.purgeDeletedSecret("sdk-secret");
      await expect(client.getSecret("sdk-secret")).rejects.toMatchObject({ statusCode: 404, code: "SecretNotFound" });
    } finally {
      await kv.close();
    }
  });

  it("keeps a just-deleted name in the 'being deleted' state for the configured number of requests", async () => {
    const kv = await startTestKeyVault({ deletionPendingRequests: 2 });
    try {
      const client = new SecretClient(kv.vaultUrl, fixedTokenCredential(), {
        disableChallengeResourceVerification: true,
      });
      await client.setSecret("slow", "v");
      const poller = await client.beginDeleteSecret("slow", { intervalInMs: 1 });
      await poller.pollUntilDone();
      const log = (await (await fetch(`${kv.vaultUrl}/_admin/requests`)).json()) as Array<{
        method: string;
        path: string;
        status: number;
      }>;
      expect(log.filter((e) => e.path === "/deletedsecrets/slow").map((e) => e.status)).toEqual([404, 404, 200]);
    } finally {
      await kv.close();
    }
  });

  it("refuses to purge under purge protection (403) and reports recoveryLevel Recoverable", async () => {
    const kv = await startTestKeyVault({ purgeProtection: true, secrets: { guarded: "g" } });
    try {
      const client = new SecretClient(kv.vaultUrl, fixedTokenCredential(), {
        disableChallengeResourceVerification: true,
      });
      expect((await client.getSecret("guarded")).properties.recoveryLevel).toBe("Recoverable");
      await (await client.beginDeleteSecret("guarded", { intervalInMs: 1 })).pollUntilDone();
      await expect(client.purgeDeletedSecret("guarded")).rejects.toMatchObject({ statusCode: 403 });
    } finally {
      await kv.close();
    }
  });

  it("rejects an invalid seed with the section and path", async () => {
    await expect(startTestKeyVault({ secrets: { "bad name": "x" } })).rejects.toThrow(/keyVault\.secrets/);
  });
});

describe("Key Vault emulator in the registry", () => {
  it("starts from the seed's keyVault section and reports its vault URL in the ports", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "cs-kv-seed-"));
    const started = await startEmulatorsFromSeed({ keyVault: { tenantId: "t" } }, dir);
    try {
      expect(started.ports.keyVault).toEqual({ vaultUrl: expect.stringMatching(/^https:\/\/localhost:\d+$/) });
    } finally {
      await started.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

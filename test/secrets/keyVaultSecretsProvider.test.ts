import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningKeyVaultEmulator } from "../../dev/emulators/keyVault/keyVaultEmulator";
import { createMemoryLogger } from "../../shared/runtime";
import { SecretDeleted, SecretNameUnmappable, SecretsStoreError } from "../../shared/secrets";
import { emulatedKeyVaultProvider, startTestKeyVault, TEST_VAULT_TOKEN } from "../helpers/keyVault";

type VaultState = { secrets: Record<string, string>; versions: Record<string, number>; deletedSecrets: string[] };

async function state(kv: RunningKeyVaultEmulator): Promise<VaultState> {
  return (await (await fetch(`${kv.vaultUrl}/_admin/state`)).json()) as VaultState;
}

async function requests(kv: RunningKeyVaultEmulator): Promise<Array<{ method: string; path: string; status: number }>> {
  return (await (await fetch(`${kv.vaultUrl}/_admin/requests`)).json()) as Array<{
    method: string;
    path: string;
    status: number;
  }>;
}

/** Acts as an admin in the portal: a raw call with a valid token, outside the provider. */
async function adminCall(kv: RunningKeyVaultEmulator, method: string, path: string, body?: unknown): Promise<number> {
  const response = await fetch(`${kv.vaultUrl}${path}${path.includes("?") ? "&" : "?"}api-version=7.5`, {
    method,
    headers: { authorization: `Bearer ${TEST_VAULT_TOKEN}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return response.status;
}

const uniqueKey = () => `kv-${randomBytes(4).toString("hex")}`;

describe("KeyVaultSecretsProvider", () => {
  let kv: RunningKeyVaultEmulator;
  beforeAll(async () => {
    kv = await startTestKeyVault({
      secrets: {
        "unrelated-db-password": "not-ours",
        ...Object.fromEntries(
          Array.from({ length: 30 }, (_, i) => [`bulk--Secret${String(i).padStart(2, "0")}`, `v${i}`]),
        ),
      },
    });
  });
  afterAll(() => kv.close());
  beforeEach(async () => {
    await fetch(`${kv.vaultUrl}/_admin/requests`, { method: "DELETE" });
    await fetch(`${kv.vaultUrl}/_admin/faults`, { method: "DELETE" });
  });

  it("stores each secret as {profileKey}--{SecretName}, one new version per set", async () => {
    const key = uniqueKey();
    const secrets = emulatedKeyVaultProvider(kv);
    await secrets.set(key, "ConfluenceRefreshToken", "rt-1");
    await secrets.set(key, "ConfluenceRefreshToken", "rt-2");
    const vault = await state(kv);
    expect(vault.secrets[`${key}--ConfluenceRefreshToken`]).toBe("rt-2");
    expect(vault.versions[`${key}--ConfluenceRefreshToken`]).toBe(2);
  });

  it("rejects names it cannot map before calling the vault", async () => {
    const secrets = emulatedKeyVaultProvider(kv);
    await expect(secrets.set("contoso_hr", "GraphClientId", "v")).rejects.toBeInstanceOf(SecretNameUnmappable);
    await expect(secrets.get("contoso", "Graph-Id")).rejects.toBeInstanceOf(SecretNameUnmappable);
    await expect(secrets.listNames("a--b")).rejects.toBeInstanceOf(SecretNameUnmappable);
    expect(await requests(kv)).toEqual([]);
  });

  it("lists through every page, leaving out other apps' secrets, other profiles and disabled secrets", async () => {
    const secrets = emulatedKeyVaultProvider(kv);
    const names = await secrets.listNames("bulk");
    expect(names).toHaveLength(30);
    expect(names[0]).toBe("Secret00");
    expect(
      (await requests(kv)).filter((r) => r.method === "GET" && r.path === "/secrets").length,
    ).toBeGreaterThanOrEqual(2);

    const key = uniqueKey();
    await secrets.set(key, "GraphClientId", "enabled");
    expect(
      await adminCall(kv, "PUT", `/secrets/${key}--GraphClientSecret`, {
        value: "off",
        attributes: { enabled: false },
      }),
    ).toBe(200);
    expect(await secrets.listNames(key)).toEqual(["GraphClientId"]);
    expect(await secrets.get(key, "GraphClientSecret")).toBeUndefined();
  });

  it("matches the profile prefix ignoring case, as Key Vault names do", async () => {
    const key = uniqueKey();
    const secrets = emulatedKeyVaultProvider(kv);
    await secrets.set(key, "GraphTenantId", "tenant");
    expect(await secrets.listNames(key.toUpperCase())).toEqual(["GraphTenantId"]);
    expect(await secrets.get(key.toUpperCase(), "GraphTenantId")).toBe("tenant");
  });

  it("deletes by soft delete + purge, so the name is free again and its old versions are gone", async () => {
    const key = uniqueKey();
    const secrets = emulatedKeyVaultProvider(kv);
    await secrets.set(key, "GraphClientSecret", "old");
    await secrets.delete(key, "GraphClientSecret");
    const vault = await state(kv);
    expect(vault.deletedSecrets).not.toContain(`${key}--GraphClientSecret`);
    expect(vault.versions[`${key}--GraphClientSecret`]).toBeUndefined();
    const calls = (await requests(kv))
      .filter((r) => r.path.includes(key))
      .map((r) => `${r.method} ${r.path.replace(key, "K")} ${r.status}`);
    expect(calls).toEqual(
      expect.arrayContaining([
        "DELETE /secrets/K--GraphClientSecret 200",
        "DELETE /deletedsecrets/K--GraphClientSecret 204",
      ]),
    );
  });

  it("never brings back a secret an admin soft-deleted to stop the profile: SECRET_DELETED, nothing recovered", async () => {
    const key = uniqueKey();
    const secrets = emulatedKeyVaultProvider(kv);
    await secrets.set(key, "ConfluenceRefreshToken", "rt-old-value");
    expect(await adminCall(kv, "DELETE", `/secrets/${key}--ConfluenceRefreshToken`)).toBe(200);
    expect(await secrets.get(key, "ConfluenceRefreshToken")).toBeUndefined();

    const error = await secrets.set(key, "ConfluenceRefreshToken", "rt-new-value").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretDeleted);
    expect(error).toMatchObject({
      code: "SECRET_DELETED",
      profileKey: key,
      secretName: "ConfluenceRefreshToken",
      transient: false,
    });
    expect((error as Error).message).toContain("az keyvault secret recover");
    expect(JSON.stringify(error) + (error as Error).message).not.toMatch(/rt-(old|new)-value/);
    // Still deleted, nothing recovered, no new version; one PUT (409), no retry (401s are the SDK's auth challenge).
    expect(await secrets.get(key, "ConfluenceRefreshToken")).toBeUndefined();
    expect((await state(kv)).deletedSecrets).toContain(`${key}--ConfluenceRefreshToken`);
    const calls = (await requests(kv))
      .filter((r) => r.path.includes(key) && r.status !== 401)
      .map((r) => `${r.method} ${r.status}`);
    expect(calls.filter((c) => c.startsWith("PUT"))).toEqual(["PUT 200", "PUT 409"]);
    expect(calls.some((c) => c.startsWith("POST"))).toBe(false);
  });

  it("retries Key Vault's transient 'being recovered' conflict on set", async () => {
    const key = uniqueKey();
    await fetch(`${kv.vaultUrl}/_admin/faults`, {
      method: "POST",
      body: JSON.stringify({
        method: "PUT",
        path: key,
        status: 409,
        times: 2,
        body: {
          error: {
            code: "Conflict",
            message: "Secret is currently being recovered",
            innererror: { code: "ObjectIsBeingRecovered" },
          },
        },
      }),
    });
    await emulatedKeyVaultProvider(kv).set(key, "GraphClientId", "eventually");
    expect((await state(kv)).secrets[`${key}--GraphClientId`]).toBe("eventually");
  });

  it("reports other failures as SecretsStoreError naming profile and secret, without the value", async () => {
    const key = uniqueKey();
    await fetch(`${kv.vaultUrl}/_admin/faults`, {
      method: "POST",
      body: JSON.stringify({
        method: "PUT",
        path: key,
        status: 403,
        body: { error: { code: "Forbidden", message: "The user does not have secrets set permission" } },
      }),
    });
    const error = await emulatedKeyVaultProvider(kv)
      .set(key, "GraphClientSecret", "super-secret-value-123")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsStoreError);
    expect((error as SecretsStoreError).code).toBe("SECRETS_STORE_FAILED");
    expect((error as SecretsStoreError).status).toBe(403);
    expect((error as Error).message).toContain(key);
    expect((error as Error).message).toContain("GraphClientSecret");
    expect(JSON.stringify(error)).not.toContain("super-secret-value-123");
    expect(String((error as Error).message) + String((error as Error).stack)).not.toContain("super-secret-value-123");
    expect((error as Error).cause).toBeUndefined();
  });

  it("reports a credential that cannot get a token as SecretsStoreError", async () => {
    const secrets = emulatedKeyVaultProvider(kv, {
      credential: {
        getToken: async () => {
          throw new Error("no managed identity endpoint available");
        },
      },
    });
    await expect(secrets.get(uniqueKey(), "GraphClientId")).rejects.toThrow(
      /get secret "GraphClientId".*no managed identity/,
    );
  });
});

describe("KeyVaultSecretsProvider against a vault with purge protection and slow deletes", () => {
  let kv: RunningKeyVaultEmulator;
  beforeAll(async () => {
    kv = await startTestKeyVault({ purgeProtection: true, deletionPendingRequests: 2 });
  });
  afterAll(() => kv.close());

  it("waits for the deletion, leaves the secret recoverable when purge is forbidden, and a later set is refused", async () => {
    const key = uniqueKey();
    const logger = createMemoryLogger();
    const secrets = emulatedKeyVaultProvider(kv, { logger });
    await secrets.set(key, "GraphClientSecret", "first");
    await secrets.delete(key, "GraphClientSecret");
    expect((await state(kv)).deletedSecrets).toContain(`${key}--GraphClientSecret`);
    expect(await secrets.listNames(key)).toEqual([]);
    expect(logger.records.map((r) => r.message)).toContain(
      "Key Vault secret left soft-deleted: purging is not allowed here",
    );

    await expect(secrets.set(key, "GraphClientSecret", "second")).rejects.toMatchObject({ code: "SECRET_DELETED" });
    expect(await secrets.get(key, "GraphClientSecret")).toBeUndefined();
    expect((await state(kv)).versions[`${key}--GraphClientSecret`]).toBe(1);
    expect(JSON.stringify(logger.records)).not.toMatch(/first|second/);
  });
});

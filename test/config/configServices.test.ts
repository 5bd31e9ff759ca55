import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createProfileStore,
  InvalidAppSetting,
  openConfigServices,
  readAppSettings,
  SqliteProfileStore,
  TableProfileStore,
} from "../../shared/config";
import { createSecretsProvider, KeyVaultSecretsProvider, SqliteSecretsProvider } from "../../shared/secrets";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";
import { validProfile } from "./profileFixtures";

describe("openConfigServices / createSecretsProvider", () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), "cs-services-"));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it("defaults to SQLite for both, in one config.db under CONFLUENCE_SYNC_HOME resolved against cwd", async () => {
    const services = await openConfigServices(readAppSettings({ CONFLUENCE_SYNC_HOME: "state/home" }, cwd));
    try {
      expect(services.secrets).toBeInstanceOf(SqliteSecretsProvider);
      expect(services.profiles).toBeInstanceOf(SqliteProfileStore);
      await services.profiles.save(validProfile("local"));
      await services.secrets.set("local", "GraphClientId", "gid");
      expect(existsSync(path.join(cwd, "state/home/config.db"))).toBe(true);
      expect((await services.validator.validateStored("local")).missingSecrets).not.toContain("GraphClientId");
    } finally {
      services.close();
    }
    const reopened = await openConfigServices(readAppSettings({ CONFLUENCE_SYNC_HOME: "state/home" }, cwd));
    try {
      expect(await reopened.secrets.get("local", "GraphClientId")).toBe("gid");
    } finally {
      reopened.close();
    }
  });

  it("uses Key Vault and Table Storage in Azure, without opening SQLite", async () => {
    const home = path.join(cwd, "azure-home");
    const services = await openConfigServices(
      readAppSettings(
        { WEBSITE_INSTANCE_ID: "abc", KEY_VAULT_URL: "https://kv-test.vault.azure.net", CONFLUENCE_SYNC_HOME: home },
        cwd,
      ),
      { tableStorage: azuriteLocation(), credential: { getToken: async () => null } },
    );
    services.close();
    expect(services.secrets).toBeInstanceOf(KeyVaultSecretsProvider);
    expect(services.profiles).toBeInstanceOf(TableProfileStore);
    expect(existsSync(home)).toBe(false);
  });

  it("takes the profile table from AzureWebJobsStorage when PROFILE_STORE=table", async () => {
    const tableName = uniqueTablePrefix("svc");
    const location = azuriteLocation();
    if (location.kind !== "connectionString") throw new Error("the test Azurite is reached by connection string");
    const settings = readAppSettings({ PROFILE_STORE: "table", AzureWebJobsStorage: location.connectionString }, cwd);
    const store = await createProfileStore(settings, { tableName });
    await store.save(validProfile("from-settings"));
    expect((await store.list()).map((e) => e.key)).toEqual(["from-settings"]);
  });

  it("fails with a typed error naming the setting when Key Vault has no URL or a malformed one", () => {
    for (const env of [
      { SECRETS_PROVIDER: "keyvault" },
      { SECRETS_PROVIDER: "keyvault", KEY_VAULT_URL: "kv-name-only" },
    ]) {
      const error = (() => {
        try {
          createSecretsProvider(readAppSettings(env, cwd));
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(InvalidAppSetting);
      expect((error as InvalidAppSetting).code).toBe("APP_SETTING_INVALID");
      expect((error as Error).message).toContain("KEY_VAULT_URL");
    }
  });

  it("fails with a typed error when profiles should be in Table Storage but no storage is configured", async () => {
    const error = await openConfigServices(readAppSettings({ PROFILE_STORE: "table" }, cwd)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidAppSetting);
    expect((error as Error).message).toContain("AzureWebJobsStorage");
  });
});

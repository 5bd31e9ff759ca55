import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openConfigDatabase,
  ProfileNotFound,
  ProfileValidator,
  requiredSecretNames,
  SqliteProfileStore,
} from "../../shared/config";
import {
  InMemorySecretsProvider,
  SecretNames,
  type SecretsProvider,
  SqliteSecretsProvider,
} from "../../shared/secrets";
import { profileInput, validProfile } from "./profileFixtures";

const ALL_SECRETS = Object.fromEntries(Object.values(SecretNames).map((name) => [name, `value-of-${name}-0123456789`]));

/** Records every call, so tests can prove the validator never asks for a value. */
function spyingSecrets(inner: SecretsProvider): SecretsProvider & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    get: async (k, n) => {
      calls.push(`get ${n}`);
      return inner.get(k, n);
    },
    set: async (k, n, v) => inner.set(k, n, v),
    listNames: async (k) => {
      calls.push("listNames");
      return inner.listNames(k);
    },
    delete: async (k, n) => inner.delete(k, n),
  };
}

describe("requiredSecretNames", () => {
  it("needs Confluence OAuth always and Graph app credentials unless SharePoint uses managed identity", () => {
    expect(requiredSecretNames(validProfile("a"))).toEqual([
      "ConfluenceClientId",
      "ConfluenceClientSecret",
      "ConfluenceRefreshToken",
      "GraphTenantId",
      "GraphClientId",
      "GraphClientSecret",
    ]);
    expect(
      requiredSecretNames(
        validProfile("a", { sharePoint: { siteId: "s", listId: "l", auth: { mode: "managedIdentity" } } }),
      ),
    ).toEqual(["ConfluenceClientId", "ConfluenceClientSecret", "ConfluenceRefreshToken"]);
    expect(requiredSecretNames(null)).toHaveLength(6);
  });
});

describe("ProfileValidator", () => {
  it("passes a valid profile with every required secret, reading presence only", async () => {
    const secrets = spyingSecrets(new InMemorySecretsProvider({ good: ALL_SECRETS }));
    const result = await new ProfileValidator(secrets).validate(profileInput("good"));
    expect(result).toEqual({ valid: true, profileKey: "good", missingSecrets: [], errors: [] });
    expect(secrets.calls).toEqual(["listNames"]);
    expect(JSON.stringify(result)).not.toContain("value-of-");
  });

  it("names the missing secrets, and none of Graph's under managed identity", async () => {
    const secrets = new InMemorySecretsProvider({ partial: { ConfluenceClientId: "id", GraphClientId: "gid" } });
    const validator = new ProfileValidator(secrets);
    expect(await validator.validate(profileInput("partial"))).toEqual({
      valid: false,
      profileKey: "partial",
      missingSecrets: ["ConfluenceClientSecret", "ConfluenceRefreshToken", "GraphTenantId", "GraphClientSecret"],
      errors: [],
    });
    const mi = await validator.validate(
      profileInput("partial", { sharePoint: { siteId: "s", listId: "l", auth: { mode: "managedIdentity" } } }),
    );
    expect(mi.missingSecrets).toEqual(["ConfluenceClientSecret", "ConfluenceRefreshToken"]);
  });

  it("lists every schema problem with its JSON path, and still checks secrets when the key is usable", async () => {
    const validator = new ProfileValidator(new InMemorySecretsProvider());
    const result = await validator.validate({
      ...profileInput("broken"),
      direction: "sideways",
      fields: [
        { sharePoint: "Title", confluence: "Title" },
        { sharePoint: "Title", confluence: "Other" },
        { sharePoint: "", confluence: "X", colour: "red" },
      ],
      confluence: { target: { mode: "table", pageId: "abc" } },
    });
    expect(result.valid).toBe(false);
    expect(result.profileKey).toBe("broken");
    expect(result.errors.map((e) => e.path).sort()).toEqual(
      [
        "confluence.siteUrl",
        "confluence.target.pageId",
        "direction",
        "fields[2].colour",
        "fields[2].sharePoint",
      ].sort(),
    );
    expect(result.missingSecrets).toHaveLength(6);
  });

  it("reports an unusable key as an error at `key` and does not look up secrets", async () => {
    const secrets = spyingSecrets(new InMemorySecretsProvider());
    const result = await new ProfileValidator(secrets).validate(profileInput("contoso_hr"));
    expect(result).toMatchObject({ valid: false, profileKey: null, missingSecrets: [] });
    expect(result.errors).toEqual([{ path: "key", message: expect.stringContaining("Key Vault") }]);
    expect(secrets.calls).toEqual([]);
    expect((await new ProfileValidator(secrets).validate("not an object")).errors).toEqual([
      { path: "(root)", message: expect.any(String) },
    ]);
  });

  describe("validateStored", () => {
    let home: string;
    let database: ReturnType<typeof openConfigDatabase>;
    beforeAll(async () => {
      home = await mkdtemp(path.join(os.tmpdir(), "cs-validator-"));
      database = openConfigDatabase(home);
    });
    afterAll(async () => {
      database.close();
      await rm(home, { recursive: true, force: true });
    });

    it("validates a stored profile by key; unknown keys are ProfileNotFound", async () => {
      const profiles = new SqliteProfileStore(database);
      const secrets = new SqliteSecretsProvider(database);
      await profiles.save(validProfile("stored"));
      for (const [name, value] of Object.entries(ALL_SECRETS)) await secrets.set("stored", name, value);
      const validator = new ProfileValidator(secrets, profiles);
      expect(await validator.validateStored("stored")).toEqual({
        valid: true,
        profileKey: "stored",
        missingSecrets: [],
        errors: [],
      });
      await secrets.delete("stored", "GraphClientSecret");
      expect((await validator.validateStored("stored")).missingSecrets).toEqual(["GraphClientSecret"]);
      await expect(validator.validateStored("nobody")).rejects.toBeInstanceOf(ProfileNotFound);
    });

    it("turns a stored document that no longer passes the schema into errors, not a failure", async () => {
      const profiles = new SqliteProfileStore(database);
      database
        .prepare("INSERT OR REPLACE INTO Profiles (ProfileKey, Profile, UpdatedAt) VALUES (?, ?, ?)")
        .run(
          "stale",
          JSON.stringify({ ...validProfile("stale"), massDeleteLimitPercent: 150 }),
          new Date().toISOString(),
        );
      const result = await new ProfileValidator(new InMemorySecretsProvider(), profiles).validateStored("stale");
      expect(result).toMatchObject({ valid: false, profileKey: "stale", errors: [{ path: "massDeleteLimitPercent" }] });
      expect(result.missingSecrets).toHaveLength(6);
    });
  });
});

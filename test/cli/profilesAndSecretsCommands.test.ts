import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openConfigServices } from "../../shared/config/configServices";
import { readAppSettings } from "../../shared/settings/appSettings";
import { exampleProfileFile, exampleProfilePath, profileInput } from "../config/profileFixtures";
import { type CliResult, runCliInProcess, spawnCli } from "../helpers/cli";
import { azuriteLocation } from "../helpers/tables";

/** Secret values used in these tests; none may ever appear in any output. */
const SECRET_VALUES = {
  ConfluenceClientId: "conf-client-id-7f3a9",
  ConfluenceClientSecret: "conf-client-secret-Qx81!",
  ConfluenceRefreshToken: "conf-refresh-token-zz91k",
  GraphTenantId: "graph-tenant-4be1c",
  GraphClientId: "graph-client-id-0d2e7",
  GraphClientSecret: "graph-client-secret-Lm55~",
};

function expectNoSecretIn(result: CliResult, extra: string[] = []): void {
  const output = result.stdout + result.stderr;
  for (const value of [...Object.values(SECRET_VALUES), ...extra]) expect(output).not.toContain(value);
}

describe("confluence-sync profiles / secrets", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCliInProcess(args, { env, cwd: dir });
  const writeJson = async (name: string, value: unknown) => {
    const file = path.join(dir, name);
    await writeFile(file, typeof value === "string" ? value : JSON.stringify(value, null, 2), "utf8");
    return name;
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "cs-cli-"));
    env = { CONFLUENCE_SYNC_HOME: "home" };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  describe("profiles import", () => {
    it("stores the example profile and its secrets, and says it is ready to sync", async () => {
      const file = await writeJson("profile.json", { ...exampleProfileFile(), secrets: SECRET_VALUES });
      const result = await cli("profiles", "import", file);
      expect(result).toMatchObject({ code: 0, stderr: "" });
      expect(result.stdout).toContain('imported profile "contoso-projects"');
      expect(result.stdout).toContain("ready to sync");
      expectNoSecretIn(result);
      expect(existsSync(path.join(dir, "home", "config.db"))).toBe(true);

      const secrets = await cli("secrets", "list", "contoso-projects");
      expect(secrets.stdout.trim().split("\n")).toEqual(Object.keys(SECRET_VALUES).sort());
      expect((await cli("profiles", "validate", "contoso-projects")).code).toBe(0);
    });

    it("imports the example file as shipped (placeholders as values) without echoing them", async () => {
      const result = await cli("profiles", "import", exampleProfilePath);
      expect(result.code).toBe(0);
      expectNoSecretIn(result, Object.values(exampleProfileFile().secrets as Record<string, string>));
    });

    it("imports a profile without secrets and names what is still missing", async () => {
      const file = await writeJson("p.json", profileInput("no-secrets"));
      const result = await cli("profiles", "import", file, "--json");
      expect(result.code).toBe(0);
      const output = JSON.parse(result.stdout) as {
        profileKey: string;
        storedSecrets: string[];
        validation: { valid: boolean; missingSecrets: string[] };
      };
      expect(output).toMatchObject({ profileKey: "no-secrets", storedSecrets: [], validation: { valid: false } });
      expect(output.validation.missingSecrets).toHaveLength(6);
    });

    it("rejects a file that fails the schema with every problem and its path, storing nothing", async () => {
      const file = await writeJson("bad.json", {
        ...profileInput("bad-profile"),
        conflictPolicy: "loudest-wins",
        fields: [{ sharePoint: "Title" }],
        secrets: { ...SECRET_VALUES, GraphPassword: "another-secret-9911" },
      });
      const result = await cli("profiles", "import", file);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("nothing was stored");
      for (const problem of ["conflictPolicy:", "fields[0].confluence:", "secrets.GraphPassword: unknown secret name"])
        expect(result.stderr).toContain(problem);
      expectNoSecretIn(result, ["another-secret-9911"]);
      expect((await cli("profiles", "list", "--json")).stdout.trim()).toBe("[]");
      expect((await cli("secrets", "set", "bad-profile", "GraphClientId", "x")).code).toBe(1);
    });

    it("rejects a profile key Key Vault cannot carry", async () => {
      const file = await writeJson("p.json", {
        ...profileInput("contoso_hr"),
        secrets: { GraphClientSecret: SECRET_VALUES.GraphClientSecret },
      });
      const result = await cli("profiles", "import", file);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/key: .*Key Vault/);
      expectNoSecretIn(result);
    });

    it("rejects a file that is not JSON without quoting its content", async () => {
      const file = await writeJson(
        "broken.json",
        `{ "key": "x", "secrets": { "GraphClientSecret": "${SECRET_VALUES.GraphClientSecret}" ,, } }`,
      );
      const result = await cli("profiles", "import", file);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("not valid JSON");
      expectNoSecretIn(result);
    });

    it("reports a missing file", async () => {
      const result = await cli("profiles", "import", "nowhere.json");
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("cannot read profile file");
    });

    it("refuses a second profile whose key differs only in letter case", async () => {
      await cli("profiles", "import", await writeJson("a.json", profileInput("team-a")));
      const result = await cli("profiles", "import", await writeJson("b.json", profileInput("Team-A")));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("PROFILE_KEY_CONFLICT");
    });
  });

  describe("profiles list / show / validate", () => {
    beforeEach(async () => {
      await cli(
        "profiles",
        "import",
        await writeJson("a.json", { ...profileInput("alpha", { displayName: "Alpha list" }), secrets: SECRET_VALUES }),
      );
      await cli(
        "profiles",
        "import",
        await writeJson("b.json", {
          ...profileInput("beta", { enabled: false }),
          secrets: { ConfluenceClientId: SECRET_VALUES.ConfluenceClientId },
        }),
      );
    });

    it("lists profiles as a table or JSON", async () => {
      const table = await cli("profiles", "list");
      expect(table.code).toBe(0);
      const lines = table.stdout.trim().split("\n");
      expect(lines[0]).toMatch(/^KEY\s+ENABLED\s+DIRECTION\s+UPDATED\s+NAME$/);
      expect(lines[1]).toMatch(/^alpha\s+yes\s+both\s+\S+\s+Alpha list$/);
      expect(lines[2]).toMatch(/^beta\s+no\s+both/);
      const json = JSON.parse((await cli("profiles", "list", "--json")).stdout) as Array<{
        key: string;
        enabled: boolean;
      }>;
      expect(json.map((p) => [p.key, p.enabled])).toEqual([
        ["alpha", true],
        ["beta", false],
      ]);
    });

    it("says so when there are no profiles", async () => {
      env = { CONFLUENCE_SYNC_HOME: "empty-home" };
      expect((await cli("profiles", "list")).stdout).toContain("no profiles yet");
    });

    it("shows a profile with its secrets' names and presence, never values", async () => {
      const human = await cli("profiles", "show", "beta");
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/ConfluenceClientId\s+present/);
      expect(human.stdout).toMatch(/GraphClientSecret\s+MISSING/);
      expectNoSecretIn(human);
      const json = JSON.parse((await cli("profiles", "show", "alpha", "--json")).stdout) as {
        profile: { key: string };
        secrets: Array<{ name: string; required: boolean; present: boolean }>;
      };
      expect(json.profile.key).toBe("alpha");
      expect(json.secrets).toHaveLength(6);
      expect(json.secrets.every((s) => s.present && s.required)).toBe(true);
      expectNoSecretIn(await cli("profiles", "show", "alpha", "--json"));
    });

    it("validates: exit 0 when ready, exit 1 naming the missing secrets otherwise", async () => {
      const ok = await cli("profiles", "validate", "alpha");
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain("is valid");
      const bad = await cli("profiles", "validate", "beta", "--json");
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stdout)).toEqual({
        valid: false,
        profileKey: "beta",
        missingSecrets: [
          "ConfluenceClientSecret",
          "ConfluenceRefreshToken",
          "GraphTenantId",
          "GraphClientId",
          "GraphClientSecret",
        ],
        errors: [],
      });
      expect((await cli("profiles", "validate", "beta")).stdout).toContain("missing secrets: ConfluenceClientSecret");
    });

    it("answers an unknown profile with a clear error and exit 1", async () => {
      for (const args of [
        ["profiles", "show", "gamma"],
        ["profiles", "validate", "gamma"],
        ["secrets", "list", "gamma"],
      ]) {
        const result = await cli(...args);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('profile "gamma" not found');
      }
    });
  });

  describe("secrets set / list", () => {
    beforeEach(async () => {
      await cli("profiles", "import", await writeJson("p.json", profileInput("gamma")));
    });

    it("stores a secret (rotation overwrites) and lists names only", async () => {
      const first = await cli(
        "secrets",
        "set",
        "gamma",
        "ConfluenceRefreshToken",
        SECRET_VALUES.ConfluenceRefreshToken,
      );
      expect(first).toMatchObject({ code: 0, stdout: 'stored secret "ConfluenceRefreshToken" for profile "gamma"\n' });
      const rotated = await cli(
        "secrets",
        "set",
        "gamma",
        "ConfluenceRefreshToken",
        `${SECRET_VALUES.ConfluenceRefreshToken}-2`,
      );
      expect(rotated.code).toBe(0);
      const list = await cli("secrets", "list", "gamma", "--json");
      expect(JSON.parse(list.stdout)).toEqual({ profileKey: "gamma", names: ["ConfluenceRefreshToken"] });
      expectNoSecretIn(first);
      expectNoSecretIn(rotated);
      expectNoSecretIn(list);
    });

    it("reads the value from standard input when it is omitted or given as -, without the trailing line break", async () => {
      const omitted = await runCliInProcess(["secrets", "set", "gamma", "GraphClientSecret"], {
        env,
        cwd: dir,
        stdin: `${SECRET_VALUES.GraphClientSecret}\n`,
      });
      expect(omitted).toMatchObject({ code: 0, stdout: 'stored secret "GraphClientSecret" for profile "gamma"\n' });
      const dash = await runCliInProcess(["secrets", "set", "gamma", "ConfluenceClientSecret", "-"], {
        env,
        cwd: dir,
        stdin: SECRET_VALUES.ConfluenceClientSecret,
      });
      expect(dash.code).toBe(0);
      const empty = await runCliInProcess(["secrets", "set", "gamma", "GraphClientId"], { env, cwd: dir, stdin: "\n" });
      expect(empty).toMatchObject({ code: 1, stderr: 'the value of secret "GraphClientId" must not be empty\n' });
      const services = await openConfigServices(readAppSettings(env, dir));
      try {
        expect(await services.secrets.get("gamma", "GraphClientSecret")).toBe(SECRET_VALUES.GraphClientSecret);
        expect(await services.secrets.get("gamma", "ConfluenceClientSecret")).toBe(
          SECRET_VALUES.ConfluenceClientSecret,
        );
        expect(await services.secrets.get("gamma", "GraphClientId")).toBeUndefined();
      } finally {
        services.close();
      }
      for (const result of [omitted, dash, empty]) expectNoSecretIn(result);
    });

    it("reads a piped value in the real command", async () => {
      const child = spawnCli(["secrets", "set", "gamma", "ConfluenceRefreshToken"], { env, cwd: dir, stdin: "pipe" });
      let output = "";
      child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stdin!.end(`${SECRET_VALUES.ConfluenceRefreshToken}\n`);
      const [code] = (await once(child, "exit")) as [number];
      expect({ code, output }).toEqual({
        code: 0,
        output: 'stored secret "ConfluenceRefreshToken" for profile "gamma"\n',
      });
      expect((await cli("secrets", "list", "gamma", "--json")).stdout).toContain("ConfluenceRefreshToken");
    });

    it("rejects unknown names, empty values and unknown profiles, storing nothing", async () => {
      const unknownName = await cli("secrets", "set", "gamma", "GraphPassword", SECRET_VALUES.GraphClientSecret);
      expect(unknownName.code).toBe(1);
      expect(unknownName.stderr).toContain('unknown secret name "GraphPassword"');
      expect((await cli("secrets", "set", "gamma", "GraphClientSecret", "")).code).toBe(1);
      const unknownProfile = await cli("secrets", "set", "delta", "GraphClientSecret", SECRET_VALUES.GraphClientSecret);
      expect(unknownProfile.code).toBe(1);
      expect(unknownProfile.stderr).toContain('profile "delta" not found');
      for (const result of [unknownName, unknownProfile]) expectNoSecretIn(result);
      expect((await cli("secrets", "list", "gamma")).stdout).toContain('no secrets stored for profile "gamma"');
    });
  });

  describe("configuration", () => {
    it("keeps local state under ./.local of the working directory by default", async () => {
      env = {};
      expect((await cli("profiles", "import", await writeJson("p.json", profileInput("local-default")))).code).toBe(0);
      expect(existsSync(path.join(dir, ".local", "config.db"))).toBe(true);
    });

    it("fails clearly when Key Vault is chosen without KEY_VAULT_URL, or a setting is unknown", async () => {
      env = { CONFLUENCE_SYNC_HOME: "home", SECRETS_PROVIDER: "keyvault" };
      const noUrl = await cli("profiles", "list");
      expect(noUrl.code).toBe(1);
      expect(noUrl.stderr).toContain("KEY_VAULT_URL");
      env = { SECRETS_PROVIDER: "vault" };
      const bad = await cli("profiles", "list");
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("SECRETS_PROVIDER");
    });

    it("keeps profiles in Table Storage when PROFILE_STORE=table", async () => {
      const location = azuriteLocation();
      if (location.kind !== "connectionString") throw new Error("the test Azurite is reached by connection string");
      const key = `tbl-${path
        .basename(dir)
        .replace(/[^A-Za-z0-9]/g, "")
        .slice(-8)}`;
      env = { CONFLUENCE_SYNC_HOME: "home", PROFILE_STORE: "table", AzureWebJobsStorage: location.connectionString };
      expect((await cli("profiles", "import", await writeJson("p.json", profileInput(key)))).code).toBe(0);
      const listed = JSON.parse((await cli("profiles", "list", "--json")).stdout) as Array<{ key: string }>;
      expect(listed.map((p) => p.key)).toContain(key);
    });
  });

  it("works through the installed bin (built dist/), with no SQLite warning on stderr", async () => {
    const child = spawnCli(["profiles", "list", "--json"], { cwd: dir, env: { CONFLUENCE_SYNC_HOME: "home" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect({ code, stdout: stdout.trim(), stderr }).toEqual({ code: 0, stdout: "[]", stderr: "" });
  });
});

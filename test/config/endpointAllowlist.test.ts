import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { EMULATOR_ENDPOINT_SETTINGS } from "../../dev/emulators/emulatorEndpoints";
import {
  DEFAULT_ENDPOINT_HOSTS,
  EndpointAllowlist,
  ProfileValidator,
  parseProfileFile,
  readAppSettings,
} from "../../shared/config";
import { InMemorySecretsProvider, SecretNames } from "../../shared/secrets";
import { runCliInProcess } from "../helpers/cli";
import { profileInput } from "./profileFixtures";

const ALL_SECRETS = Object.fromEntries(Object.values(SecretNames).map((name) => [name, `value-of-${name}-0123456789`]));

/** The issues a profile file with these endpoint overrides gets at import under `endpoints` (production by default). */
function importIssues(overrides: Record<string, string>, endpoints?: EndpointAllowlist) {
  const parsed = parseProfileFile(profileInput("endpoints", { endpoints: overrides }), endpoints ? { endpoints } : {});
  return parsed.ok ? [] : parsed.issues;
}

describe("endpoint overrides at import (production allowlist)", () => {
  it.each([
    ["graphBaseUrl", "http://graph.microsoft.com", /https/],
    ["authorityHost", "http://login.microsoftonline.com", /https/],
    ["graphBaseUrl", "https://169.254.169.254/metadata/identity", /IP address 169\.254\.169\.254/],
    ["confluenceAuthBaseUrl", "https://10.0.0.5", /IP address/],
    ["confluenceApiBaseUrl", "https://[::1]:8443", /IP address/],
    ["confluenceAuthBaseUrl", "https://0x7f.1", /IP address 127\.0\.0\.1/],
    ["confluenceAuthBaseUrl", "https://2130706433", /IP address 127\.0\.0\.1/],
    ["confluenceAuthBaseUrl", "https://collector.attacker.example", /not on this deployment's atlassian allowlist/],
    ["graphBaseUrl", "https://auth.atlassian.com", /not on this deployment's graph allowlist/],
    ["authorityHost", "https://graph.microsoft.com", /not on this deployment's login allowlist/],
    ["graphBaseUrl", "https://user:pass@graph.microsoft.com", /user name or password/],
    ["confluenceApiBaseUrl", "https://api.atlassian.com/?redirect=evil", /query or fragment/],
    ["graphBaseUrl", "https://localhost:8443", /not on this deployment's graph allowlist/],
  ])("refuses endpoints.%s = %s, naming the path", (name, url, message) => {
    const issues = importIssues({ [name]: url });
    expect(issues).toEqual([{ path: `endpoints.${name}`, message: expect.stringMatching(message) }]);
  });

  it("accepts the public and sovereign clouds, whatever the letter case or a trailing dot", () => {
    expect(
      importIssues({
        graphBaseUrl: "https://graph.microsoft.us",
        authorityHost: "https://login.microsoftonline.us",
        confluenceAuthBaseUrl: "https://AUTH.atlassian.com.",
        confluenceApiBaseUrl: "https://api.atlassian.com/",
      }),
    ).toEqual([]);
    expect(importIssues({ graphBaseUrl: "https://microsoftgraph.chinacloudapi.cn" })).toEqual([]);
  });

  it("refuses a site URL that is not https", () => {
    const parsed = parseProfileFile(
      profileInput("site", {
        confluence: { siteUrl: "http://contoso.atlassian.net", target: { mode: "table", pageId: "1" } },
      }),
    );
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues.map((issue) => issue.path)).toEqual(["confluence.siteUrl"]);
  });

  it("takes emulator hosts only from an allowlist that names them", () => {
    const emulator = { graphBaseUrl: "https://localhost:8443", confluenceAuthBaseUrl: "https://localhost:9443" };
    expect(importIssues(emulator)).toHaveLength(2);
    expect(importIssues(emulator, EndpointAllowlist.fromSettings(EMULATOR_ENDPOINT_SETTINGS))).toEqual([]);
    // Still never an IP literal, whatever the allowlist.
    expect(importIssues({ graphBaseUrl: "https://127.0.0.1:8443" }, EndpointAllowlist.only("localhost"))).toEqual([
      { path: "endpoints.graphBaseUrl", message: expect.stringMatching(/IP address/) },
    ]);
  });
});

describe("endpoint overrides at validation", () => {
  it("makes a stored profile with an endpoint off the allowlist invalid, naming the path; secrets present or not", async () => {
    const validator = new ProfileValidator(new InMemorySecretsProvider({ evil: ALL_SECRETS }));
    const result = await validator.validate(
      profileInput("evil", { endpoints: { confluenceAuthBaseUrl: "https://tokens.attacker.example" } }),
    );
    expect(result).toMatchObject({
      valid: false,
      missingSecrets: [],
      errors: [
        { path: "endpoints.confluenceAuthBaseUrl", message: expect.stringContaining("ALLOWED_ATLASSIAN_HOSTS") },
      ],
    });
  });
});

describe("the allowlist app settings", () => {
  it("default to the public and sovereign Microsoft and Atlassian hosts, blank or unset", () => {
    for (const env of [{}, { ALLOWED_GRAPH_HOSTS: " ", ALLOWED_LOGIN_HOSTS: "", ALLOWED_ATLASSIAN_HOSTS: "" }]) {
      const { endpointAllowlist } = readAppSettings(env, "/");
      expect(endpointAllowlist.hosts("graph")).toEqual([...DEFAULT_ENDPOINT_HOSTS.graph].sort());
      expect(endpointAllowlist.hosts("login")).toEqual([...DEFAULT_ENDPOINT_HOSTS.login].sort());
      expect(endpointAllowlist.hosts("atlassian")).toEqual([...DEFAULT_ENDPOINT_HOSTS.atlassian].sort());
    }
  });

  it("replace the default per service when set (comma or space separated)", () => {
    const { endpointAllowlist } = readAppSettings({ ALLOWED_ATLASSIAN_HOSTS: "auth.atlassian.com, localhost" }, "/");
    expect(endpointAllowlist.hosts("atlassian")).toEqual(["auth.atlassian.com", "localhost"]);
    expect(endpointAllowlist.problem("atlassian", "https://api.atlassian.com")).toMatch(/not on/);
    expect(endpointAllowlist.hosts("graph")).toContain("graph.microsoft.com");
  });

  it.each([
    ["127.0.0.1", /IP address/],
    ["169.254.169.254", /IP address/],
    ["::1", /IP address/],
    ["https://graph.microsoft.com", /not a host name/],
    ["graph.microsoft.com:443", /not a host name/],
    ["*.atlassian.net", /not a host name/],
  ])("refuse %s as an allowlist entry", (entry, message) => {
    const error = (() => {
      try {
        readAppSettings({ ALLOWED_GRAPH_HOSTS: `graph.microsoft.com,${entry}` }, "/");
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ZodError);
    expect((error as ZodError).issues[0]).toMatchObject({
      path: ["ALLOWED_GRAPH_HOSTS"],
      message: expect.stringMatching(message),
    });
  });
});

describe("confluence-sync profiles import", () => {
  it("refuses a profile whose endpoint is off the allowlist, storing nothing", async () => {
    const { mkdtemp, writeFile, rm } = await import("node:fs/promises");
    const os = await import("node:os");
    const path = await import("node:path");
    const dir = await mkdtemp(path.join(os.tmpdir(), "cs-endpoints-"));
    try {
      const file = path.join(dir, "evil.json");
      await writeFile(
        file,
        JSON.stringify({
          ...profileInput("evil", { endpoints: { graphBaseUrl: "https://169.254.169.254" } }),
          secrets: { GraphClientSecret: "graph-client-secret-value" },
        }),
      );
      const env = { CONFLUENCE_SYNC_HOME: "home" };
      const imported = await runCliInProcess(["profiles", "import", file], { env, cwd: dir });
      expect(imported.code).toBe(1);
      expect(imported.stderr).toContain("endpoints.graphBaseUrl");
      expect(imported.stderr).not.toContain("graph-client-secret-value");
      const listed = await runCliInProcess(["profiles", "list", "--json"], { env, cwd: dir });
      expect(JSON.parse(listed.stdout)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

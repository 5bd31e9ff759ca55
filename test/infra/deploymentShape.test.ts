import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { objectBody, property, stringLiteral } from "./bicepSource";
import {
  bicepFile,
  infraDir,
  loadAzureYaml,
  loadBicepFiles,
  loadPackageJson,
  propertyPath,
  readRepoFile,
  readRepoJson,
  repoRoot,
  resourcesOfType,
} from "./infraProject";

/**
 * The shape `azd up` relies on: azure.yaml deploys the staged, built app to a Flex Consumption app on the Node major
 * the project pins; every template and API version is pinned; parameters and outputs line up; and the hardening an
 * Azure reviewer looks for (HTTPS only, TLS 1.2, no basic-auth publishing, no shared keys, no local auth) is in place.
 */

const files = loadBicepFiles();
const main = bicepFile(files, "main.bicep");
const functionApp = bicepFile(files, "app/functionApp.bicep");
const [site] = resourcesOfType(functionApp, "Microsoft.Web/sites");
const siteBody = site?.body ?? "";

function majorOf(range: string | undefined): number | undefined {
  const major = /(\d+)/.exec(range ?? "")?.[1];
  return major === undefined ? undefined : Number(major);
}

function bodyOfOnly(file: string, type: string): string {
  const found = resourcesOfType(bicepFile(files, file), type).filter((resource) => !resource.existing);
  expect(found, `${file}: one ${type}`).toHaveLength(1);
  return objectBody(property(found[0]?.body ?? "", "properties")) ?? "";
}

describe("azure.yaml deploys the built app", () => {
  const azureYaml = loadAzureYaml();
  const services = azureYaml.services ?? {};
  const api = services.api ?? {};
  const packageJson = loadPackageJson();

  it("has one Function App service, `api`, the name the site is tagged with", () => {
    expect(Object.keys(services)).toEqual(["api"]);
    expect(api).toMatchObject({ project: ".", host: "function" });
    expect(["ts", "js"]).toContain(api.language);
    const tags = property(siteBody, "tags") ?? "";
    expect(tags).toMatch(/'azd-service-name':\s*'api'/);
  });

  it("deploys the staged package that `npm run package:functionapp` builds, as is (no remote build)", () => {
    expect(api.remoteBuild).toBe(false);
    expect(api.dist).toBe("build/functionapp");
    const script = packageJson.scripts?.["package:functionapp"] ?? "";
    expect(script).toMatch(/^node infra\/scripts\/stageFunctionApp\.mjs\b/);
    expect(/--out\s+(\S+)/.exec(script)?.[1], "the staging folder must be the one azure.yaml deploys").toBe(api.dist);
    expect(existsSync(path.join(infraDir, "scripts", "stageFunctionApp.mjs"))).toBe(true);
    for (const os of ["posix", "windows"] as const) {
      expect(api.hooks?.prepackage?.[os]?.run, `prepackage hook (${os})`).toBe("npm run package:functionapp");
    }
  });

  it("matches what the Functions host loads: host.json and package.json at the project root, main under dist/", () => {
    expect(existsSync(path.join(repoRoot, api.project ?? "", "host.json"))).toBe(true);
    expect(packageJson.main).toMatch(/^dist\//);
    const buildOutDir = readRepoJson<{ compilerOptions?: { outDir?: string } }>("tsconfig.json").compilerOptions
      ?.outDir;
    expect(packageJson.main?.startsWith(`${buildOutDir}/`)).toBe(true);
  });

  it("keeps the root .funcignore compatible with remoteBuild: false (azd refuses it when node_modules is ignored)", () => {
    const patterns = readRepoFile(".funcignore")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"));
    for (const forbidden of [
      "node_modules",
      "/node_modules",
      "node_modules/",
      "/node_modules/",
      "**/node_modules",
      "host.json",
      "package.json",
      "dist",
      "dist/",
      "/dist",
      "/dist/",
      "*.js",
      "*.json",
    ]) {
      expect(patterns, `.funcignore must not list ${forbidden}`).not.toContain(forbidden);
    }
  });
});

describe("runtime", () => {
  it("runs Node 22 on Flex Consumption, the major package.json pins", () => {
    const runtime = objectBody(propertyPath(siteBody, "properties.functionAppConfig.runtime")) ?? "";
    expect(stringLiteral(property(runtime, "name"))).toBe("node");
    const bicepMajor = Number(stringLiteral(property(runtime, "version")));
    expect(bicepMajor).toBe(22);
    const packageJson = loadPackageJson();
    expect(majorOf(packageJson.engines?.node), "package.json engines.node").toBe(bicepMajor);
    expect(majorOf(packageJson.devDependencies?.node), "the pinned `node` devDependency").toBe(bicepMajor);
  });

  it("is a Linux Flex Consumption (FC1) app", () => {
    const [plan] = resourcesOfType(functionApp, "Microsoft.Web/serverfarms");
    const sku = objectBody(property(plan?.body ?? "", "sku")) ?? "";
    expect(stringLiteral(property(sku, "name"))).toBe("FC1");
    expect(stringLiteral(property(sku, "tier"))).toBe("FlexConsumption");
    expect(stringLiteral(property(site?.body ?? "", "kind"))).toBe("functionapp,linux");
  });
});

describe("hardening", () => {
  it("serves HTTPS only with TLS 1.2, and allows no basic-auth (FTP or SCM) publishing", () => {
    expect(propertyPath(siteBody, "properties.httpsOnly")).toBe("true");
    expect(stringLiteral(propertyPath(siteBody, "properties.siteConfig.minTlsVersion"))).toBe("1.2");
    const policies = resourcesOfType(functionApp, "Microsoft.Web/sites/basicPublishingCredentialsPolicies");
    expect(policies.map((policy) => stringLiteral(property(policy.body, "name"))).sort()).toEqual(["ftp", "scm"]);
    for (const policy of policies) expect(propertyPath(policy.body, "properties.allow")).toBe("false");
  });

  it("keeps storage keyless, HTTPS-only, TLS 1.2 and private", () => {
    const storage = bodyOfOnly("app/storage.bicep", "Microsoft.Storage/storageAccounts");
    expect(property(storage, "allowSharedKeyAccess")).toBe("false");
    expect(property(storage, "defaultToOAuthAuthentication")).toBe("true");
    expect(property(storage, "supportsHttpsTrafficOnly")).toBe("true");
    expect(stringLiteral(property(storage, "minimumTlsVersion"))).toBe("TLS1_2");
    expect(property(storage, "allowBlobPublicAccess")).toBe("false");
  });

  it("disables local (key) auth on Application Insights and Log Analytics", () => {
    expect(property(bodyOfOnly("app/monitoring.bicep", "Microsoft.Insights/components"), "DisableLocalAuth")).toBe(
      "true",
    );
    const workspace = bodyOfOnly("app/monitoring.bicep", "Microsoft.OperationalInsights/workspaces");
    expect(property(objectBody(property(workspace, "features")) ?? "", "disableLocalAuth")).toBe("true");
  });

  it("keeps deleted secrets recoverable", () => {
    const vault = bodyOfOnly("app/keyVault.bicep", "Microsoft.KeyVault/vaults");
    expect(property(vault, "enableSoftDelete")).toBe("true");
    expect(property(vault, "enablePurgeProtection")).toBe("purgeProtection ? true : null");
    expect(main.params.find((p) => p.name === "keyVaultPurgeProtection")?.defaultValue).toBe("true");
  });
});

describe("pinned and wired", () => {
  it("pins every resource to a dated, non-preview API version, the same one per type across files", () => {
    const versionsByType = new Map<string, Set<string>>();
    for (const [file, bicep] of files) {
      for (const resource of bicep.resources) {
        expect(resource.apiVersion, `infra/${file} ${resource.symbol}`).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        const versions = versionsByType.get(resource.type) ?? new Set<string>();
        versions.add(resource.apiVersion);
        versionsByType.set(resource.type, versions);
      }
    }
    for (const [type, versions] of versionsByType) expect([...versions], type).toHaveLength(1);
  });

  it("uses only local modules that exist (no registry module, which nothing here can resolve or pin-check)", () => {
    for (const [file, bicep] of files) {
      for (const module of bicep.modules) {
        expect(module.path, `infra/${file} ${module.symbol}`).not.toMatch(/^(br|ts)[:/]/);
        expect(existsSync(path.join(infraDir, path.dirname(file), module.path)), `infra/${file} ${module.path}`).toBe(
          true,
        );
      }
    }
  });

  it("supplies every required parameter from main.parameters.json, and nothing main.bicep does not declare", () => {
    const parameters = readRepoJson<{ parameters: Record<string, { value: unknown }> }>(
      "infra/main.parameters.json",
    ).parameters;
    const declared = new Map(main.params.map((p) => [p.name, p]));
    for (const name of Object.keys(parameters))
      expect(declared.has(name), `main.parameters.json sets undeclared ${name}`).toBe(true);
    for (const param of main.params.filter((p) => p.defaultValue === undefined)) {
      expect(parameters[param.name], `required parameter ${param.name}`).toBeDefined();
    }
    expect(parameters.operatorPrincipalId?.value).toBe("${AZURE_PRINCIPAL_ID}");
  });

  it("outputs what the commands in docs/operations.md and docs/deploy.md use, and no AZURE_CLIENT_ID (it would steer a local DefaultAzureCredential to the app's identity)", () => {
    const outputs = main.outputs.map((o) => o.name);
    for (const name of [
      "AZURE_FUNCTION_APP_NAME",
      "KEY_VAULT_NAME",
      "KEY_VAULT_URL",
      "STORAGE_TABLE_ENDPOINT",
      "WEBHOOK_NOTIFICATION_URL",
      "APP_IDENTITY_PRINCIPAL_ID",
      "APPLICATIONINSIGHTS_NAME",
      "AZURE_RESOURCE_GROUP",
    ]) {
      expect(outputs).toContain(name);
    }
    expect(outputs).not.toContain("AZURE_CLIENT_ID");
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readAppSettings } from "../../shared/settings/appSettings";
import {
  ENDPOINT_ALLOWLIST_SETTINGS,
  EndpointAllowlist,
  type EndpointKind,
} from "../../shared/settings/endpointAllowlist";
import { objectBody, objectEntries, property, stringLiteral } from "./bicepSource";
import {
  bicepFile,
  loadBicepFiles,
  moduleParam,
  modulesDeploying,
  readRepoJson,
  repoRoot,
  resolveVar,
  resourcesOfType,
} from "./infraProject";
import { functionBindingSettings, hostJsonSettings, settingsReadByAppSettings } from "./settingsReadByCode";

/**
 * The Function App's settings (infra/app/functionApp.bicep) against what the code reads: shared/settings/appSettings.ts,
 * host.json's %SETTING% references and connection names, and the function registrations under functions/.
 */

/** Read by the code, deliberately not set in Azure. A new entry needs the reason Azure does without it. */
const NOT_SET_IN_AZURE: Readonly<Record<string, string>> = {
  CONFLUENCE_SYNC_HOME:
    "local development only: the folder of the SQLite ConfigStore and Azurite's files; in Azure secrets live in Key Vault and state in Table Storage",
  AzureWebJobsStorage:
    "the connection-string form, for Azurite locally; in Azure the identity-based AzureWebJobsStorage__* settings replace it (a connection string would carry the account key)",
  WEBSITE_INSTANCE_ID: "set by the Functions platform on every instance",
  WEBSITE_SITE_NAME: "set by the Functions platform",
};

/** Set in Azure for the Functions host rather than for our code. */
const FOR_THE_HOST: Readonly<Record<string, string>> = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: "where the host sends telemetry",
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING:
    "makes the host sign telemetry with the app's identity (local auth is off on the component)",
};

/**
 * Read by the Azure Monitor exporter in the worker, not by our code: statsbeat off (docs/operations.md#statsbeat).
 * `APPLICATION_INSIGHTS_NO_STATSBEAT` is the switch the pinned exporter reads to send none of it;
 * `APPLICATIONINSIGHTS_STATSBEAT_DISABLED` the documented one, which it reads for the non-essential part.
 */
const FOR_THE_EXPORTER: Readonly<Record<string, string>> = {
  APPLICATION_INSIGHTS_NO_STATSBEAT: "the exporter sends no statsbeat at all",
  APPLICATIONINSIGHTS_STATSBEAT_DISABLED: "the exporter sends no non-essential statsbeat",
};

const files = loadBicepFiles();
const main = bicepFile(files, "main.bicep");
const functionApp = bicepFile(files, "app/functionApp.bicep");

function appSettingsResources() {
  return [...files.entries()].flatMap(([file, bicep]) =>
    resourcesOfType(bicep, "Microsoft.Web/sites/config")
      .filter((resource) => stringLiteral(property(resource.body, "name")) === "appsettings")
      .map((resource) => ({ file, resource })),
  );
}

/** The app settings as Bicep sets them: name → expression as written. */
function bicepAppSettings(): Map<string, string> {
  const [found] = appSettingsResources();
  if (!found) throw new Error("no Microsoft.Web/sites/config 'appsettings' resource in infra/");
  return new Map(objectEntries(objectBody(property(found.resource.body, "properties")) ?? ""));
}

function settingsReadByCode(): Set<string> {
  return new Set([
    ...settingsReadByAppSettings(),
    ...hostJsonSettings().references,
    ...functionBindingSettings().references,
  ]);
}

function connectionNames(): Set<string> {
  return new Set([...hostJsonSettings().connections, ...functionBindingSettings().connections]);
}

describe("app settings: infra sets what the code reads", () => {
  it("observes the code's settings (the recorder sees shared/settings/appSettings.ts read SECRETS_PROVIDER)", () => {
    expect(settingsReadByAppSettings()).toContain("SECRETS_PROVIDER");
    expect(hostJsonSettings().references).toContain("DURABLE_TASK_HUB_NAME");
  });

  it("sets every setting the code reads, unless it is exempt with a reason", () => {
    const set = bicepAppSettings();
    const missing = [...settingsReadByCode()].filter((name) => !set.has(name) && !(name in NOT_SET_IN_AZURE)).sort();
    expect(
      missing,
      `read by the code but not set by infra/app/functionApp.bicep (resource appSettings): ${missing.join(", ")}. ` +
        "Set each there, or add it to NOT_SET_IN_AZURE in test/infra/appSettings.test.ts with the reason Azure does without it.",
    ).toEqual([]);
  });

  it("keeps no stale exemption: each exempt setting is still read, and infra does not set it", () => {
    const read = settingsReadByCode();
    const set = bicepAppSettings();
    for (const name of Object.keys(NOT_SET_IN_AZURE)) {
      expect(read.has(name), `${name} is exempt in NOT_SET_IN_AZURE but the code no longer reads it`).toBe(true);
      expect(set.has(name), `${name} is exempt in NOT_SET_IN_AZURE yet infra sets it`).toBe(false);
    }
  });

  it("sets nothing that neither the code nor the host reads", () => {
    const read = settingsReadByCode();
    const connections = connectionNames();
    const unread = [...bicepAppSettings().keys()].filter(
      (name) =>
        !read.has(name) &&
        !(name in FOR_THE_HOST) &&
        !(name in FOR_THE_EXPORTER) &&
        ![...connections].some((c) => name.startsWith(`${c}__`)),
    );
    expect(
      unread,
      `set by infra but read by nothing: ${unread.join(", ")} (a typo of a setting the code reads?)`,
    ).toEqual([]);
  });

  it("sets each app setting in exactly one place", () => {
    expect(appSettingsResources()).toHaveLength(1);
    const site = resourcesOfType(functionApp, "Microsoft.Web/sites")[0];
    const siteConfig = objectBody(property(objectBody(property(site?.body ?? "", "properties")) ?? "", "siteConfig"));
    expect(property(siteConfig ?? "", "appSettings")).toBeUndefined();
  });
});

describe("app settings: statsbeat is off", () => {
  it("sets both switches to true, and the installed exporter still reads them by these names", () => {
    const set = bicepAppSettings();
    for (const name of Object.keys(FOR_THE_EXPORTER)) expect(set.get(name), name).toBe("'true'");
    // A renamed switch in an exporter upgrade would leave statsbeat on without a word: the names are pinned to its source.
    const constants = readFileSync(
      path.join(repoRoot, "node_modules/@azure/monitor-opentelemetry-exporter/dist/commonjs/Declarations/Constants.js"),
      "utf8",
    );
    expect(constants).toContain('LEGACY_ENV_DISABLE_STATSBEAT = "APPLICATION_INSIGHTS_NO_STATSBEAT"');
    expect(constants).toContain('ENV_DISABLE_STATSBEAT = "APPLICATIONINSIGHTS_STATSBEAT_DISABLED"');
    const base = readFileSync(
      path.join(repoRoot, "node_modules/@azure/monitor-opentelemetry-exporter/dist/commonjs/export/base.js"),
      "utf8",
    );
    expect(base).toMatch(/trackStatsbeat = [^;]*process\.env\[import_Constants\.LEGACY_ENV_DISABLE_STATSBEAT\]/);
  });
});

describe("app settings: values the code and the host accept", () => {
  it("connects every host connection (AzureWebJobsStorage) by identity, with the blob, queue and table endpoints Durable Functions needs", () => {
    const set = bicepAppSettings();
    const connections = connectionNames();
    expect(connections).toContain("AzureWebJobsStorage");
    for (const connection of connections) {
      expect(set.has(connection), `${connection} must not be a connection string`).toBe(false);
      expect(stringLiteral(set.get(`${connection}__credential`))).toBe("managedidentity");
      expect(set.get(`${connection}__clientId`)).toBe("identityClientId");
      for (const service of ["blob", "queue", "table"]) {
        expect(set.get(`${connection}__${service}ServiceUri`)).toBe(
          `storageAccount.properties.primaryEndpoints.${service}`,
        );
      }
    }
  });

  it("runs the code's own settings through readAppSettings as Azure would: Key Vault secrets, Table Storage profiles", () => {
    const set = bicepAppSettings();
    const literalEnv = Object.fromEntries(
      [...set].flatMap(([name, expression]) => {
        const literal = stringLiteral(expression);
        return literal === undefined ? [] : [[name, literal]];
      }),
    );
    const settings = readAppSettings({ ...literalEnv, WEBSITE_SITE_NAME: "func-example" }, "/");
    expect(settings.runsInAzure).toBe(true);
    expect(settings.secretsProvider).toBe("keyvault");
    expect(settings.profileStore).toBe("table");
  });

  it("points the code at the app's own identity, vault and schedule", () => {
    const set = bicepAppSettings();
    expect(set.get("AZURE_CLIENT_ID")).toBe("identityClientId");
    const vault = resourcesOfType(functionApp, "Microsoft.KeyVault/vaults")[0];
    expect(set.get("KEY_VAULT_URL")).toBe(`${vault?.symbol}.properties.vaultUri`);
    expect(set.get("SYNC_SCHEDULE")).toBe("syncSchedule");
    const [functionAppModule] = modulesDeploying(main, "", "app/functionApp.bicep");
    expect(functionAppModule && moduleParam(functionAppModule, "keyVaultName")).toBe("keyVault.outputs.name");
  });

  it("gives Graph the webhook function's public URL, derived from the app's own host name", () => {
    const site = resourcesOfType(functionApp, "Microsoft.Web/sites")[0];
    const url = resolveVar(functionApp, bicepAppSettings().get("WEBHOOK_NOTIFICATION_URL"));
    expect(url).toBe(`'https://\${${site?.symbol}.properties.defaultHostName}/api/webhooks/sharepoint'`);
    // The path assumes the default `api` route prefix and the webhook function's route.
    const host = readRepoJson<{ extensions?: { http?: { routePrefix?: string } } }>("host.json");
    expect(host.extensions?.http?.routePrefix ?? "api").toBe("api");
    const { routes } = functionBindingSettings();
    if (routes.size > 0) {
      expect([...routes], "no function serves the route infra gives Graph for webhooks").toContain(
        "webhooks/sharepoint",
      );
    }
  });

  it("sets the endpoint allowlists from parameters whose defaults are the code's production defaults", () => {
    const parameters = readRepoJson<{ parameters: Record<string, { value: unknown }> }>("infra/main.parameters.json");
    const [functionAppModule] = modulesDeploying(main, "", "app/functionApp.bicep");
    for (const [kind, setting] of Object.entries(ENDPOINT_ALLOWLIST_SETTINGS) as Array<[EndpointKind, string]>) {
      const param = `allowed${kind[0]!.toUpperCase()}${kind.slice(1)}Hosts`;
      expect(bicepAppSettings().get(setting)).toBe(param);
      expect(functionAppModule && moduleParam(functionAppModule, param)).toBe(param);
      const bicepDefault = stringLiteral(main.params.find((p) => p.name === param)?.defaultValue);
      const azdDefault = new RegExp(`^\\$\\{${setting}=([^}]*)\\}$`).exec(
        String(parameters.parameters[param]?.value),
      )?.[1];
      for (const value of [bicepDefault, azdDefault]) {
        expect(value, `${param}'s default`).toBeDefined();
        expect(EndpointAllowlist.fromSettings({ [setting]: value }).hosts(kind)).toEqual(
          EndpointAllowlist.production.hosts(kind),
        );
      }
      // Nothing loopback or private can be a production default.
      expect(EndpointAllowlist.production.hosts(kind)).not.toContain("localhost");
    }
  });

  it("names the Durable Functions task hub as host.json expects, with a valid default", () => {
    expect(bicepAppSettings().get("DURABLE_TASK_HUB_NAME")).toBe("durableTaskHubName");
    const hubName = /^[A-Za-z][A-Za-z0-9]{2,44}$/;
    const param = main.params.find((p) => p.name === "durableTaskHubName");
    expect(stringLiteral(param?.defaultValue)).toMatch(hubName);
    const parameters = readRepoJson<{ parameters: Record<string, { value: unknown }> }>("infra/main.parameters.json");
    const fromEnv = /^\$\{DURABLE_TASK_HUB_NAME=([^}]*)\}$/.exec(
      String(parameters.parameters.durableTaskHubName?.value),
    );
    expect(fromEnv?.[1]).toMatch(hubName);
  });
});

import { describe, expect, it } from "vitest";
import { type BicepFile, objectBody, property, stringLiteral } from "./bicepSource";
import {
  bicepFile,
  loadBicepFiles,
  moduleParam,
  modulesDeploying,
  propertyPath,
  readRepoJson,
  resourcesOfType,
} from "./infraProject";

/**
 * Least privilege, checked from the templates: every role assignment goes to the identity the Function App runs as,
 * to the identity the alert rules query with, or to the explicitly parameterised operator, with exactly the roles
 * listed here, each scoped to one resource. Adding a role means changing the expectations below, on purpose.
 */

/** Built-in role definition ids (the same in every tenant), as Azure and the AVM modules name them. */
const BUILT_IN_ROLES: Readonly<Record<string, string>> = {
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
  "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
  "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
  "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
  "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
  "73c42c96-874c-492b-b04d-ab87d138a893": "Log Analytics Reader",
};

const STORAGE = "Microsoft.Storage/storageAccounts";
const APP_INSIGHTS = "Microsoft.Insights/components";
const VAULT = "Microsoft.KeyVault/vaults";
const WORKSPACE = "Microsoft.OperationalInsights/workspaces";

/** What each principal may do: role @ the type of the one resource it is scoped to. */
const EXPECTED_GRANTS = {
  "app identity": [
    `Key Vault Secrets Officer @ ${VAULT}`,
    `Monitoring Metrics Publisher @ ${APP_INSIGHTS}`,
    `Storage Blob Data Owner @ ${STORAGE}`,
    `Storage Queue Data Contributor @ ${STORAGE}`,
    `Storage Table Data Contributor @ ${STORAGE}`,
  ],
  // The alert rules' identity reads the workspace their queries run against, nothing else.
  "alerts identity": [`Log Analytics Reader @ ${WORKSPACE}`],
  operator: [`Key Vault Secrets Officer @ ${VAULT}`, `Storage Table Data Contributor @ ${STORAGE}`],
};

type Principal = keyof typeof EXPECTED_GRANTS;

interface Grant {
  readonly file: string;
  readonly symbol: string;
  readonly principal: Principal | `unknown: ${string}`;
  readonly role: string;
  readonly scopeType: string;
  readonly principalType: string | undefined;
}

const files = loadBicepFiles();
const main = bicepFile(files, "main.bicep");

/** The module in main.bicep that creates the identity `symbol` names (app/identity.bicep: its ids as outputs). */
function identityModule(symbol: "appIdentity" | "alertsIdentity") {
  const module = modulesDeploying(main, "", "app/identity.bicep").find((candidate) => candidate.symbol === symbol);
  if (!module) throw new Error(`main.bicep deploys no app/identity.bicep as ${symbol}`);
  return module;
}

/** The module in main.bicep that creates the app's identity. */
function appIdentityModule() {
  return identityModule("appIdentity");
}

/** What a role assignment's principalId (a parameter of its file) is bound to by every module deploying that file. */
function principalOf(file: string, principalIdExpression: string): Grant["principal"] {
  const bindings = new Set(
    modulesDeploying(main, "", file).map((module) => {
      const argument = moduleParam(module, principalIdExpression) ?? "";
      if (argument === `${appIdentityModule().symbol}.outputs.principalId`) return "app identity";
      if (argument === `${identityModule("alertsIdentity").symbol}.outputs.principalId`) return "alerts identity";
      if (argument === "operatorPrincipalId") return "operator";
      return `unknown: ${argument}` as const;
    }),
  );
  if (bindings.size !== 1) return `unknown: ${[...bindings].join(" | ") || "not deployed by main.bicep"}`;
  return [...bindings][0] as Grant["principal"];
}

function roleName(bicep: BicepFile, file: string, roleDefinitionId: string): string {
  // subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.<key>) with roles = loadJsonContent('…')
  const match = /^subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions',\s*(\w+)\.(\w+)\)$/.exec(
    roleDefinitionId,
  );
  const source = match?.[1] && /^loadJsonContent\('([^']+)'\)$/.exec(bicep.vars.get(match[1]) ?? "")?.[1];
  if (!match?.[2] || !source) return `unrecognised roleDefinitionId ${roleDefinitionId}`;
  const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/") + 1) : "";
  const ids = readRepoJson<Record<string, string>>(`infra/${dir}${source}`);
  const id = ids[match[2]] ?? "";
  return BUILT_IN_ROLES[id] ?? `unknown role ${match[2]} = ${id}`;
}

function grants(): Grant[] {
  return [...files.entries()].flatMap(([file, bicep]) =>
    resourcesOfType(bicep, "Microsoft.Authorization/roleAssignments").map((assignment) => {
      const properties = objectBody(property(assignment.body, "properties")) ?? "";
      const scope = property(assignment.body, "scope");
      const scoped = bicep.resources.find((resource) => resource.symbol === scope);
      return {
        file,
        symbol: assignment.symbol,
        principal: principalOf(file, property(properties, "principalId") ?? ""),
        role: roleName(bicep, file, property(properties, "roleDefinitionId") ?? ""),
        scopeType: scoped ? scoped.type : `not a resource of this file: ${scope ?? "(resource group)"}`,
        principalType: property(properties, "principalType"),
      };
    }),
  );
}

describe("role assignments: least privilege", () => {
  it("grants exactly the expected roles, each to the app's identity or to the operator, each on one resource", () => {
    const byPrincipal: Record<string, string[]> = {};
    for (const grant of grants()) {
      byPrincipal[grant.principal] ??= [];
      byPrincipal[grant.principal]!.push(`${grant.role} @ ${grant.scopeType}`);
    }
    for (const list of Object.values(byPrincipal)) list.sort();
    expect(byPrincipal).toEqual(EXPECTED_GRANTS);
  });

  it("names the app's and the alerts' identities as service principals and never relies on a tenant lookup", () => {
    for (const grant of grants().filter((g) => g.principal === "app identity" || g.principal === "alerts identity")) {
      expect(stringLiteral(grant.principalType), `${grant.file} ${grant.symbol}`).toBe("ServicePrincipal");
    }
  });

  it("gives each assignment a stable name from its scope, principal and role", () => {
    for (const [file, bicep] of files) {
      for (const assignment of resourcesOfType(bicep, "Microsoft.Authorization/roleAssignments")) {
        const scope = property(assignment.body, "scope") ?? "";
        expect(property(assignment.body, "name"), `${file} ${assignment.symbol}`).toMatch(
          new RegExp(`^guid\\(${scope}\\.id, principalId, roles\\.\\w+\\)$`),
        );
      }
    }
  });

  it("scopes roles to the very resources the app uses", () => {
    const [functionAppModule] = modulesDeploying(main, "", "app/functionApp.bicep");
    expect(functionAppModule).toBeDefined();
    for (const file of ["app/appAccess.bicep", "app/operatorAccess.bicep"]) {
      for (const module of modulesDeploying(main, "", file)) {
        for (const name of ["storageAccountName", "keyVaultName", "applicationInsightsName"]) {
          const argument = moduleParam(module, name);
          if (argument !== undefined)
            expect(argument, `${module.symbol}.${name}`).toBe(
              functionAppModule && moduleParam(functionAppModule, name),
            );
        }
      }
    }
  });

  it("grants the operator nothing unless asked: the module is conditional on grantOperatorAccess", () => {
    const [operator] = modulesDeploying(main, "", "app/operatorAccess.bicep");
    expect(operator?.condition).toMatch(/\bgrantOperatorAccess\b/);
    expect(operator?.condition).toMatch(/!empty\(operatorPrincipalId\)/);
  });
});

describe("the identity the app runs as", () => {
  it("is one user-assigned identity whose ids feed the app and its role assignments", () => {
    const identityFile = bicepFile(files, "app/identity.bicep");
    const [identity, ...others] = resourcesOfType(identityFile, "Microsoft.ManagedIdentity/userAssignedIdentities");
    expect(identity).toBeDefined();
    expect(others).toEqual([]);
    const outputs = Object.fromEntries(identityFile.outputs.map((o) => [o.name, o.value]));
    expect(outputs).toMatchObject({
      resourceId: `${identity?.symbol}.id`,
      clientId: `${identity?.symbol}.properties.clientId`,
      principalId: `${identity?.symbol}.properties.principalId`,
    });

    const [functionAppModule] = modulesDeploying(main, "", "app/functionApp.bicep");
    const appIdentity = appIdentityModule().symbol;
    expect(functionAppModule && moduleParam(functionAppModule, "identityResourceId")).toBe(
      `${appIdentity}.outputs.resourceId`,
    );
    expect(functionAppModule && moduleParam(functionAppModule, "identityClientId")).toBe(
      `${appIdentity}.outputs.clientId`,
    );
  });

  it("is the only identity of the Function App (no system-assigned one to grant by mistake)", () => {
    const functionApp = bicepFile(files, "app/functionApp.bicep");
    const [site] = resourcesOfType(functionApp, "Microsoft.Web/sites");
    const identity = objectBody(property(site?.body ?? "", "identity")) ?? "";
    expect(stringLiteral(property(identity, "type"))).toBe("UserAssigned");
    expect(property(identity, "userAssignedIdentities")?.replace(/\s+/g, " ")).toBe("{ '${identityResourceId}': {} }");
    // Flex Consumption pulls its package with the same identity.
    expect(
      stringLiteral(
        propertyPath(site?.body ?? "", "properties.functionAppConfig.deployment.storage.authentication.type"),
      ),
    ).toBe("UserAssignedIdentity");
    expect(
      propertyPath(
        site?.body ?? "",
        "properties.functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId",
      ),
    ).toBe("identityResourceId");
  });

  it("uses a Key Vault that authorizes with RBAC only", () => {
    const [vault] = resourcesOfType(bicepFile(files, "app/keyVault.bicep"), VAULT);
    const properties = objectBody(property(vault?.body ?? "", "properties")) ?? "";
    expect(property(properties, "enableRbacAuthorization")).toBe("true");
    expect(property(properties, "accessPolicies")).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { objectBody, objectEntries, parseBicep, property, stringLiteral } from "./bicepSource";

describe("bicepSource (the Bicep reader the infra tests rely on)", () => {
  const source = [
    "// resource ignored 'Microsoft.Fake/things@2000-01-01' = { in a comment }",
    "@description('A { brace } and a // slash in a string')",
    "param name string = 'a${toLower('B}')}c' /* trailing { comment */",
    "var tags = {",
    "  'azd-env-name': name",
    "}",
    "resource site 'Microsoft.Web/sites@2025-03-01' = {",
    "  name: name",
    "  tags: union(tags, {",
    "    'azd-service-name': 'api'",
    "  })",
    "  properties: { httpsOnly: true, siteConfig: { minTlsVersion: '1.2' } }",
    "}",
    "module access 'app/access.bicep' = if (grant && !empty('x}')) {",
    "  name: 'access'",
    "  params: {",
    "    principalId: id.outputs.principalId",
    "  }",
    "}",
    "output url string = 'https://${site.properties.defaultHostName}/api'",
  ].join("\n");
  const bicep = parseBicep(source);

  it("reads declarations, ignoring comments and never splitting inside strings or interpolations", () => {
    expect(bicep.resources.map((r) => `${r.symbol} ${r.type}@${r.apiVersion}`)).toEqual([
      "site Microsoft.Web/sites@2025-03-01",
    ]);
    expect(bicep.params).toEqual([
      {
        name: "name",
        type: "string",
        defaultValue: "'a${toLower('B}')}c'",
        decorators: ["@description('A { brace } and a // slash in a string')"],
      },
    ]);
    expect(bicep.modules[0]).toMatchObject({
      symbol: "access",
      path: "app/access.bicep",
      condition: "grant && !empty('x}')",
    });
    expect(bicep.outputs).toEqual([
      { name: "url", type: "string", value: "'https://${site.properties.defaultHostName}/api'" },
    ]);
    expect(bicep.vars.get("tags")?.replace(/\s+/g, " ")).toBe("{ 'azd-env-name': name }");
  });

  it("reads object literals, multi-line values and single-line comma lists alike", () => {
    const site = bicep.resources[0]?.body ?? "";
    expect(objectEntries(site).map(([key]) => key)).toEqual(["name", "tags", "properties"]);
    expect(property(site, "tags")?.replace(/\s+/g, " ")).toBe("union(tags, { 'azd-service-name': 'api' })");
    const properties = objectBody(property(site, "properties")) ?? "";
    expect(property(properties, "httpsOnly")).toBe("true");
    expect(stringLiteral(property(objectBody(property(properties, "siteConfig")) ?? "", "minTlsVersion"))).toBe("1.2");
    expect(property(objectBody(property(bicep.modules[0]?.body ?? "", "params")) ?? "", "principalId")).toBe(
      "id.outputs.principalId",
    );
  });

  it("tells plain string literals from interpolated ones", () => {
    expect(stringLiteral("'keyvault'")).toBe("keyvault");
    expect(stringLiteral("'it\\'s'")).toBe("it's");
    expect(stringLiteral("'https://${host}/api'")).toBeUndefined();
    expect(stringLiteral("identityClientId")).toBeUndefined();
  });
});

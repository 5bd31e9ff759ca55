import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseBicepExpression, parseBicepProgram } from "./bicepSyntax";
import { type BicepSource, checkBicepSources, formatFinding, loadTypeIndex } from "./bicepTypeCheck";
import { infraDir, readRepoFile, repoRoot } from "./infraProject";

/**
 * The Bicep check in `npm test`: every resource body in infra/ walked against the type files Bicep compiles with
 * (vendored in test/infra/bicep-types/, see SOURCES.md there). Then the check itself is put to the test: fixtures with
 * planted mistakes must each fail with a message naming the file, the resource and the property path.
 */

const typesDir = path.join(repoRoot, "test", "infra", "bicep-types");
const types = loadTypeIndex(typesDir);

function infraSources(): BicepSource[] {
  return readdirSync(infraDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".bicep"))
    .map((entry) => {
      const absolute = path.join(entry.parentPath, entry.name);
      return {
        file: path.relative(infraDir, absolute).split(path.sep).join("/"),
        text: readFileSync(absolute, "utf8"),
      };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

/** The findings for one fixture file, formatted as the test failure would show them. */
function check(text: string, others: BicepSource[] = []): string[] {
  return checkBicepSources([{ file: "fixture.bicep", text }, ...others], types).map((finding) =>
    formatFinding(finding),
  );
}

const STORAGE_OK = `
param location string
resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: 'stexample'
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
  }
}
`;

describe("infra/ against Bicep's own resource types", () => {
  const sources = infraSources();

  it("reads every .bicep file in infra/ and finds every resource type in the vendored type files", () => {
    expect(sources.map((s) => s.file)).toContain("main.bicep");
    const declared = sources.flatMap(({ text }) =>
      parseBicepProgram(text).resources.map((r) => `${r.type}@${r.apiVersion}`.toLowerCase()),
    );
    expect(declared.length).toBeGreaterThan(10);
    for (const reference of declared)
      expect(types.resources.has(reference), `${reference} has no vendored type file`).toBe(true);
  });

  it("finds nothing wrong in any resource body, module argument or parameter default", () => {
    const findings = checkBicepSources(sources, types).map((finding) => formatFinding(finding, "infra/"));
    expect(findings, findings.join("\n")).toEqual([]);
  });

  it("vendors no type file that no template uses (each must be accounted for in SOURCES.md)", () => {
    const used = new Set(
      sources.flatMap(({ text }) =>
        parseBicepProgram(text).resources.map((r) => `${r.type}@${r.apiVersion}`.toLowerCase()),
      ),
    );
    const usedFiles = new Set(
      [...used].flatMap((reference) => (types.resources.get(reference) ?? []).map((resolved) => resolved.file.file)),
    );
    expect([...usedFiles].sort()).toEqual(types.files);
  });
});

describe("the vendored type files", () => {
  const sourcesMd = readRepoFile("test/infra/bicep-types/SOURCES.md");

  it("are byte for byte the upstream files SOURCES.md names (git blob hash of each)", () => {
    const listed = [...sourcesMd.matchAll(/^\|\s*`([^`]+\/types\.json)`\s*\|\s*`([0-9a-f]{40})`\s*\|/gm)].map((m) => ({
      file: m[1] ?? "",
      blob: m[2] ?? "",
    }));
    expect(listed.map((l) => l.file).sort()).toEqual(types.files);
    for (const { file, blob } of listed) {
      const content = readFileSync(path.join(typesDir, file));
      // The same hash `git hash-object` prints, so anyone can compare with the upstream commit.
      const hash = createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
      expect(
        hash,
        `${file} differs from upstream: vendored files stay byte-identical (keep formatters off test/infra/bicep-types/)`,
      ).toBe(blob);
    }
  });
});

describe("the check catches what Bicep and ARM would refuse", () => {
  it("accepts a correct body (so the failures below are about the planted mistakes)", () => {
    expect(check(STORAGE_OK)).toEqual([]);
  });

  it("names the file, line, resource and property path of a property the type does not have", () => {
    const findings = check(
      STORAGE_OK.replace("minimumTlsVersion: 'TLS1_2'", "minimumTlsVersion: 'TLS1_2'\n    allowSharedKeyAcess: false"),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(
      /^fixture\.bicep:12:5 resource account \(Microsoft\.Storage\/storageAccounts@2025-01-01\) properties\.allowSharedKeyAcess: is not a property of StorageAccountPropertiesCreateParametersOrStorageAccountProperties \(it has: .*allowSharedKeyAccess/,
    );
  });

  it("refuses a read-only property, a missing required one, and a literal outside a closed set", () => {
    const findings = check(
      STORAGE_OK.replace("    name: 'Standard_LRS'\n", "").replace(
        "minimumTlsVersion: 'TLS1_2'",
        "minimumTlsVersion: 'TLS1_2'\n    provisioningState: 'Succeeded'\n    networkAcls: {\n      defaultAction: 'allow'\n    }",
      ),
    );
    expect(findings.join("\n")).toMatch(/ sku\.name: is required by Sku but not set/);
    expect(findings.join("\n")).toMatch(/ properties\.provisioningState: is read-only in /);
    expect(findings.join("\n")).toMatch(
      / properties\.networkAcls\.defaultAction: 'allow' is not one of 'Allow', 'Deny' \(did you mean 'Allow'\?\)/,
    );
    expect(findings).toHaveLength(3);
  });

  it("checks literals through variables, ternary branches and @allowed parameters, inside arrays too", () => {
    const findings = check(`
@allowed(['Allow', 'Block'])
param action string
param strict bool
var rules = [
  { value: '10.0.0.1', action: 'Deny' }
]
resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: 'stexample'
  location: 'westeurope'
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    networkAcls: {
      defaultAction: strict ? 'Denied' : 'Allow'
      ipRules: rules
      virtualNetworkRules: [
        { id: 'subnet', action: action }
      ]
    }
    isHnsEnabled: strict ? true : null
  }
}
`);
    const text = findings.join("\n");
    expect(text).toMatch(
      /^fixture\.bicep:17:\d+ .* properties\.networkAcls\.defaultAction: 'Denied' is not one of 'Allow', 'Deny'$/m,
    );
    expect(text).toMatch(
      /^fixture\.bicep:6:\d+ .* properties\.networkAcls\.ipRules\[0\]\.action: 'Deny' is not allowed: expected 'Allow' \(through var rules\)$/m,
    );
    expect(text).toMatch(
      /^fixture\.bicep:2:\d+ .* properties\.networkAcls\.virtualNetworkRules\[0\]\.action: 'Block' is not allowed: expected 'Allow' \(through param action @allowed\)$/m,
    );
    // null is fine in an optional property, also as one branch of a ternary.
    expect(findings).toHaveLength(3);
  });

  it("picks the body of a discriminated type by its literal name, and refuses an unknown one", () => {
    const site = `
resource site 'Microsoft.Web/sites@2025-03-01' existing = {
  name: 'func-example'
}
`;
    expect(
      check(`${site}resource ftp 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}`),
    ).toEqual([]);
    expect(
      check(`${site}resource sftp 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'sftp'
  properties: {
    allow: 'no'
  }
}`),
    ).toEqual([expect.stringMatching(/ resource sftp .* name: 'sftp' is not one of 'ftp', 'scm'$/)]);
    expect(
      check(`${site}resource ftp 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: 'no'
  }
}`),
    ).toEqual([expect.stringMatching(/ resource ftp .* properties\.allow: expects a bool, not 'no'$/)]);
  });

  it("allows only name, scope and parent on an existing resource", () => {
    expect(
      check(`resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: 'kv-example'
  location: 'westeurope'
}`),
    ).toEqual([expect.stringMatching(/ resource vault .* location: is not allowed on an `existing` resource/)]);
  });

  it("refuses a name that depends on another resource's runtime properties (not known when the deployment starts)", () => {
    const findings = check(`
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-example'
  location: 'westeurope'
}
resource other 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-\${identity.properties.clientId}'
  location: 'westeurope'
}
resource fine 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: guid(identity.id, 'x')
  location: 'westeurope'
}
`);
    expect(findings).toEqual([
      expect.stringMatching(
        / resource other .* name: must be known when the deployment starts, but uses identity\.properties$/,
      ),
    ]);
  });

  it("refuses a resource type the file's scope cannot deploy, and one with no vendored type", () => {
    expect(check(`targetScope = 'subscription'\n${STORAGE_OK}`)).toEqual([
      expect.stringMatching(/ resource account .* cannot be deployed at subscription scope/),
    ]);
    expect(check(`resource thing 'Microsoft.Fake/things@2020-01-01' = {\n  name: 'x'\n}`)).toEqual([
      expect.stringMatching(
        / resource thing \(Microsoft\.Fake\/things@2020-01-01\) no vendored type for Microsoft\.Fake\/things@2020-01-01/,
      ),
    ]);
  });

  it("checks module arguments against the module's parameters, and defaults against their decorators", () => {
    const child: BicepSource = {
      file: "child.bicep",
      text: "@minValue(40)\nparam maximumInstanceCount int = 10\n@allowed([\n  'User'\n  'Group'\n])\nparam principalType string\nparam name string\n",
    };
    const findings = check(
      "module child 'child.bicep' = {\n  name: 'child'\n  params: {\n    principalType: 'Robot'\n    nmae: 'x'\n  }\n}\n",
      [child],
    );
    const text = findings.join("\n");
    expect(text).toMatch(
      /^fixture\.bicep:4:\d+ module child \(child\.bicep\) params\.principalType: 'Robot' is not among param principalType's @allowed values$/m,
    );
    expect(text).toMatch(/ params\.nmae: is not a parameter of child\.bicep/);
    expect(text).toMatch(/ params\.name: is required by child\.bicep but not passed/);
    expect(text).toMatch(
      /^child\.bicep:2:\d+ param maximumInstanceCount default 10 is below param maximumInstanceCount's @minValue\(40\)$/m,
    );
    expect(findings).toHaveLength(4);
  });

  it("fails on a file it cannot read instead of skipping it", () => {
    expect(check("type sku = 'a' | 'b'\n")).toEqual([
      expect.stringMatching(/^fixture\.bicep:1:1 file cannot be read: 'type' statements are not supported/),
    ]);
    expect(
      check("resource a 'Microsoft.Web/sites@2025-03-01' = {\n  name: 'x'\n  resource child 'config' = {\n  }\n}\n"),
    ).toEqual([
      expect.stringMatching(/^fixture\.bicep:3:3 file cannot be read: nested resource declarations are not supported/),
    ]);
  });
});

describe("bicepSyntax (the parser the check relies on)", () => {
  it("reads strings with escapes and interpolation, and keeps comment-like text inside strings", () => {
    const expr = parseBicepExpression("'a\\'b ${toLower('X}')} // not a comment'");
    expect(expr.kind).toBe("string");
    if (expr.kind !== "string") return;
    expect(expr.parts[0]).toBe("a'b ");
    expect(expr.parts[1]).toMatchObject({ kind: "call", callee: { kind: "ref", name: "toLower" } });
    expect(expr.parts[2]).toBe(" // not a comment");
  });

  it("honours operator precedence and ternaries, and tells a postfix ! from a prefix one", () => {
    expect(parseBicepExpression("a || b && !c ? 1 : -2")).toMatchObject({
      kind: "ternary",
      condition: { kind: "binary", op: "||", right: { kind: "binary", op: "&&", right: { kind: "unary", op: "!" } } },
      whenFalse: { kind: "int", value: -2 },
    });
    expect(parseBicepExpression("x.?y!.z")).toMatchObject({
      kind: "member",
      name: "z",
      object: { kind: "nonNull", operand: { kind: "member", safe: true } },
    });
  });

  it("reads declarations with decorators, conditions and loops, with line numbers", () => {
    const program = parseBicepProgram(
      [
        "targetScope = 'subscription' // trailing comment",
        "@minValue(40)",
        "@description('a } brace')",
        "param count int = 100",
        "/* block",
        "   comment */",
        "module m 'app/m.bicep' = if (count > 0 && !empty('x')) {",
        "  name: 'm'",
        "}",
        "resource r 'Microsoft.Web/sites@2025-03-01' = [for (site, i) in sites: {",
        "  name: site, location: 'x'",
        "}]",
      ].join("\n"),
    );
    expect(program.targetScope).toBe("subscription");
    expect(program.params[0]).toMatchObject({
      name: "count",
      type: "int",
      pos: { line: 4 },
      decorators: [{ name: "minValue" }, { name: "description" }],
    });
    expect(program.modules[0]?.value.kind).toBe("conditional");
    expect(program.resources[0]).toMatchObject({
      pos: { line: 10 },
      type: "Microsoft.Web/sites",
      apiVersion: "2025-03-01",
      value: { kind: "loop", loop: { variables: ["site", "i"] } },
    });
  });
});

import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  type Fetch,
  getJson,
  HookError,
  HookErrorCodes,
  keyVaultNameFor,
  uniqueString,
} from "../../infra/hooks/hookSupport.mjs";
import {
  classify,
  operatorProbes,
  type Probe,
  type ProbeResult,
  resetRecoverFlag,
  waitForRoleAssignments,
} from "../../infra/hooks/postprovision.mjs";
import { checkKeyVaultName, type DeletedVaultLookup, deletedVaultFinder } from "../../infra/hooks/preprovision.mjs";
import { type Expr, parseBicepProgram } from "./bicepSyntax";
import { readRepoFile, readRepoJson, repoRoot } from "./infraProject";

/**
 * The azd hooks (infra/hooks/) run only against Azure, which is not reachable here; their decisions are tested with
 * injected fakes for everything that touches Azure (token, HTTP, clock), and their wiring (azure.yaml, the template
 * parameters they steer, the name they compute) against the files azd reads.
 */

const run = promisify(execFile);
const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const ENV = { AZURE_ENV_NAME: "confluence-prod", AZURE_SUBSCRIPTION_ID: SUBSCRIPTION, AZURE_LOCATION: "swedencentral" };
const FAKE_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.fake-token-never-printed";

/** A fetch that answers from a script and records what was asked (URL and headers). */
function fakeFetch(answer: (url: string) => { status: number; body?: unknown; errorCode?: string }) {
  const calls: Array<{ url: string; headers: Record<string, string> }> = [];
  const fetch: Fetch = async (url, init) => {
    calls.push({ url, headers: init.headers });
    const { status, body, errorCode } = answer(url);
    return {
      status,
      headers: { get: (name: string) => (name.toLowerCase() === "x-ms-error-code" ? (errorCode ?? null) : null) },
      text: async () => (body === undefined ? "" : JSON.stringify(body)),
    };
  };
  return { fetch, calls };
}

function collectingLog() {
  const lines: string[] = [];
  return { lines, log: (line: string) => lines.push(line) };
}

async function hookError(promise: Promise<unknown>): Promise<HookError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HookError) return error;
    throw error;
  }
  throw new Error("expected a HookError");
}

describe("the Key Vault name the hooks compute is the one main.bicep gives", () => {
  it("reproduces ARM's uniqueString() on values Bicep produced", () => {
    // From public tools checked against Bicep: the arm2tf Terraform provider's and a Go port's tests ("test",
    // "test"/"test2"/"test3"), and a shell port's self-test (the others).
    expect(uniqueString("test")).toBe("rbgf3xv4ufgzg");
    expect(uniqueString("test", "test2", "test3")).toBe("bqgd334z2uj64");
    expect(uniqueString("hello", "world")).toBe("a7wkljktk6wne");
    expect(uniqueString("abc")).toBe("cgtzqvhu4i23s");
    expect(uniqueString("foo", "bar", "baz")).toBe("xzi4ioaxtmth4");
    expect(uniqueString(`/subscriptions/${SUBSCRIPTION}/resourceGroups/my-rg`)).toBe("bmg7c6xu4tw46");
  });

  it("follows main.bicep: kv- + toLower(uniqueString(subscription().id, environmentName, location))", () => {
    const main = parseBicepProgram(readRepoFile("infra/main.bicep"));
    const token = main.vars.find((v) => v.name === "resourceToken")?.value;
    expect(shape(token)).toBe("toLower(uniqueString(subscription().id, environmentName, location))");
    const keyVault = main.modules.find((m) => m.path === "app/keyVault.bicep");
    const name = moduleParam(keyVault?.value, "name");
    expect(shape(name)).toBe("'kv-${resourceToken}'");
    const vault = parseBicepProgram(readRepoFile("infra/app/keyVault.bicep")).resources.find(
      (r) => r.type === "Microsoft.KeyVault/vaults",
    );
    expect(shape(objectProperty(vault?.value.kind === "plain" ? vault.value.body : undefined, "name"))).toBe("name");
    expect(keyVaultNameFor({ subscriptionId: SUBSCRIPTION, environmentName: "prod", location: "westeurope" })).toBe(
      `kv-${uniqueString(`/subscriptions/${SUBSCRIPTION}`, "prod", "westeurope")}`,
    );
  });
});

describe("the template wiring the hooks steer", () => {
  const main = parseBicepProgram(readRepoFile("infra/main.bicep"));
  const parameters = readRepoJson<{ parameters: Record<string, { value: unknown }> }>(
    "infra/main.parameters.json",
  ).parameters;

  it("recovers the vault only when KEY_VAULT_RECOVER says so (default false)", () => {
    expect(parameters.keyVaultRecover?.value).toBe("${KEY_VAULT_RECOVER=false}");
    expect(main.params.find((p) => p.name === "keyVaultRecover")).toMatchObject({
      type: "bool",
      defaultValue: { kind: "bool", value: false },
    });
    const keyVault = main.modules.find((m) => m.path === "app/keyVault.bicep");
    expect(shape(moduleParam(keyVault?.value, "recover"))).toBe("keyVaultRecover");
    const vault = parseBicepProgram(readRepoFile("infra/app/keyVault.bicep")).resources.find(
      (r) => r.type === "Microsoft.KeyVault/vaults",
    );
    const properties = objectProperty(vault?.value.kind === "plain" ? vault.value.body : undefined, "properties");
    expect(shape(objectProperty(properties, "createMode"))).toBe("recover ? 'recover' : 'default'");
  });

  it("tells the postprovision hook whether the operator has roles to probe with, on the same condition that grants them", () => {
    const output = main.outputs.find((o) => o.name === "OPERATOR_ACCESS_GRANTED");
    const operatorModule = main.modules.find((m) => m.path === "app/operatorAccess.bicep");
    expect(output?.type).toBe("bool");
    expect(operatorModule?.value.kind).toBe("conditional");
    expect(shape(output?.value)).toBe(
      shape(operatorModule?.value.kind === "conditional" ? operatorModule.value.condition : undefined),
    );
    expect(main.outputs.map((o) => o.name)).toEqual(
      expect.arrayContaining(["KEY_VAULT_URL", "STORAGE_TABLE_ENDPOINT", "AZURE_TENANT_ID"]),
    );
  });

  it("keeps maximumInstanceCount between 40 and 1000, settable as MAXIMUM_INSTANCE_COUNT", () => {
    const param = main.params.find((p) => p.name === "maximumInstanceCount");
    const decorator = (name: string) => param?.decorators.find((d) => d.name === name)?.args[0];
    expect(decorator("minValue")).toMatchObject({ kind: "int", value: 40 });
    expect(decorator("maxValue")).toMatchObject({ kind: "int", value: 1000 });
    expect(parameters.maximumInstanceCount?.value).toBe("${MAXIMUM_INSTANCE_COUNT=100}");
  });
});

describe("azure.yaml", () => {
  const azureYaml = parseYaml(readRepoFile("azure.yaml")) as {
    requiredVersions?: { azd?: string };
    hooks?: Record<string, Record<string, { shell?: string; run?: string }>>;
  };

  it("refuses azd older than 1.23.12 (1.23.5-1.23.11 ship the app without node_modules; older ones ignore remoteBuild)", () => {
    expect(azureYaml.requiredVersions?.azd).toBe(">= 1.23.12");
  });

  it("runs both provision hooks through the project's Node, on Linux/macOS and Windows alike", () => {
    for (const [hook, script] of [
      ["preprovision", "infra/hooks/preprovision.mjs"],
      ["postprovision", "infra/hooks/postprovision.mjs"],
    ] as const) {
      expect(azureYaml.hooks?.[hook]?.posix).toEqual({ shell: "sh", run: `npm exec --no -- node ${script}` });
      expect(azureYaml.hooks?.[hook]?.windows).toEqual({ shell: "pwsh", run: `npm exec --no -- node ${script}` });
    }
  });
});

describe("preprovision: a soft-deleted Key Vault holding the name", () => {
  const deleted = (purgeProtectionEnabled: boolean): DeletedVaultLookup => ({
    kind: "found",
    vault: {
      name: "kv-x",
      location: "swedencentral",
      deletionDate: "2026-09-01T10:00:00Z",
      scheduledPurgeDate: "2026-11-30T10:00:00Z",
      purgeProtectionEnabled,
    },
  });

  it("stops before provisioning, naming the vault, the recover command and why purging is impossible under purge protection", async () => {
    const lookups: unknown[] = [];
    const error = await hookError(
      checkKeyVaultName({
        env: ENV,
        findDeletedVault: async (target) => {
          lookups.push(target);
          return deleted(true);
        },
        log: () => {},
      }),
    );
    const name = keyVaultNameFor({
      subscriptionId: SUBSCRIPTION,
      environmentName: "confluence-prod",
      location: "swedencentral",
    });
    expect(lookups).toEqual([{ subscriptionId: SUBSCRIPTION, location: "swedencentral", name }]);
    expect(error.code).toBe(HookErrorCodes.KeyVaultSoftDeleted);
    expect(error.message).toContain(`Key Vault ${name} was deleted on 2026-09-01T10:00:00Z`);
    expect(error.message).toContain("azd env set KEY_VAULT_RECOVER true");
    expect(error.message).toContain("purge protection is on, so the name stays taken until 2026-11-30T10:00:00Z");
    expect(error.message).not.toContain("az keyvault purge");
  });

  it("offers the purge command when purge protection was off", async () => {
    const error = await hookError(
      checkKeyVaultName({ env: ENV, findDeletedVault: async () => deleted(false), log: () => {} }),
    );
    expect(error.message).toMatch(/az keyvault purge --name kv-\w{13} --location swedencentral/);
  });

  it("lets provisioning recover the vault when KEY_VAULT_RECOVER is true", async () => {
    const { lines, log } = collectingLog();
    const outcome = await checkKeyVaultName({
      env: { ...ENV, KEY_VAULT_RECOVER: "True" },
      findDeletedVault: async () => deleted(true),
      log,
    });
    expect(outcome.status).toBe("recovering");
    expect(lines.join("\n")).toMatch(/recovering soft-deleted Key Vault kv-\w{13}/);
  });

  it("refuses KEY_VAULT_RECOVER=true when there is nothing to recover (createMode 'recover' would fail in ARM)", async () => {
    const error = await hookError(
      checkKeyVaultName({
        env: { ...ENV, KEY_VAULT_RECOVER: "true" },
        findDeletedVault: async () => ({ kind: "absent" }),
        log: () => {},
      }),
    );
    expect(error.code).toBe(HookErrorCodes.KeyVaultNothingToRecover);
    expect(error.message).toContain("azd env set KEY_VAULT_RECOVER false");
  });

  it("goes on when the name is free, when the check cannot be made, and before a location is chosen", async () => {
    expect(
      (await checkKeyVaultName({ env: ENV, findDeletedVault: async () => ({ kind: "absent" }), log: () => {} })).status,
    ).toBe("absent");
    const { lines, log } = collectingLog();
    const unknown = await checkKeyVaultName({
      env: ENV,
      findDeletedVault: async () => ({ kind: "unknown", reason: "Azure answered 403 AuthorizationFailed" }),
      log,
    });
    expect(unknown.status).toBe("skipped");
    expect(lines.join("\n")).toContain("Azure answered 403 AuthorizationFailed");
    let asked = false;
    const early = await checkKeyVaultName({
      env: { AZURE_ENV_NAME: "confluence-prod", AZURE_SUBSCRIPTION_ID: SUBSCRIPTION },
      findDeletedVault: async () => {
        asked = true;
        return { kind: "absent" };
      },
      log: () => {},
    });
    expect(early.status).toBe("skipped");
    expect(asked).toBe(false);
  });

  it("asks ARM for exactly that deleted vault, and reads its answer", async () => {
    const { fetch, calls } = fakeFetch(() => ({
      status: 200,
      body: {
        name: "kv-abc",
        properties: {
          vaultId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-confluence-prod/providers/Microsoft.KeyVault/vaults/kv-abc`,
          location: "swedencentral",
          deletionDate: "2026-09-01T10:00:00Z",
          scheduledPurgeDate: "2026-11-30T10:00:00Z",
          purgeProtectionEnabled: true,
        },
      },
    }));
    const scopes: string[] = [];
    const find = deletedVaultFinder({
      getToken: async (scope) => {
        scopes.push(scope);
        return FAKE_TOKEN;
      },
      fetch,
    });
    const found = await find({ subscriptionId: SUBSCRIPTION, location: "swedencentral", name: "kv-abc" });
    expect(calls[0]?.url).toBe(
      `https://management.azure.com/subscriptions/${SUBSCRIPTION}/providers/Microsoft.KeyVault/locations/swedencentral/deletedVaults/kv-abc?api-version=2024-11-01`,
    );
    expect(calls[0]?.headers.Authorization).toBe(`Bearer ${FAKE_TOKEN}`);
    expect(scopes).toEqual(["https://management.azure.com/.default"]);
    expect(found).toEqual({
      kind: "found",
      vault: {
        name: "kv-abc",
        location: "swedencentral",
        deletionDate: "2026-09-01T10:00:00Z",
        scheduledPurgeDate: "2026-11-30T10:00:00Z",
        purgeProtectionEnabled: true,
        resourceGroup: "rg-confluence-prod",
      },
    });
  });

  it("reads 404 as a free name, and any other answer or a sign-in failure as 'could not check' without the token in it", async () => {
    const target = { subscriptionId: SUBSCRIPTION, location: "swedencentral", name: "kv-abc" };
    const notFound = fakeFetch(() => ({
      status: 404,
      body: { error: { code: "ResourceNotFound", message: "not found" } },
    }));
    expect(await deletedVaultFinder({ getToken: async () => FAKE_TOKEN, fetch: notFound.fetch })(target)).toEqual({
      kind: "absent",
    });
    const forbidden = fakeFetch(() => ({
      status: 403,
      body: { error: { code: "AuthorizationFailed", message: "The client does not have authorization\nsecond line" } },
    }));
    const refused = await deletedVaultFinder({ getToken: async () => FAKE_TOKEN, fetch: forbidden.fetch })(target);
    expect(refused).toEqual({
      kind: "unknown",
      reason: "Azure answered 403 AuthorizationFailed: The client does not have authorization",
    });
    const signedOut = await deletedVaultFinder({
      getToken: async () => {
        throw new Error("Please run 'azd auth login'");
      },
      fetch: notFound.fetch,
    })(target);
    expect(signedOut.kind).toBe("unknown");
    expect(JSON.stringify([refused, signedOut])).not.toContain(FAKE_TOKEN);
  });
});

describe("postprovision: waiting for the role assignments", () => {
  /** A clock that only moves when the hook sleeps. */
  function fakeClock() {
    let now = 1_000_000;
    const sleeps: number[] = [];
    return {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
      sleeps,
    };
  }

  function scripted(name: string, results: ProbeResult[]): Probe & { calls: number } {
    const probe = {
      name,
      calls: 0,
      run: async () => {
        const result = results[Math.min(probe.calls, results.length - 1)] as ProbeResult;
        probe.calls++;
        return result;
      },
    };
    return probe;
  }

  const ready: ProbeResult = { kind: "ready" };
  const denied: ProbeResult = { kind: "pending", detail: "403 ForbiddenByRbac" };

  it("polls with growing pauses until every probe answers twice in a row", async () => {
    const clock = fakeClock();
    const vault = scripted("Key Vault secrets", [denied, denied, denied, ready, ready]);
    const tables = scripted("Table storage", [denied, ready, ready, ready, ready]);
    const { lines, log } = collectingLog();
    const outcome = await waitForRoleAssignments({ env: {}, probes: [vault, tables], ...clock, log });
    expect(outcome).toEqual({ status: "ready", seconds: 40 });
    // 5, 10, 20 s while denied, then 5 s to confirm.
    expect(clock.sleeps).toEqual([5000, 10000, 20000, 5000]);
    expect(vault.calls).toBe(5);
    expect(lines[0]).toContain("Key Vault secrets: 403 ForbiddenByRbac");
  });

  it("starts counting again when a probe flips back to denied (propagation reaches front ends one by one)", async () => {
    const clock = fakeClock();
    const flaky = scripted("Key Vault secrets", [ready, denied, ready, ready]);
    const outcome = await waitForRoleAssignments({ env: {}, probes: [flaky], ...clock, log: () => {} });
    expect(outcome.status).toBe("ready");
    expect(flaky.calls).toBe(4);
  });

  it("gives up at the bound with ROLE_PROPAGATION_TIMEOUT, naming what is still denied and what to run", async () => {
    const clock = fakeClock();
    const stuck = scripted("Table storage", [denied]);
    const error = await hookError(
      waitForRoleAssignments({
        env: { ROLE_PROPAGATION_TIMEOUT_SECONDS: "60" },
        probes: [stuck],
        ...clock,
        log: () => {},
      }),
    );
    expect(error.code).toBe(HookErrorCodes.RolePropagationTimeout);
    expect(error.message).toContain("Table storage: 403 ForbiddenByRbac");
    expect(error.message).toContain("azd deploy");
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(60_000);
  });

  it("fails at once when waiting cannot help (a 401, a sign-in failure)", async () => {
    const clock = fakeClock();
    const wrongTenant = scripted("Key Vault secrets", [
      { kind: "failed", detail: "the vault answered 401 Unauthorized" },
    ]);
    const error = await hookError(waitForRoleAssignments({ env: {}, probes: [wrongTenant], ...clock, log: () => {} }));
    expect(error.code).toBe(HookErrorCodes.RoleProbeFailed);
    expect(clock.sleeps).toEqual([]);
    const signedOut: Probe = {
      name: "Table storage",
      run: async () => {
        throw new HookError(HookErrorCodes.SignInFailed, "cannot get a token");
      },
    };
    expect(
      (await hookError(waitForRoleAssignments({ env: {}, probes: [signedOut], ...clock, log: () => {} }))).message,
    ).toContain("AZURE_SIGN_IN_FAILED");
  });

  it("waits out network errors right after creation, and a fixed minute when there is nothing to probe", async () => {
    const clock = fakeClock();
    let calls = 0;
    const dnsNotYet: Probe = {
      name: "Table storage",
      run: async () => {
        calls++;
        if (calls === 1) throw new Error("getaddrinfo ENOTFOUND stx.table.core.windows.net");
        return ready;
      },
    };
    expect((await waitForRoleAssignments({ env: {}, probes: [dnsNotYet], ...clock, log: () => {} })).status).toBe(
      "ready",
    );
    const blind = fakeClock();
    expect(await waitForRoleAssignments({ env: {}, probes: [], ...blind, log: () => {} })).toEqual({
      status: "waited",
      seconds: 60,
    });
    expect(blind.sleeps).toEqual([60_000]);
  });

  it("does not wait at all with ROLE_PROPAGATION_TIMEOUT_SECONDS=0, and refuses a malformed value", async () => {
    const clock = fakeClock();
    const never = scripted("Key Vault secrets", [denied]);
    expect(
      (
        await waitForRoleAssignments({
          env: { ROLE_PROPAGATION_TIMEOUT_SECONDS: "0" },
          probes: [never],
          ...clock,
          log: () => {},
        })
      ).status,
    ).toBe("skipped");
    expect(never.calls).toBe(0);
    const error = await hookError(
      waitForRoleAssignments({
        env: { ROLE_PROPAGATION_TIMEOUT_SECONDS: "5m" },
        probes: [never],
        ...clock,
        log: () => {},
      }),
    );
    expect(error.code).toBe(HookErrorCodes.SettingInvalid);
  });
});

describe("postprovision: the probes and the recover flag", () => {
  const OUTPUTS = {
    OPERATOR_ACCESS_GRANTED: "true",
    KEY_VAULT_URL: "https://kv-abc.vault.azure.net/",
    STORAGE_TABLE_ENDPOINT: "https://stabc.table.core.windows.net/",
  };

  it("probes the operator's Key Vault and Table roles with their own scopes, and never prints the token", async () => {
    const { fetch, calls } = fakeFetch((url) =>
      url.includes("vault.azure.net")
        ? {
            status: 403,
            body: {
              error: {
                code: "Forbidden",
                message: "Caller is not authorized",
                innererror: { code: "ForbiddenByRbac" },
              },
            },
          }
        : { status: 200, body: { value: [] } },
    );
    const scopes: string[] = [];
    const probes = operatorProbes({
      env: OUTPUTS,
      getToken: async (scope) => {
        scopes.push(scope);
        return FAKE_TOKEN;
      },
      fetch,
    });
    const results = await Promise.all(probes.map((p) => p.run()));
    expect(calls.map((c) => c.url)).toEqual([
      "https://kv-abc.vault.azure.net/secrets?api-version=7.4&maxresults=1",
      "https://stabc.table.core.windows.net/Tables?$top=1",
    ]);
    expect(scopes).toEqual(["https://vault.azure.net/.default", "https://storage.azure.com/.default"]);
    expect(calls[1]?.headers["x-ms-version"]).toBe("2020-12-06");
    expect(results).toEqual([{ kind: "pending", detail: "403 Forbidden" }, { kind: "ready" }]);
    expect(JSON.stringify(results)).not.toContain(FAKE_TOKEN);
  });

  it("has nothing to probe without operator roles", () => {
    expect(
      operatorProbes({ env: { ...OUTPUTS, OPERATOR_ACCESS_GRANTED: "false" }, getToken: async () => FAKE_TOKEN }),
    ).toEqual([]);
  });

  it("reads answers: 2xx ready; 403, 408, 429, 5xx worth waiting for; 401 or 404 not", () => {
    expect(classify({ status: 200 }, "the vault")).toEqual({ kind: "ready" });
    for (const status of [403, 408, 429, 503]) expect(classify({ status }, "the vault").kind).toBe("pending");
    expect(classify({ status: 401, code: "Unauthorized", message: "AKV10032: Invalid issuer" }, "the vault")).toEqual({
      kind: "failed",
      detail: "the vault answered 401 Unauthorized: AKV10032: Invalid issuer",
    });
    expect(classify({ status: 404 }, "the storage account").kind).toBe("failed");
  });

  it("reads Table storage's error shape as well as ARM's", async () => {
    const { fetch } = fakeFetch(() => ({
      status: 403,
      body: {
        "odata.error": {
          code: "AuthorizationPermissionMismatch",
          message: { lang: "en-US", value: "This request is not authorized\nRequestId:1" },
        },
      },
    }));
    expect(await getJson({ getToken: async () => FAKE_TOKEN, fetch }, "https://x/Tables", "s")).toMatchObject({
      status: 403,
      code: "AuthorizationPermissionMismatch",
      message: "This request is not authorized",
    });
  });

  it("turns KEY_VAULT_RECOVER off after a recovery, and only then", async () => {
    const set: Array<[string, string]> = [];
    const setEnvValue = async (name: string, value: string) => void set.push([name, value]);
    expect(await resetRecoverFlag({ env: { KEY_VAULT_RECOVER: "true" }, setEnvValue, log: () => {} })).toBe(true);
    expect(await resetRecoverFlag({ env: { KEY_VAULT_RECOVER: "false" }, setEnvValue, log: () => {} })).toBe(false);
    expect(await resetRecoverFlag({ env: {}, setEnvValue, log: () => {} })).toBe(false);
    expect(set).toEqual([["KEY_VAULT_RECOVER", "false"]]);
    const { lines, log } = collectingLog();
    const failing = async () => {
      throw new Error("azd not found");
    };
    expect(await resetRecoverFlag({ env: { KEY_VAULT_RECOVER: "true" }, setEnvValue: failing, log })).toBe(false);
    expect(lines.join("\n")).toContain("run azd env set KEY_VAULT_RECOVER false");
  });
});

describe("the hook scripts as azd runs them", () => {
  const node = (script: string, env: Record<string, string>) =>
    run(process.execPath, [path.join(repoRoot, "infra", "hooks", script)], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "", ...env },
      encoding: "utf8",
    });

  it("preprovision: exits 0 and says so when it cannot check yet; exits 1 with a stable code on a bad setting", async () => {
    const skipped = await node("preprovision.mjs", { AZURE_ENV_NAME: "confluence-prod" });
    expect(skipped.stdout).toContain("preprovision: soft-deleted Key Vault check skipped");
    const failure = await node("preprovision.mjs", { KEY_VAULT_RECOVER: "yes" }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(
      /^preprovision: error HOOK_SETTING_INVALID: KEY_VAULT_RECOVER must be true or false/,
    );
  });

  it("postprovision: exits 0 without waiting when told not to wait", async () => {
    const { stdout } = await node("postprovision.mjs", { ROLE_PROPAGATION_TIMEOUT_SECONDS: "0" });
    expect(stdout).toContain("postprovision: not waiting for role assignments");
  });
});

// --- helpers reading the templates --------------------------------------------------------------------------------

/** An expression written back as Bicep-like text, positions dropped: enough to compare template wiring. */
function shape(expr: Expr | undefined): string | undefined {
  if (!expr) return undefined;
  switch (expr.kind) {
    case "string":
      return `'${expr.parts.map((part) => (typeof part === "string" ? part : `\${${shape(part)}}`)).join("")}'`;
    case "int":
    case "bool":
      return String(expr.value);
    case "null":
      return "null";
    case "ref":
      return expr.name;
    case "member":
      return `${shape(expr.object)}${expr.safe ? ".?" : "."}${expr.name}`;
    case "call":
      return `${shape(expr.callee)}(${expr.args.map(shape).join(", ")})`;
    case "unary":
      return `${expr.op}${shape(expr.operand)}`;
    case "binary":
      return `${shape(expr.left)} ${expr.op} ${shape(expr.right)}`;
    case "ternary":
      return `${shape(expr.condition)} ? ${shape(expr.whenTrue)} : ${shape(expr.whenFalse)}`;
    default:
      return `<${expr.kind}>`;
  }
}

function objectProperty(expr: Expr | undefined, key: string): Expr | undefined {
  return expr?.kind === "object" ? expr.properties.find((p) => p.key === key)?.value : undefined;
}

function moduleParam(value: { kind: string; body?: Expr } | undefined, name: string): Expr | undefined {
  const body = value && "body" in value ? value.body : undefined;
  return objectProperty(objectProperty(body, "params"), name);
}

import { describe, expect, it } from "vitest";
import { readAppSettings } from "../../shared/settings/appSettings";
import { readRepoFile } from "./infraProject";

/**
 * docs/deploy.md against what it documents: the settings it tells people to set exist, and the shell it gives for
 * loading profiles really points the CLI at Table Storage and Key Vault (the README's earlier steps left secrets going
 * to local SQLite) and passes secrets on standard input, never as an argument.
 */

const doc = readRepoFile("docs/deploy.md");

function codeBlocks(language: string): string[] {
  return [...doc.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, "g"))].map((m) => m[1] ?? "");
}

/** Settings azd reads: main.parameters.json's `${NAME=...}` substitutions and the hooks' own knobs. */
function settingsAzdReads(): Set<string> {
  const parameters = readRepoFile("infra/main.parameters.json");
  const fromParameters = [...parameters.matchAll(/\$\{([A-Z_]+)(?:=[^}]*)?\}/g)].map((m) => m[1] ?? "");
  const hooks = ["preprovision.mjs", "postprovision.mjs", "hookSupport.mjs"]
    .map((file) => readRepoFile(`infra/hooks/${file}`))
    .join("\n");
  const fromHooks = [...hooks.matchAll(/Setting\(env, "([A-Z_]+)"/g)].map((m) => m[1] ?? "");
  return new Set([...fromParameters, ...fromHooks]);
}

describe("docs/deploy.md", () => {
  it("tells people to set only settings that something reads", () => {
    const known = settingsAzdReads();
    expect(known).toContain("KEY_VAULT_RECOVER");
    expect(known).toContain("ROLE_PROPAGATION_TIMEOUT_SECONDS");
    const documented = new Set(
      [...doc.matchAll(/azd env set ([A-Z_]+)/g), ...doc.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*`[^`]*`\s*\|/gm)]
        .map((m) => m[1] ?? "")
        .filter((name) => name !== "NAME"),
    );
    expect(documented.size).toBeGreaterThan(5);
    for (const name of documented)
      expect(known.has(name), `docs/deploy.md sets ${name}, which nothing reads`).toBe(true);
  });

  it("points the CLI at the deployed Table Storage profile store and Key Vault, as the app itself reads its settings", () => {
    const block = codeBlocks("bash").find((text) => text.includes("export PROFILE_STORE"));
    expect(block).toBeDefined();
    // Substitute what `azd env get-value NAME` would print.
    const outputs: Record<string, string> = {
      STORAGE_TABLE_ENDPOINT: "https://stexample.table.core.windows.net/",
      KEY_VAULT_URL: "https://kv-example.vault.azure.net/",
    };
    const env: Record<string, string> = {};
    for (const match of (block ?? "").matchAll(/^export (\w+)=(.*)$/gm)) {
      const value = (match[2] ?? "").replace(
        /^"\$\(azd env get-value (\w+)\)"$/,
        (_, name: string) => outputs[name] ?? "",
      );
      env[match[1] ?? ""] = value;
    }
    const settings = readAppSettings(env, "/");
    expect(settings.profileStore).toBe("table");
    expect(settings.secretsProvider).toBe("keyvault");
    expect(settings.KEY_VAULT_URL).toBe(outputs.KEY_VAULT_URL);
    expect(settings.AzureWebJobsStorage__tableServiceUri).toBe(outputs.STORAGE_TABLE_ENDPOINT);
    // The PowerShell block sets the same four.
    const powershell = codeBlocks("powershell").find((text) => text.includes("PROFILE_STORE")) ?? "";
    expect([...powershell.matchAll(/\$env:(\w+) =/g)].map((m) => m[1]).sort()).toEqual(Object.keys(env).sort());
  });

  it("passes secrets to `secrets set` on standard input, never as an argument", () => {
    const invocations = [...doc.matchAll(/confluence-sync secrets set ([^\n`|]*)/g)].map((m) => (m[1] ?? "").trim());
    expect(invocations.length).toBeGreaterThanOrEqual(3);
    for (const args of invocations) {
      const positional = args.split(/\s+/).filter((arg) => arg !== "" && !arg.startsWith("<") && arg !== "-");
      // <profileKey> <name>: a third word would be the value on the command line.
      expect(positional.length <= 2, `secrets set ${args}`).toBe(true);
    }
    expect(doc).not.toMatch(/--value\s+"?\$/);
  });

  it("names the azd version azure.yaml requires", () => {
    const requiredVersion = /azd: "([^"]+)"/.exec(readRepoFile("azure.yaml"))?.[1];
    expect(requiredVersion).toBe(">= 1.23.12");
    expect(doc).toContain(`requiredVersions: azd: "${requiredVersion}"`);
  });
});

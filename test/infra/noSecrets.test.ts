import { describe, expect, it } from "vitest";
import { objectBody, objectEntries, property, stringLiteral } from "./bicepSource";
import { bicepFile, loadBicepFiles, readRepoJson, resourcesOfType } from "./infraProject";

/**
 * Nothing secret passes through the deployment: no parameter takes one or defaults to one, no output exposes one, no
 * app setting holds one, and no template reads keys (list*()) from anything. Storage and Key Vault are reached with the
 * app's identity; the profiles' credentials are put into the vault by an operator, outside infra/.
 */

const SECRET_LOOKING_NAME =
  /secret|password|passwd|token|connection_?string|account_?key|api_?key|\bsas\b|credential|private_?key/i;

const SECRET_LOOKING_VALUE = [
  /AccountKey=/i,
  /SharedAccessSignature=/i,
  /[?&]sig=/i,
  /InstrumentationKey=/i,
  /\beyJ[A-Za-z0-9_-]{10,}/, // a JWT
  /-----BEGIN /,
  /password\s*=/i,
  /client_?secret/i,
  /[A-Za-z0-9+/]{40,}={0,2}/, // a long base64 blob, the usual shape of a key
];

/** list*() functions return keys and secrets (listKeys, listSecrets, listConnectionStrings, resource.listKeys()). */
const READS_KEYS = /\blist[A-Z]\w*\s*\(|\.list\w*\s*\(/;

/** App settings whose names look secret but whose values are not, each with the reason. */
const SECRET_LOOKING_SETTINGS: Readonly<Record<string, string>> = {
  APPLICATIONINSIGHTS_CONNECTION_STRING:
    "locates the component (ingestion endpoint and instrumentation key, an identifier); with local auth disabled, sending telemetry also needs the identity's Entra token",
  AzureWebJobsStorage__credential: "names the kind of credential (managedidentity), not a credential",
  SECRETS_PROVIDER: "names the store that holds the secrets (keyvault)",
};

const files = loadBicepFiles();

function looksSecret(text: string): RegExp | undefined {
  return SECRET_LOOKING_VALUE.find((pattern) => pattern.test(text));
}

describe("no secret in the deployment", () => {
  it("has no parameter that takes a secret or defaults to one", () => {
    for (const [file, bicep] of files) {
      for (const param of bicep.params) {
        const where = `infra/${file} param ${param.name}`;
        expect(param.name, `${where}: a secret must not pass through the template`).not.toMatch(SECRET_LOOKING_NAME);
        expect(
          param.decorators.some((d) => d.startsWith("@secure")),
          `${where}: nothing here should need @secure()`,
        ).toBe(false);
        expect(looksSecret(param.defaultValue ?? ""), `${where}: default looks like a secret`).toBeUndefined();
      }
    }
    const parameters = readRepoJson<{ parameters: Record<string, { value: unknown }> }>("infra/main.parameters.json");
    for (const [name, { value }] of Object.entries(parameters.parameters)) {
      expect(name).not.toMatch(SECRET_LOOKING_NAME);
      expect(looksSecret(String(value)), `main.parameters.json ${name}`).toBeUndefined();
    }
  });

  it("has no output that exposes a secret", () => {
    for (const [file, bicep] of files) {
      for (const output of bicep.outputs) {
        const where = `infra/${file} output ${output.name}`;
        expect(output.name, where).not.toMatch(SECRET_LOOKING_NAME);
        expect(output.value, where).not.toMatch(READS_KEYS);
        expect(output.value, where).not.toMatch(
          /ConnectionString|InstrumentationKey|primaryKey|secondaryKey|\.keys\b|secret/i,
        );
      }
    }
  });

  it("has no app setting that holds a secret", () => {
    const functionApp = bicepFile(files, "app/functionApp.bicep");
    const appSettings = resourcesOfType(functionApp, "Microsoft.Web/sites/config").find(
      (resource) => stringLiteral(property(resource.body, "name")) === "appsettings",
    );
    const settings = objectEntries(objectBody(property(appSettings?.body ?? "", "properties")) ?? "");
    expect(settings.length).toBeGreaterThan(0);
    expect(
      settings.map(([name]) => name),
      "AzureWebJobsStorage as a connection string would carry the account key",
    ).not.toContain("AzureWebJobsStorage");
    for (const [name, value] of settings) {
      if (!(name in SECRET_LOOKING_SETTINGS)) expect(name, `app setting ${name}`).not.toMatch(SECRET_LOOKING_NAME);
      expect(value, `app setting ${name}`).not.toMatch(READS_KEYS);
      expect(looksSecret(value), `app setting ${name}`).toBeUndefined();
      // The app reads its vault itself, per profile; a Key Vault reference would put a secret into the environment.
      expect(value, `app setting ${name}`).not.toContain("@Microsoft.KeyVault(");
    }
  });

  it("reads no key or secret from any resource anywhere in infra/", () => {
    for (const [file, bicep] of files) {
      expect(bicep.code, `infra/${file}`).not.toMatch(READS_KEYS);
    }
  });
});

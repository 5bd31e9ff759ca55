import type { Command } from "commander";
import { SecretNames } from "../../secrets";
import { globalRedactor } from "../../runtime";
import { CliError, printResult, type CliIo } from "../cliContext";
import { commandGroup } from "../commandGroup";
import { requireProfile } from "../requireProfile";
import { withConfigServices } from "../withConfigServices";

const KNOWN = Object.values(SecretNames) as string[];

/** `confluence-sync secrets set <profileKey> <name> <value>`: stores one secret of an existing profile. */
export function registerSecretsSetCommand(program: Command, io: CliIo): void {
  commandGroup(program, "secrets")
    .command("set")
    .description("store a secret for a profile (a new version in Key Vault)")
    .argument("<profileKey>", "profile key")
    .argument("<name>", `secret name: ${KNOWN.join(", ")}`)
    .argument("<value>", "secret value")
    .option("--json", "machine-readable output")
    .action(async (profileKey: string, name: string, value: string, options: { json?: boolean }) => {
      globalRedactor.register(value);
      if (!KNOWN.includes(name)) throw new CliError(`unknown secret name "${name}"; expected one of ${KNOWN.join(", ")}`);
      if (value === "") throw new CliError(`the value of secret "${name}" must not be empty`);
      await withConfigServices(io, async (services) => {
        await requireProfile(services.profiles, profileKey);
        await services.secrets.set(profileKey, name, value);
      });
      printResult(io, options.json ?? false, { profileKey, name, stored: true }, () => `stored secret "${name}" for profile "${profileKey}"`);
    });
}

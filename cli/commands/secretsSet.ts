import type { Command } from "commander";
import { globalRedactor, secretSlot } from "../../shared/runtime";
import { SecretNames } from "../../shared/secrets";
import { CliError, type CliIo, printResult } from "../cliContext";
import { commandGroup } from "../commandGroup";
import { requireProfile } from "../requireProfile";
import { withConfigServices } from "../withConfigServices";

const KNOWN = Object.values(SecretNames) as string[];

/**
 * `confluence-sync secrets set <profileKey> <name> [value]`: stores one secret of an existing profile. Without a value
 * (or with `-`) it reads the value from standard input, which keeps it out of shell history and the process list.
 */
export function registerSecretsSetCommand(program: Command, io: CliIo): void {
  commandGroup(program, "secrets")
    .command("set")
    .description("store a secret for a profile (a new version in Key Vault); the value is read from stdin when omitted")
    .argument("<profileKey>", "profile key")
    .argument("<name>", `secret name: ${KNOWN.join(", ")}`)
    .argument("[value]", "secret value; omit it (or give -) to read it from standard input, e.g. piped from a vault")
    .option("--json", "machine-readable output")
    .action(async (profileKey: string, name: string, given: string | undefined, options: { json?: boolean }) => {
      if (!KNOWN.includes(name))
        throw new CliError(`unknown secret name "${name}"; expected one of ${KNOWN.join(", ")}`);
      const value = given === undefined || given === "-" ? await valueFromStdin(io, name) : given;
      globalRedactor.register(value, secretSlot(profileKey, name));
      if (value === "") throw new CliError(`the value of secret "${name}" must not be empty`);
      await withConfigServices(io, async (services) => {
        await requireProfile(services.profiles, profileKey);
        await services.secrets.set(profileKey, name, value);
      });
      printResult(
        io,
        options.json ?? false,
        { profileKey, name, stored: true },
        () => `stored secret "${name}" for profile "${profileKey}"`,
      );
    });
}

/** The piped value without the line break `echo` or a here-string adds (a secret never ends in one). */
async function valueFromStdin(io: CliIo, name: string): Promise<string> {
  if (!io.readStdin) throw new CliError(`no value given for secret "${name}" and no standard input to read it from`);
  return (await io.readStdin()).replace(/\r?\n$/, "");
}

import type { Command } from "commander";
import { type CliIo, printResult } from "../cliContext";
import { commandGroup } from "../commandGroup";
import { requireProfile } from "../requireProfile";
import { withConfigServices } from "../withConfigServices";

/** `confluence-sync secrets list <profileKey> [--json]`: names only. */
export function registerSecretsListCommand(program: Command, io: CliIo): void {
  commandGroup(program, "secrets")
    .command("list")
    .description("list the names of a profile's stored secrets (never their values)")
    .argument("<profileKey>", "profile key")
    .option("--json", "machine-readable output")
    .action(async (profileKey: string, options: { json?: boolean }) => {
      const names = await withConfigServices(io, async (services) => {
        await requireProfile(services.profiles, profileKey);
        return services.secrets.listNames(profileKey);
      });
      printResult(io, options.json ?? false, { profileKey, names }, () =>
        names.length === 0 ? `no secrets stored for profile "${profileKey}"` : names.join("\n"),
      );
    });
}

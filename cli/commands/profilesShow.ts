import type { Command } from "commander";
import { requiredSecretNames } from "../../shared/config";
import { type CliIo, printResult } from "../cliContext";
import { commandGroup } from "../commandGroup";
import { withConfigServices } from "../withConfigServices";

/** `confluence-sync profiles show <key> [--json]`: the profile, and its secrets by name and presence only. */
export function registerProfilesShowCommand(program: Command, io: CliIo): void {
  commandGroup(program, "profiles")
    .command("show")
    .description("show a stored profile and which of its secrets are present (never their values)")
    .argument("<key>", "profile key")
    .option("--json", "machine-readable output")
    .action(async (key: string, options: { json?: boolean }) => {
      const shown = await withConfigServices(io, async (services) => {
        const { profile, updatedAt } = await services.profiles.get(key);
        const present = new Set(await services.secrets.listNames(key));
        const required = requiredSecretNames(profile);
        const names = [...new Set([...required, ...present])];
        const secrets = names.map((name) => ({
          name,
          required: (required as string[]).includes(name),
          present: present.has(name),
        }));
        return { profile, updatedAt: updatedAt.toISOString(), secrets };
      });
      printResult(io, options.json ?? false, shown, () => {
        const secretLines = shown.secrets.map(
          (s) => `  ${s.name.padEnd(24)}${s.present ? "present" : "MISSING"}${s.required ? "" : " (not required)"}`,
        );
        return [
          `profile "${shown.profile.key}" (updated ${shown.updatedAt})`,
          JSON.stringify(shown.profile, null, 2),
          "secrets:",
          ...secretLines,
        ].join("\n");
      });
    });
}

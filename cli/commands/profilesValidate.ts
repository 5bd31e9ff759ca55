import type { Command } from "commander";
import { describeIssues } from "../../shared/config";
import { CliError, type CliIo, printResult } from "../cliContext";
import { commandGroup } from "../commandGroup";
import { withConfigServices } from "../withConfigServices";

/** `confluence-sync profiles validate <key> [--json]`: exit code 1 when the profile cannot run. */
export function registerProfilesValidateCommand(program: Command, io: CliIo): void {
  commandGroup(program, "profiles")
    .command("validate")
    .description("check a stored profile against the schema and that every required secret is present; exit 1 when not")
    .argument("<key>", "profile key")
    .option("--json", "machine-readable output")
    .action(async (key: string, options: { json?: boolean }) => {
      const result = await withConfigServices(io, (services) => services.validator.validateStored(key));
      printResult(io, options.json ?? false, result, () => {
        if (result.valid) return `profile "${key}" is valid: the schema passes and every required secret is present`;
        const lines = [`profile "${key}" is not valid:`];
        if (result.missingSecrets.length > 0) lines.push(`  missing secrets: ${result.missingSecrets.join(", ")}`);
        if (result.errors.length > 0)
          lines.push("  schema problems:", describeIssues(result.errors).replace(/^/gm, "  "));
        return lines.join("\n");
      });
      if (!result.valid) throw new CliError(`profile "${key}" is not valid`);
    });
}

import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { describeIssues, parseProfileFile } from "../../shared/config";
import { globalRedactor, secretSlot } from "../../shared/runtime";
import { CliError, type CliIo, printResult } from "../cliContext";
import { commandGroup } from "../commandGroup";
import { withConfigServices } from "../withConfigServices";

/** `confluence-sync profiles import <file.json>`: validates the whole file, then stores the profile and its secrets. */
export function registerProfilesImportCommand(program: Command, io: CliIo): void {
  commandGroup(program, "profiles")
    .command("import")
    .description(
      'store a profile from a JSON file; an optional "secrets": { name: value } object goes to the secrets store',
    )
    .argument("<file>", "profile file (see examples/profile.example.json)")
    .option("--json", "machine-readable output")
    .action(async (file: string, options: { json?: boolean }) => {
      const filePath = path.resolve(io.cwd, file);
      const document = await readProfileDocument(filePath);
      const outcome = await withConfigServices(io, async (services) => {
        // Endpoints are held to this deployment's allowlist (ALLOWED_*_HOSTS) before anything is stored.
        const parsed = parseProfileFile(document, { endpoints: services.settings.endpointAllowlist });
        if (!parsed.ok)
          throw new CliError(
            `profile file ${filePath} is invalid; nothing was stored:\n${describeIssues(parsed.issues)}`,
          );
        for (const [name, value] of Object.entries(parsed.secrets))
          globalRedactor.register(value, secretSlot(parsed.profile.key, name));
        const { profile, secrets } = parsed;
        await services.profiles.save(profile);
        const storedSecrets = Object.keys(secrets).sort();
        for (const name of storedSecrets)
          await services.secrets.set(profile.key, name, secrets[name as keyof typeof secrets]!);
        return { profileKey: profile.key, storedSecrets, validation: await services.validator.validate(profile) };
      });
      const profile = { key: outcome.profileKey };
      printResult(io, options.json ?? false, outcome, () => {
        const stored = outcome.storedSecrets.length > 0 ? ` with secrets ${outcome.storedSecrets.join(", ")}` : "";
        const readiness =
          outcome.validation.missingSecrets.length === 0
            ? "ready to sync: every required secret is present"
            : `not ready to sync yet: missing secrets ${outcome.validation.missingSecrets.join(", ")} (set them with \`confluence-sync secrets set ${profile.key} <name> <value>\`)`;
        return `imported profile "${profile.key}"${stored}\n${readiness}`;
      });
    });
}

/**
 * Reads and parses the file. A JSON syntax error is reported by position only: V8's messages quote the text around
 * the error, which in a profile file may be a secret.
 */
async function readProfileDocument(filePath: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(filePath, "utf8");
  } catch (error) {
    throw new CliError(
      `cannot read profile file ${filePath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const where = /position \d+(?: \(line \d+ column \d+\))?/.exec(error instanceof Error ? error.message : "")?.[0];
    throw new CliError(
      `profile file ${filePath} is not valid JSON${where ? ` (at ${where})` : ""}; nothing was stored`,
    );
  }
}

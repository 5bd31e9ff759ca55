import type { Command } from "commander";
import { openLocalEngine } from "../../dev/localHost/localEngine";
import { checkProfile, checkReportText } from "../../shared/diagnostics";
import { CliError, type CliIo, printResult } from "../cliContext";
import { requireProfile } from "../requireProfile";
import { withConfigServices } from "../withConfigServices";

/**
 * `confluence-sync check <profileKey> [--json]`: whether the profile can sync, asked of the real services and
 * read-only (docs/cli.md#check). One line per check with its verdict, and what to do under those that need it.
 * Exit 1 when a check failed (something blocks syncing).
 */
export function registerCheckCommand(program: Command, io: CliIo): void {
  program
    .command("check")
    .description("check a profile against SharePoint and Confluence (read-only): secrets, permissions, list, page")
    .argument("<profileKey>", "the profile to check")
    .option("--json", "machine-readable report")
    .action(async (profileKey: string, options: { json?: boolean }) => {
      await withConfigServices(io, async (config) => {
        await requireProfile(config.profiles, profileKey);
        const engine = await openLocalEngine(config, {
          onEmbeddedStorage: (folder) => io.stderr(`using the local state store in ${folder}\n`),
        });
        try {
          const report = await checkProfile(engine.services, profileKey, {
            webhookUrl: config.settings.WEBHOOK_NOTIFICATION_URL,
          });
          printResult(io, options.json ?? false, report, () => checkReportText(report));
          if (!report.ok) {
            const failed = report.checks.filter((line) => line.verdict === "fail").map((line) => line.id);
            throw new CliError(`profile "${profileKey}" cannot sync as things are: ${failed.join(", ")} failed`);
          }
        } finally {
          await engine.close();
        }
      });
    });
}

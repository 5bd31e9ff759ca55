import type { Command } from "commander";
import { openLocalEngine } from "../../dev/localHost/localEngine";
import type { RunReport } from "../../shared/engine/run/runReport";
import { CliError, type CliIo, printResult } from "../cliContext";
import { requireProfile } from "../requireProfile";
import { runReportText } from "../runReportText";
import { syncWithProgress } from "../syncWithProgress";
import { withConfigServices } from "../withConfigServices";

/** Outcomes after which the run did not do its job: exit 1, with the reason on stderr. */
const NOT_RUN: ReadonlySet<RunReport["outcome"]> = new Set(["invalid", "stopped", "failed"]);

/**
 * `confluence-sync sync <profileKey> [--dry-run] [--json] [--quiet]`: one run of the profile through the real
 * `syncProfile` orchestrator and the same activities the Functions app runs, in this process. While it runs, stderr
 * shows where it is (the orchestrator's custom status; `--quiet` turns it off); stdout gets only the report. Exit 0
 * when the run completed (item errors and conflicts are in the report), 1 when it could not start or was stopped.
 */
export function registerSyncCommand(program: Command, io: CliIo): void {
  program
    .command("sync")
    .description("sync one profile now (both ways, field by field) and report what happened")
    .argument("<profileKey>", "the profile to sync")
    .option("--dry-run", "plan and report, write nothing (not even state)")
    .option("--json", "machine-readable run report")
    .option("--quiet", "no progress on stderr while the run works")
    .action(async (profileKey: string, options: { dryRun?: boolean; json?: boolean; quiet?: boolean }) => {
      await withConfigServices(io, async (config) => {
        await requireProfile(config.profiles, profileKey);
        const engine = await openLocalEngine(config, {
          onEmbeddedStorage: (folder) => io.stderr(`using the local state store in ${folder}\n`),
        });
        try {
          const run = await syncWithProgress(
            io,
            engine.registry,
            { profileKey, dryRun: options.dryRun ?? false, trigger: "cli" },
            { quiet: options.quiet ?? false },
          );
          if (run.status !== "Completed")
            throw new CliError(`the sync of profile "${profileKey}" failed: ${run.error ?? "unknown error"}`);
          const report = run.output as RunReport;
          printResult(io, options.json ?? false, report, () => runReportText(report));
          if (NOT_RUN.has(report.outcome)) {
            throw new CliError(
              report.problem
                ? `${report.problem.code}: ${report.problem.message}`
                : `the run ended as ${report.outcome}`,
            );
          }
        } finally {
          await engine.close();
        }
      });
    });
}

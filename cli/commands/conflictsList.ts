import type { Command } from "commander";
import { type DiagnosticsSources, readOpenConflicts } from "../../shared/diagnostics";
import { systemClock } from "../../shared/runtime";
import { type CliIo, printResult } from "../cliContext";
import { commandGroup } from "../commandGroup";
import { conflictsText } from "../diagnosticsText";
import { withConfigServices } from "../withConfigServices";
import { withStateStores } from "../withStateStores";

/**
 * `confluence-sync conflicts list <profileKey> [--json]`: the profile's open conflicts, oldest first, each with its id
 * (for `conflicts resolve`), both values, the last synced one, and a settlement waiting for the next run.
 */
export function registerConflictsListCommand(program: Command, io: CliIo): void {
  commandGroup(program, "conflicts")
    .command("list")
    .description("the profile's open conflicts with both values, their ids, and settlements waiting for a run")
    .argument("<profileKey>", "profile key")
    .option("--json", "machine-readable output (GET /api/profiles/{key}/conflicts)")
    .action(async (profileKey: string, options: { json?: boolean }) => {
      await withConfigServices(io, (config) =>
        withStateStores(io, config.settings, async (state) => {
          const sources: DiagnosticsSources = {
            profiles: config.profiles,
            validator: config.validator,
            state,
            clock: systemClock,
          };
          const view = await readOpenConflicts(sources, profileKey);
          printResult(io, options.json ?? false, view, () => conflictsText(view));
        }),
      );
    });
}

import type { Command } from "commander";
import {
  type DiagnosticsSources,
  readOpenConflicts,
  readProfileDetail,
  readProfilesOverview,
} from "../../shared/diagnostics";
import { systemClock } from "../../shared/runtime";
import { type CliIo, printResult } from "../cliContext";
import { conflictsText, detailText, overviewText } from "../diagnosticsText";
import { withConfigServices } from "../withConfigServices";
import { withStateStores } from "../withStateStores";

/**
 * `confluence-sync diagnostics [<profileKey>] [--json]`: what the diagnostics endpoints show, from the configured
 * stores. Without a key, every profile; with one, its detail and its open conflicts (both values of each).
 */
export function registerDiagnosticsCommand(program: Command, io: CliIo): void {
  program
    .command("diagnostics")
    .description(
      "profiles, missing secret names, recent runs, open conflicts, webhook subscriptions and token refreshes",
    )
    .argument("[profileKey]", "one profile in detail, with its open conflicts")
    .option("--json", "machine-readable output")
    .action(async (profileKey: string | undefined, options: { json?: boolean }) => {
      await withConfigServices(io, (config) =>
        withStateStores(io, config.settings, async (state) => {
          const sources: DiagnosticsSources = {
            profiles: config.profiles,
            validator: config.validator,
            state,
            clock: systemClock,
          };
          if (profileKey === undefined) {
            const profiles = await readProfilesOverview(sources);
            printResult(io, options.json ?? false, { profiles }, () => overviewText(profiles));
            return;
          }
          const detail = await readProfileDetail(sources, profileKey);
          const { conflicts } = await readOpenConflicts(sources, profileKey);
          printResult(
            io,
            options.json ?? false,
            { ...detail, conflicts },
            () => `${detailText(detail)}\n\n${conflictsText({ profileKey: detail.key, conflicts })}`,
          );
        }),
      );
    });
}

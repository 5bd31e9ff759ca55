import os from "node:os";
import type { Command } from "commander";
import { openLocalEngine } from "../../dev/localHost/localEngine";
import { viewConflict } from "../../shared/diagnostics";
import { type SettleRequest, settleConflicts } from "../../shared/engine/conflictSettling";
import type { RunReport } from "../../shared/engine/run/runReport";
import { SettlementRefused } from "../../shared/engine/settlementRefused";
import { CliError, type CliIo, printResult } from "../cliContext";
import { commandGroup } from "../commandGroup";
import { requireProfile } from "../requireProfile";
import { runReportText } from "../runReportText";
import { syncWithProgress } from "../syncWithProgress";
import { withConfigServices } from "../withConfigServices";

interface ResolveOptions {
  all?: boolean;
  take?: string;
  value?: string;
  sync?: boolean;
  by?: string;
  json?: boolean;
  quiet?: boolean;
}

/**
 * `confluence-sync conflicts resolve <profileKey> (<conflictId> | --all) (--take sharePoint | --take confluence |
 * --value <text>) [--sync] [--by <name>] [--json]`: records who settled which conflict how; the next run writes the
 * chosen value where it is missing, or re-opens the conflict if someone edited a side since. `--sync` runs the
 * profile at once, in this process, and prints its report.
 */
export function registerConflictsResolveCommand(program: Command, io: CliIo): void {
  commandGroup(program, "conflicts")
    .command("resolve")
    .description("settle a conflict (or every open one with --all): take one side's value, or give the value")
    .argument("<profileKey>", "profile key")
    .argument("[conflictId]", 'the conflict\'s id from `conflicts list`, e.g. "item 12|Status" (quote it)')
    .option("--all", "every open field conflict of the profile (with --take)")
    .option(
      "--take <side>",
      "take the value of sharePoint or confluence (a delete-vs-edit conflict: the side that deleted the item)",
    )
    .option("--value <text>", "take this value, typed as into the cell (read like a cell of that column)")
    .option("--sync", "run the profile now, in this process, and print the run's report")
    .option("--by <name>", "who settles it, as recorded (default: your user name on this machine)")
    .option("--json", "machine-readable output")
    .option("--quiet", "with --sync: no progress on stderr while the run works")
    .action(async (profileKey: string, conflictId: string | undefined, options: ResolveOptions) => {
      const request = settleRequest(profileKey, conflictId, options);
      await withConfigServices(io, async (config) => {
        await requireProfile(config.profiles, profileKey);
        const engine = await openLocalEngine(config, {
          onEmbeddedStorage: (folder) => io.stderr(`using the local state store in ${folder}\n`),
        });
        try {
          let result: Awaited<ReturnType<typeof settleConflicts>>;
          try {
            result = await settleConflicts(engine.services, request);
          } catch (error) {
            if (error instanceof SettlementRefused) throw new CliError(`${error.code}: ${error.message}`);
            throw error;
          }
          let report: RunReport | undefined;
          if (options.sync && result.settled.length > 0) {
            const run = await syncWithProgress(
              io,
              engine,
              { profileKey, dryRun: false, trigger: "cli" },
              { quiet: options.quiet ?? false },
            );
            if (run.status !== "Completed")
              throw new CliError(`the sync of profile "${profileKey}" failed: ${run.error ?? "unknown error"}`);
            report = run.output as RunReport;
          }
          const answer = {
            profileKey: result.profileKey,
            settled: result.settled.map(viewConflict),
            skipped: result.skipped,
            ...(report === undefined ? {} : { run: report }),
          };
          printResult(io, options.json ?? false, answer, () => settledText(answer, report));
        } finally {
          await engine.close();
        }
      });
    });
}

function settleRequest(profileKey: string, conflictId: string | undefined, options: ResolveOptions): SettleRequest {
  if ((conflictId === undefined) === (options.all !== true))
    throw new CliError("name one conflict id, or give --all (not both)");
  if ((options.take === undefined) === (options.value === undefined))
    throw new CliError("give either --take sharePoint|confluence or --value <text>");
  if (options.take !== undefined && options.take !== "sharePoint" && options.take !== "confluence")
    throw new CliError(`--take is sharePoint or confluence, not "${options.take}"`);
  const take = options.take === undefined ? "value" : options.take;
  return {
    profileKey,
    target: conflictId === undefined ? { kind: "all" } : { kind: "one", id: conflictId },
    take,
    ...(options.value === undefined ? {} : { value: options.value }),
    by: options.by ?? os.userInfo().username,
    via: "cli",
  };
}

function settledText(
  answer: {
    profileKey: string;
    settled: ReturnType<typeof viewConflict>[];
    skipped: readonly { id: string; code: string; message: string }[];
  },
  report: RunReport | undefined,
): string {
  const lines = answer.settled.map((conflict) => {
    const settlement = conflict.settlement!;
    if (conflict.kind === "deleteVsEdit") {
      const survivor = settlement.take === "sharePoint" ? "its row" : "the SharePoint item";
      return `settled ${conflict.id}: take the deletion in ${settlement.take} (by ${settlement.by}); the next run deletes ${survivor}`;
    }
    const chosen = settlement.take === "value" ? "the value" : `${settlement.take}'s value`;
    return `settled ${conflict.id}: take ${chosen} ${JSON.stringify(settlement.value ?? null)} (by ${settlement.by}); the next run writes it where it is missing`;
  });
  for (const skipped of answer.skipped) lines.push(`skipped ${skipped.id}: ${skipped.code}: ${skipped.message}`);
  if (answer.settled.length === 0 && answer.skipped.length === 0)
    lines.push(`profile ${answer.profileKey}: no open conflicts to settle`);
  if (report !== undefined) lines.push("", runReportText(report));
  return lines.join("\n");
}

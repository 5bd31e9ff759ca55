import type { Command } from "commander";
import type { DemoEvent } from "../../dev/sandbox";
import type { RunProgress } from "../../shared/engine/run/runProgress";
import { CliError, type CliIo } from "../cliContext";
import { type ProgressDisplay, progressDisplayFor } from "../progressDisplay";

/**
 * `confluence-sync demo [--keep] [--json]` (and `npm run demo`): the sandbox — emulated SharePoint and Confluence,
 * seeded with a project list and a page that mirrors it in part — synced three times, with people editing both sides
 * in between, and a report of what happened. Needs no network and no set-up. While each sync runs, stderr shows where
 * it is, as `sync` does (`--quiet` turns it off).
 */
export function registerDemoCommand(program: Command, io: CliIo): void {
  program
    .command("demo")
    .description("run the sandbox: emulated SharePoint + Confluence, a two-way sync, and a report of what happened")
    .option("--keep", "keep the temporary CONFLUENCE_SYNC_HOME (profile, secrets, state) and print where it is")
    .option("--json", "machine-readable output")
    .option("--quiet", "no progress on stderr while the syncs run")
    .action(async (options: { keep?: boolean; json?: boolean; quiet?: boolean }) => {
      // The sandbox is development tooling (emulators, Azurite): loaded only by this command.
      const { runSandboxDemo, SandboxDemoFailed, demoTextReport } = await import("../../dev/sandbox/index.js");
      const json = options.json ?? false;
      const text = demoTextReport();
      let result;
      // One display per sync: a new run id starts the next; the report of a sync is printed after its line is gone.
      let progress: { runId: string; display: ProgressDisplay } | undefined;
      let syncs = 0;
      const endProgress = (): void => {
        progress?.display.stop();
        progress = undefined;
      };
      const onProgress = (next: RunProgress): void => {
        if (progress?.runId !== next.runId) {
          endProgress();
          syncs += 1;
          const label = `Sync ${syncs}`; // as the report below names it
          progress = { runId: next.runId, display: progressDisplayFor(io, { quiet: options.quiet ?? false, label }) };
        }
        progress.display.update(next);
      };
      try {
        const onEvent = (event: DemoEvent): void => {
          endProgress();
          if (!json) io.stdout(text.event(event));
        };
        result = await runSandboxDemo({ keep: options.keep ?? false, cwd: io.cwd, onEvent, onProgress });
      } catch (error) {
        endProgress();
        if (error instanceof SandboxDemoFailed)
          throw new CliError(`the demo did not go as it should: ${error.message}`);
        throw error;
      }
      io.stdout(json ? `${JSON.stringify(result, null, 2)}\n` : text.end(result));
      const failed = result.outcome.checks.filter((check) => !check.ok);
      if (failed.length > 0)
        throw new CliError(`the demo did not go as it should: ${failed.map((check) => check.expectation).join("; ")}`);
    });
}

import type { Command } from "commander";
import type { DemoEvent } from "../../dev/sandbox";
import type { RunProgress } from "../../shared/engine/run/runProgress";
import { CliError, type CliIo } from "../cliContext";
import { type ProgressDisplay, progressDisplayFor } from "../progressDisplay";

/**
 * `confluence-sync demo [--keep] [--json]` (and `npm run demo`): the sandbox — emulated SharePoint and Confluence,
 * seeded with a project list and a page that mirrors it in part — synced three times, with people editing both sides
 * in between, and a report of what happened. Needs no network and no set-up.
 */
export function registerDemoCommand(program: Command, io: CliIo): void {
  program
    .command("demo")
    .description("run the sandbox: emulated SharePoint + Confluence, a two-way sync, and a report of what happened")
    .option("--keep", "keep the temporary CONFLUENCE_SYNC_HOME (profile, secrets, state) and print where it is")
    .option("--json", "machine-readable output")
    .option("--pages", "pages mode: one Confluence page per list item, created from a template (docs/pages-mode.md)")
    .option("--quiet", "no progress on stderr while the syncs run")
    .action(async (options: { keep?: boolean; json?: boolean; pages?: boolean; quiet?: boolean }) => {
      // The sandbox is development tooling (emulators, Azurite): loaded only by this command.
      const { runSandboxDemo, SandboxDemoFailed, demoTextReport, runPagesDemo, pagesDemoText } = await import(
        "../../dev/sandbox/index.js"
      );
      const json = options.json ?? false;
      const progress = syncsProgress(io, options.quiet ?? false);
      if (options.pages === true) {
        const text = pagesDemoText();
        let pages;
        try {
          pages = await runPagesDemo({
            keep: options.keep ?? false,
            cwd: io.cwd,
            onEvent: (event) => {
              progress.end();
              if (!json) io.stdout(text.event(event));
            },
            onProgress: progress.update,
          });
        } catch (error) {
          progress.end();
          if (error instanceof SandboxDemoFailed)
            throw new CliError(`the pages demo did not go as it should: ${error.message}`);
          throw error;
        }
        io.stdout(json ? `${JSON.stringify(pages, null, 2)}\n` : text.end(pages));
        const broken = pages.checks.filter((check) => !check.ok);
        if (broken.length > 0)
          throw new CliError(
            `the pages demo did not go as it should: ${broken.map((check) => check.expectation).join("; ")}`,
          );
        return;
      }
      const text = demoTextReport();
      let result;
      try {
        const onEvent = (event: DemoEvent): void => {
          progress.end();
          if (!json) io.stdout(text.event(event));
        };
        result = await runSandboxDemo({
          keep: options.keep ?? false,
          cwd: io.cwd,
          onEvent,
          onProgress: progress.update,
        });
      } catch (error) {
        progress.end();
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

/**
 * The progress of the demo's syncs on stderr, one display per sync (a new run id starts the next), labelled as the
 * report names the syncs; `end` takes the line away before the report of a sync is printed.
 */
function syncsProgress(io: CliIo, quiet: boolean): { update: (next: RunProgress) => void; end: () => void } {
  let current: { runId: string; display: ProgressDisplay } | undefined;
  let syncs = 0;
  const end = (): void => {
    current?.display.stop();
    current = undefined;
  };
  return {
    update: (next) => {
      if (current?.runId !== next.runId) {
        end();
        syncs += 1;
        current = { runId: next.runId, display: progressDisplayFor(io, { quiet, label: `Sync ${syncs}` }) };
      }
      current.display.update(next);
    },
    end,
  };
}

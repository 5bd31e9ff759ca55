import { Command, CommanderError } from "commander";
import { isAppError } from "../shared/errors";
import { globalRedactor } from "../shared/runtime";
import { CliError, type CliIo } from "./cliContext";
import { commandRegistrars } from "./commands";

const VERSION = "0.1.0";

/**
 * Runs `confluence-sync` with `argv` (without the node and script entries) and returns the exit code. Never calls
 * process.exit, so tests drive it in-process; bin/confluence-sync.js sets the process exit code from the result.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = new Command("confluence-sync")
    .description("Two-way, field-level sync between SharePoint Online lists and Confluence Cloud pages")
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError();
  for (const register of commandRegistrars) register(program, io);
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) {
      io.stderr(`${globalRedactor.redact(error.message)}\n`);
      return error.exitCode;
    }
    if (isAppError(error)) {
      io.stderr(`error ${error.code}: ${globalRedactor.redact(error.message)}\n`);
      return 1;
    }
    io.stderr(
      `unexpected error: ${globalRedactor.redact(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`,
    );
    return 2;
  }
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await runCli(argv, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    stderrIsTTY: process.stderr.isTTY === true,
    ...(process.stderr.isTTY && process.stderr.columns ? { stderrColumns: process.stderr.columns } : {}),
    env: process.env,
    cwd: process.cwd(),
    readStdin: async () => {
      let text = "";
      for await (const chunk of process.stdin) text += String(chunk);
      return text;
    },
    readLine: async (prompt) => {
      const readline = await import("node:readline/promises");
      const lines = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: false });
      try {
        return await lines.question(prompt);
      } finally {
        lines.close();
      }
    },
  });
}

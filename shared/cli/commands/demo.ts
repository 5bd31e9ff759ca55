import type { Command } from "commander";
import type { CliIo } from "../cliContext";

export function registerDemoCommand(program: Command, io: CliIo): void {
  program
    .command("demo")
    .description("run the sandbox: emulated SharePoint + Confluence, a two-way sync, and a report of what happened")
    .action(() => {
      io.stdout("The sandbox demo is not built yet: it arrives with the Functions app (see the README's roadmap).\n");
    });
}

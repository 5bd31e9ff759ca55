import type { Command } from "commander";
import type { CliIo } from "../cliContext";
import { registerDemoCommand } from "./demo";
import { registerEmulatorsCommand } from "./emulators";
import { registerInspectPageCommand } from "./inspectPage";

/** Every `confluence-sync` command; one file each under this folder. */
export const commandRegistrars: Array<(program: Command, io: CliIo) => void> = [
  registerDemoCommand,
  registerEmulatorsCommand,
  registerInspectPageCommand,
];

import type { Command } from "commander";
import type { CliIo } from "../cliContext";
import { registerCheckCommand } from "./check";
import { registerConflictsListCommand } from "./conflictsList";
import { registerConflictsResolveCommand } from "./conflictsResolve";
import { registerConnectConfluenceCommand } from "./connectConfluence";
import { registerDemoCommand } from "./demo";
import { registerDiagnosticsCommand } from "./diagnostics";
import { registerEmulatorsCommand } from "./emulators";
import { registerInspectPageCommand } from "./inspectPage";
import { registerProfilesImportCommand } from "./profilesImport";
import { registerProfilesListCommand } from "./profilesList";
import { registerProfilesShowCommand } from "./profilesShow";
import { registerProfilesValidateCommand } from "./profilesValidate";
import { registerSecretsListCommand } from "./secretsList";
import { registerSecretsSetCommand } from "./secretsSet";
import { registerSyncCommand } from "./sync";

/** Every `confluence-sync` command; one file each under this folder. */
export const commandRegistrars: Array<(program: Command, io: CliIo) => void> = [
  registerDemoCommand,
  registerEmulatorsCommand,
  registerProfilesImportCommand,
  registerProfilesListCommand,
  registerProfilesShowCommand,
  registerProfilesValidateCommand,
  registerSecretsSetCommand,
  registerSecretsListCommand,
  registerInspectPageCommand,
  registerDiagnosticsCommand,
  registerConflictsListCommand,
  registerConflictsResolveCommand,
  registerConnectConfluenceCommand,
  registerSyncCommand,
  registerCheckCommand,
];

import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { EMULATOR_ENDPOINT_SETTINGS } from "../../dev/emulators/emulatorEndpoints";
import { CliError, type CliIo } from "../cliContext";

/** `confluence-sync emulators --seed F --ports-file F`: serves the seeded emulators until interrupted. */
export function registerEmulatorsCommand(program: Command, io: CliIo): void {
  program
    .command("emulators")
    .description(
      "serve the SharePoint (Graph + identity), Confluence and Key Vault emulators from a seed file until stopped",
    )
    .requiredOption("--seed <file>", "seed file (JSON in the real APIs' shapes, see docs/emulators.md#seed-file)")
    .requiredOption("--ports-file <file>", "where to write the base URLs and the CA certificate path (JSON)")
    .action(async (options: { seed: string; portsFile: string }) => {
      const seedPath = path.resolve(io.cwd, options.seed);
      let seed: unknown;
      try {
        seed = JSON.parse(await readFile(seedPath, "utf8"));
      } catch (error) {
        throw new CliError(
          `cannot read seed file ${seedPath}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (typeof seed !== "object" || seed === null || Array.isArray(seed))
        throw new CliError(`seed file ${seedPath} must hold a JSON object`);

      // The emulators are development tooling: loaded only by this command.
      const { startEmulatorsFromSeed } = await import("../../dev/emulators/startEmulators.js");
      const portsFile = path.resolve(io.cwd, options.portsFile);
      let started;
      try {
        started = await startEmulatorsFromSeed(seed as Record<string, unknown>, path.dirname(portsFile));
      } catch (error) {
        throw new CliError(`cannot start emulators: ${error instanceof Error ? error.message : String(error)}`);
      }
      await writeFile(portsFile, `${JSON.stringify(started.ports, null, 2)}\n`, "utf8");
      io.stdout(
        `emulators ready (${started.emulators.map((e) => e.name).join(", ")}); ports written to ${portsFile}\n`,
      );
      io.stdout(`trust the certificate in other processes with NODE_EXTRA_CA_CERTS=${started.ports.caCertPath}\n`);
      io.stdout(
        `let profiles point here with ${Object.entries(EMULATOR_ENDPOINT_SETTINGS)
          .map(([name, value]) => `${name}=${value}`)
          .join(" ")} (no default allows a loopback host)\n`,
      );

      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await started.close();
    });
}

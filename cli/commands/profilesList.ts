import type { Command } from "commander";
import { type CliIo, printResult } from "../cliContext";
import { commandGroup } from "../commandGroup";
import { formatTable } from "../textTable";
import { withConfigServices } from "../withConfigServices";

/** `confluence-sync profiles list [--json]` */
export function registerProfilesListCommand(program: Command, io: CliIo): void {
  commandGroup(program, "profiles")
    .command("list")
    .description("list the stored profiles")
    .option("--json", "machine-readable output")
    .action(async (options: { json?: boolean }) => {
      const entries = await withConfigServices(io, (services) => services.profiles.list());
      const rows = entries.map((entry) =>
        entry.valid
          ? {
              key: entry.key,
              valid: true as const,
              displayName: entry.profile.displayName ?? null,
              enabled: entry.profile.enabled,
              direction: entry.profile.direction,
              updatedAt: entry.updatedAt.toISOString(),
            }
          : { key: entry.key, valid: false as const, issues: entry.issues, updatedAt: entry.updatedAt.toISOString() },
      );
      printResult(io, options.json ?? false, rows, () => {
        if (rows.length === 0) return "no profiles yet: import one with `confluence-sync profiles import <file.json>`";
        const table = [["KEY", "ENABLED", "DIRECTION", "UPDATED", "NAME"]];
        for (const row of rows) {
          table.push(
            row.valid
              ? [row.key, row.enabled ? "yes" : "no", row.direction, row.updatedAt, row.displayName ?? ""]
              : [row.key, "-", "-", row.updatedAt, "INVALID: run `confluence-sync profiles validate` for details"],
          );
        }
        return formatTable(table);
      });
    });
}

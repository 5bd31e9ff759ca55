import type { Command } from "commander";

/** The command groups and how `--help` describes them. */
const GROUP_DESCRIPTIONS = {
  profiles: "manage sync profiles (stored by profile key)",
  secrets: "manage a profile's secrets (values are written, never shown)",
} as const;

/**
 * The `name` command group (`profiles`, `secrets`), created on first use. Lets each subcommand live in its own file
 * and register itself without knowing which file registers first.
 */
export function commandGroup(program: Command, name: keyof typeof GROUP_DESCRIPTIONS): Command {
  return (
    program.commands.find((command) => command.name() === name) ??
    program.command(name).description(GROUP_DESCRIPTIONS[name])
  );
}

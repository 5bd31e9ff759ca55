import type { Command } from "commander";

/** The command groups and how `--help` describes them. */
const GROUP_DESCRIPTIONS = {
  profiles: "manage sync profiles (stored by profile key)",
  secrets: "manage a profile's secrets (values are written, never shown)",
  conflicts: "list a profile's open conflicts and settle them (take one side's value, or a value of your own)",
  connect: "connect a profile to a service: consent in the browser, the grant stored for the profile",
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

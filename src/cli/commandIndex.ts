import type { Command } from "commander";

/** Commands defined by one module, and how to load it and add them to the program. */
export interface CommandGroup {
  readonly names: readonly string[];
  readonly load: () => Promise<(program: Command) => void>;
}

const adding =
  (command: () => Command) =>
  (program: Command): void => {
    program.addCommand(command().copyInheritedSettings(program));
  };

/**
 * Every command, in the order help lists them. Each group's module is loaded only when one of
 * its commands runs: loading them all (yaml, the client, the renderers) cost every start, a
 * worker's above all, about 0.15 s. test/cli/commandIndex.test.ts holds the names to what each
 * module defines.
 */
export const COMMAND_GROUPS: readonly CommandGroup[] = [
  {
    names: ["run-local", "validate", "schema"],
    load: async () => (await import("./commands/localCommands.js")).registerLocalCommands,
  },
  {
    names: ["host"],
    load: async () => adding((await import("./commands/hostCommand.js")).hostCommand),
  },
  {
    names: ["worker"],
    load: async () => adding((await import("./commands/workerCommand.js")).workerCommand),
  },
  {
    names: ["dev"],
    load: async () => adding((await import("./commands/devCommand.js")).devCommand),
  },
  {
    names: [
      ...["submit", "status", "watch", "list", "tasks", "output", "logs", "workers", "summary"],
      ...["cancel", "rerun", "purge", "doctor"],
    ],
    load: async () => (await import("./commands/clientCommands.js")).registerClientCommands,
  },
];

/**
 * The groups to load for these arguments (argv without node and the script): the one that
 * defines the command named first, or all of them for help, a version, or a name that no group
 * has, so that help lists every command and a typo gets its suggestion.
 */
export function groupsFor(args: readonly string[]): readonly CommandGroup[] {
  const first = args[0];
  const group = COMMAND_GROUPS.find((g) => first !== undefined && g.names.includes(first));
  return group ? [group] : COMMAND_GROUPS;
}

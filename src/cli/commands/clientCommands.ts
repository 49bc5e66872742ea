import type { Command } from "commander";
import { cancelCommand } from "./cancelCommand.js";
import { doctorCommand } from "./doctorCommand.js";
import { listCommand } from "./listCommand.js";
import { logsCommand } from "./logsCommand.js";
import { outputCommand } from "./outputCommand.js";
import { purgeCommand } from "./purgeCommand.js";
import { rerunCommand } from "./rerunCommand.js";
import { statusCommand } from "./statusCommand.js";
import { submitCommand } from "./submitCommand.js";
import { summaryCommand } from "./summaryCommand.js";
import { tasksCommand } from "./tasksCommand.js";
import { watchCommand } from "./watchCommand.js";
import { workersCommand } from "./workersCommand.js";

/**
 * The commands that talk to a running dagq (a Function App, or `dagq host`) over its HTTP API
 * through src/client. Each takes `--url`/`--key` (or DAGQ_URL/DAGQ_KEY, see endpoint.ts).
 */
export function registerClientCommands(program: Command): void {
  const commands = [
    submitCommand(),
    statusCommand(),
    watchCommand(),
    listCommand(),
    tasksCommand(),
    outputCommand(),
    logsCommand(),
    workersCommand(),
    summaryCommand(),
    cancelCommand(),
    rerunCommand(),
    purgeCommand(),
    doctorCommand(),
  ];
  for (const command of commands) program.addCommand(command.copyInheritedSettings(program));
}

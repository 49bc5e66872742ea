import type { Command } from "commander";
import type { TaskView } from "../../client/index.js";
import type { TaskState } from "../../core/index.js";
import type { EndpointFlags } from "../endpoint.js";
import { ExitCode } from "../exitCode.js";
import { positiveInt, taskStates } from "../optionParsers.js";
import { paintFor } from "../render/paint.js";
import { taskTable } from "../render/taskTable.js";
import { clientCommand, printJson, runWithClient } from "./clientCommand.js";

const MAX_PAGE = 10_000;

interface TasksFlags extends EndpointFlags {
  readonly prefix?: string;
  readonly status?: TaskState[];
  readonly after?: string;
  readonly limit: number;
  readonly all: boolean;
  readonly json: boolean;
  readonly full: boolean;
}

/** `dagq tasks ID`: tasks in name order; `--json` gives `{ tasks, next }`. */
export function tasksCommand(): Command {
  return clientCommand("tasks", "list a workflow's tasks in name order")
    .argument("<id>", "workflow id")
    .option("-p, --prefix <prefix>", "only tasks whose name starts with this, e.g. train/")
    .option("-s, --status <states>", "only tasks in these states, comma-separated", taskStates)
    .option("--after <name>", "start after this task name (a previous `next`)")
    .option("-n, --limit <n>", "at most this many", positiveInt, 100)
    .option("--all", "every matching task (pages through them all)", false)
    .option("--json", "print { tasks, next } as JSON on stdout", false)
    .option("--full", "whole reasons (every line) and outputs (uncut)", false)
    .action(async (id: string, flags: TasksFlags) => {
      await runWithClient(flags, async (client) => {
        const tasks: TaskView[] = [];
        const want = flags.all ? Number.POSITIVE_INFINITY : flags.limit;
        let next: string | null = flags.after ?? null;
        do {
          const page = await client.tasks(id, {
            ...(flags.prefix !== undefined ? { prefix: flags.prefix } : {}),
            ...(flags.status ? { status: flags.status } : {}),
            ...(next !== null ? { after: next } : {}),
            limit: Math.min(MAX_PAGE, want - tasks.length),
          });
          tasks.push(...page.tasks);
          next = page.next;
        } while (next !== null && tasks.length < want);
        if (flags.json) {
          printJson({ tasks, next });
          return ExitCode.ok;
        }
        if (tasks.length === 0) {
          process.stdout.write("no matching tasks\n");
          return ExitCode.ok;
        }
        process.stdout.write(
          taskTable(tasks, Date.now(), paintFor(process.stdout), { full: flags.full }),
        );
        if (next !== null)
          process.stdout.write(`… more after ${next}: add --after ${next}, or --all\n`);
        return ExitCode.ok;
      });
    });
}

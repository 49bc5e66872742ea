import type { Command } from "commander";
import { DEFAULT_LOCAL_LOGS } from "../../local/localLogs.js";
import { workflowJsonSchemaText } from "../../workflowSchema.js";
import { collect, param, passEnv, positiveInt } from "../optionParsers.js";
import type { GraphFormat } from "../render/graphText.js";
import { graphCommand, graphFormat } from "./graphCommand.js";
import { type RunLocalFlags, runLocalCommand } from "./runLocalCommand.js";
import { validateCommand } from "./validateCommand.js";

/** The commands that need no deployment: run a workflow here, check a file, print the schema. */
export function registerLocalCommands(program: Command): void {
  program
    .command("run-local")
    .description("run a workflow in this process, tasks as local shell commands")
    .argument("<file>", "workflow definition (.yaml, .yml or .json)")
    .option("-c, --concurrency <n>", "processes running at once", positiveInt, 4)
    .option(
      "--max-in-flight <n>",
      "the core's dispatch window (tasks dispatched, not done)",
      positiveInt,
    )
    .option("--json", "print the result as JSON on stdout", false)
    .option(
      "--pass-env <name>",
      "let tasks see this variable of yours (repeatable; PREFIX* for many), as dagq worker does",
      passEnv,
      [] as string[],
    )
    .option(
      "--logs <dir>",
      "write each attempt's stdout and stderr under this folder (read them with dagq logs)",
      DEFAULT_LOCAL_LOGS,
    )
    .option("--no-logs", "keep no task logs")
    .option("--param <name=value>", "a parameter's value (repeatable; JSON or text)", param, {})
    .option("--save-state <file>", "save the run's state there when it ends or is interrupted")
    .option("--resume <file>", "resume a run from its saved state: rerun what did not succeed")
    .option("-t, --task <name>", "with --resume: a task to rerun (repeatable)", collect, [])
    .option("-p, --prefix <prefix>", "with --resume: rerun the tasks whose name starts with this")
    .option("--failed", "with --resume: of the chosen tasks, only those that did not succeed")
    .option("--downstream", "with --resume: also rerun the descendants that completed")
    .action(async (file: string, flags: RunLocalFlags) => {
      process.exitCode = await runLocalCommand(file, flags);
    });

  program
    .command("validate")
    .description("check a workflow definition file without running it")
    .argument("<file>", "workflow definition (.yaml, .yml or .json)")
    .option(
      "--graph <format>",
      "print the graph instead, as mermaid or dot (collapsed by group when large)",
      graphFormat,
    )
    .action((file: string, flags: { readonly graph?: GraphFormat }) => {
      process.stdout.write(flags.graph ? graphCommand(file, flags.graph) : validateCommand(file));
    });

  program
    .command("schema")
    .description("print the JSON Schema of workflow definition files")
    .action(() => {
      process.stdout.write(workflowJsonSchemaText());
    });
}

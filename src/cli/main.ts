#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { DagqError } from "../core/index.js";
import { DEFAULT_LOCAL_LOGS } from "../local/localLogs.js";
import { toError } from "../toError.js";
import { dagqVersion } from "../version.js";
import { workflowJsonSchemaText } from "../workflowSchema.js";
import { registerClientCommands } from "./commands/clientCommands.js";
import { devCommand } from "./commands/devCommand.js";
import { graphCommand, graphFormat } from "./commands/graphCommand.js";
import { hostCommand } from "./commands/hostCommand.js";
import { type RunLocalFlags, runLocalCommand } from "./commands/runLocalCommand.js";
import { validateCommand } from "./commands/validateCommand.js";
import { workerCommand } from "./commands/workerCommand.js";
import { ExitCode } from "./exitCode.js";
import { collect, param, passEnv, positiveInt } from "./optionParsers.js";
import type { GraphFormat } from "./render/graphText.js";

function buildProgram(): Command {
  const program = new Command("dagq")
    .description("DAG workflows of shell tasks: run them locally, or on Azure Functions")
    .version(dagqVersion(), "-V, --version", "print dagq's version")
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`dagq: ${text.replace(/^error: /, "")}`),
    })
    .showHelpAfterError("(run dagq --help for usage)");

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

  program.addCommand(hostCommand().copyInheritedSettings(program));
  program.addCommand(workerCommand().copyInheritedSettings(program));
  program.addCommand(devCommand().copyInheritedSettings(program));
  registerClientCommands(program);

  return program;
}

async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed the message (or the help) already.
      process.exitCode = e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    } else if (e instanceof DagqError) {
      process.stderr.write(`dagq: ${e.message}\n`);
      process.exitCode = ExitCode.usage;
    } else {
      process.stderr.write(`dagq: internal error: ${toError(e).stack ?? String(e)}\n`);
      process.exitCode = ExitCode.internal;
    }
  }
}

await main(process.argv);

#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { DagqError } from "../core/index.js";
import { toError } from "../toError.js";
import { dagqVersion } from "../version.js";
import { groupsFor } from "./commandIndex.js";
import { ExitCode } from "./exitCode.js";

async function buildProgram(args: readonly string[]): Promise<Command> {
  const program = new Command("dagq")
    .description("DAG workflows of shell tasks: run them locally, or on Azure Functions")
    .version(dagqVersion(), "-V, --version", "print dagq's version")
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`dagq: ${text.replace(/^error: /, "")}`),
    })
    .showHelpAfterError("(run dagq --help for usage)");
  const groups = groupsFor(args);
  const registers = await Promise.all(groups.map((g) => g.load()));
  for (const register of registers) register(program);
  return program;
}

async function main(argv: readonly string[]): Promise<void> {
  try {
    await (await buildProgram(argv.slice(2))).parseAsync(argv);
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

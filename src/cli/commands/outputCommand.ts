import type { Command } from "commander";
import type { EndpointFlags } from "../endpoint.js";
import { ExitCode } from "../exitCode.js";
import { clientCommand, printJson, runWithClient } from "./clientCommand.js";

/**
 * `dagq output ID TASK`: one task's output as JSON on stdout, fetched from its blob when it
 * was spilled, so it pipes into `jq`. Exit 1 when the task has not completed (it has none).
 */
export function outputCommand(): Command {
  return clientCommand("output", "print one task's output as JSON (spilled outputs included)")
    .argument("<id>", "workflow id")
    .argument("<task>", "task name, e.g. train/rf")
    .option("--json", "print { task, status, output, spilledBytes }", false)
    .action(async (id: string, task: string, flags: EndpointFlags & { readonly json: boolean }) => {
      await runWithClient(flags, async (client) => {
        const t = await client.output(id, task);
        if (flags.json) {
          printJson(t);
          return ExitCode.ok;
        }
        if (t.status !== "completed") {
          process.stderr.write(`dagq: ${task} is ${t.status}: it has no output\n`);
          return ExitCode.workflowFailed;
        }
        printJson(t.output);
        return ExitCode.ok;
      });
    });
}

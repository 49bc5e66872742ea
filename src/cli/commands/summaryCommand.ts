import type { Command } from "commander";
import type { EndpointFlags } from "../endpoint.js";
import { ExitCode } from "../exitCode.js";
import { overviewPanel } from "../render/overviewPanel.js";
import { paintFor } from "../render/paint.js";
import { clientCommand, printJson, runWithClient } from "./clientCommand.js";

/** `dagq summary`: workflows by state, and the task counts of the running ones. */
export function summaryCommand(): Command {
  return clientCommand("summary", "count workflows by state, and the tasks of the running ones")
    .option("--json", "print the summary as JSON on stdout", false)
    .action(async (flags: EndpointFlags & { readonly json: boolean }) => {
      await runWithClient(flags, async (client) => {
        const overview = await client.summary();
        if (flags.json) printJson(overview);
        else process.stdout.write(overviewPanel(overview, paintFor(process.stdout)));
        return ExitCode.ok;
      });
    });
}

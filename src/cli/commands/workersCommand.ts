import type { Command } from "commander";
import type { EndpointFlags } from "../endpoint.js";
import { ExitCode } from "../exitCode.js";
import { paintFor } from "../render/paint.js";
import { workerTable } from "../render/workerTable.js";
import { clientCommand, printJson, runWithClient } from "./clientCommand.js";

/** `dagq workers`: which workers serve which queues, live and recently lost. */
export function workersCommand(): Command {
  return clientCommand("workers", "list workers per queue: live, and lost in the last hour")
    .option("--json", "print { workers } as JSON on stdout", false)
    .action(async (flags: EndpointFlags & { readonly json: boolean }) => {
      await runWithClient(flags, async (client) => {
        const { workers } = await client.workers();
        if (flags.json) {
          printJson({ workers });
          return ExitCode.ok;
        }
        if (workers.length === 0) {
          process.stdout.write("no workers seen in the last hour (start one: dagq worker)\n");
          return ExitCode.ok;
        }
        process.stdout.write(workerTable(workers, Date.now(), paintFor(process.stdout)));
        return ExitCode.ok;
      });
    });
}

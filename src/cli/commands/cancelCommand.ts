import type { Command } from "commander";
import { assertNever } from "../../core/index.js";
import type { EndpointFlags } from "../endpoint.js";
import { ExitCode } from "../exitCode.js";
import { clientCommand, runWithClient } from "./clientCommand.js";

/** `dagq cancel ID`: ends every unfinished task as cancelled and kills the running ones. */
export function cancelCommand(): Command {
  return clientCommand(
    "cancel",
    "cancel a workflow: unfinished tasks end cancelled, running ones are killed",
  )
    .argument("<id>", "workflow id")
    .option("-r, --reason <text>", "recorded as the workflow's reason")
    .action(async (id: string, flags: EndpointFlags & { readonly reason?: string }) => {
      await runWithClient(flags, async (client) => {
        const r = await client.cancel(id, flags.reason);
        switch (r.cancel) {
          case "applied":
            process.stdout.write(`cancelled ${id}\n`);
            break;
          case "parked":
            // Another instance holds the workflow's lease and applies it on its next cycle.
            process.stdout.write(`cancel of ${id} accepted: it applies within a moment\n`);
            break;
          default:
            assertNever(r.cancel, "cancel outcome");
        }
        return ExitCode.ok;
      });
    });
}

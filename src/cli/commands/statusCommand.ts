import type { Command } from "commander";
import type { EndpointFlags } from "../endpoint.js";
import { ExitCode } from "../exitCode.js";
import { layerView } from "../render/layerView.js";
import { paintFor } from "../render/paint.js";
import { statusPanel } from "../render/statusPanel.js";
import { clientCommand, printJson, runWithClient } from "./clientCommand.js";

interface StatusFlags extends EndpointFlags {
  readonly layers: boolean;
  readonly json: boolean;
  readonly full: boolean;
}

/** `dagq status ID`: the index's view (cheap, ≤ 2 s behind); `--layers` reads the state. */
export function statusCommand(): Command {
  return clientCommand("status", "show a workflow's status")
    .argument("<id>", "workflow id")
    .option("--layers", "read the state itself and add counts per layer", false)
    .option("--json", "print the status as JSON on stdout", false)
    .option("--full", "the whole reason, every line", false)
    .action(async (id: string, flags: StatusFlags) => {
      await runWithClient(flags, async (client) => {
        const s = await client.status(id, flags.layers ? { detail: true } : {});
        if (flags.json) {
          printJson(s);
          return ExitCode.ok;
        }
        const paint = paintFor(process.stdout);
        let out = statusPanel(s, Date.now(), paint, { full: flags.full });
        if (s.layers)
          out += `layers\n${layerView(s.layers, paint, Number.POSITIVE_INFINITY)
            .map((l) => `  ${l}\n`)
            .join("")}`;
        process.stdout.write(out);
        return ExitCode.ok;
      });
    });
}

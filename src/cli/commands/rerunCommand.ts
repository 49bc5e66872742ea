import type { Command } from "commander";
import type { DagqClient } from "../../client/index.js";
import type { EndpointFlags } from "../endpoint.js";
import { ExitCode } from "../exitCode.js";
import { collect, positiveSeconds } from "../optionParsers.js";
import { clientCommand, runWithClient } from "./clientCommand.js";
import { watchWorkflow } from "./watchCommand.js";

interface RerunFlags extends EndpointFlags {
  readonly task: string[];
  readonly prefix?: string;
  readonly failed: boolean;
  readonly downstream: boolean;
  readonly watch: boolean;
  readonly interval: number;
}

/**
 * `dagq rerun ID`: runs tasks of a failed or cancelled workflow again (or the failed ones of a
 * running one), with their descendants that did not complete; nothing chosen means every task
 * that failed, is upstream_failed or was cancelled. Nothing to rerun exits 2 with the reason.
 */
export function rerunCommand(): Command {
  return clientCommand("rerun", "run failed tasks of a workflow again, and what they held up")
    .argument("<id>", "workflow id")
    .option("-t, --task <name>", "a task to rerun (repeatable)", collect, [] as string[])
    .option("-p, --prefix <prefix>", "the tasks whose name starts with this, e.g. train/")
    .option("--failed", "of the chosen tasks, only those that failed, were cancelled or held up")
    .option("--downstream", "also rerun the descendants that completed", false)
    .option("-w, --watch", "then watch it until it ends (exit code as dagq watch)", false)
    .option("-i, --interval <s>", "with --watch: seconds between polls", positiveSeconds, 1)
    .action(async (id: string, flags: RerunFlags) => {
      await runWithClient(flags, async (client) => {
        const before = flags.watch ? await client.status(id) : undefined;
        const r = await client.rerun(id, {
          tasks: flags.task,
          ...(flags.prefix !== undefined ? { prefix: flags.prefix } : {}),
          failed: flags.failed === true,
          downstream: flags.downstream,
        });
        const when = r.rerun === "parked" ? " (it applies within a moment)" : "";
        process.stderr.write(`${id}: rerunning ${r.tasks} task(s)${when}\n`);
        if (!before) return ExitCode.ok;
        await untilRerunShows(client, id, before.finishedAt ?? 0);
        return watchWorkflow(client, id, { interval: flags.interval, json: false });
      });
    });
}

/**
 * The status a watch reads lags a parked rerun for a moment: until it shows the workflow running
 * again (or ended anew), the old verdict must not end the watch at once.
 */
async function untilRerunShows(client: DagqClient, id: string, finishedAt: number): Promise<void> {
  for (let k = 0; k < 50; k++) {
    const s = await client.status(id);
    if (s.status === "running" || (s.finishedAt ?? 0) > finishedAt) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

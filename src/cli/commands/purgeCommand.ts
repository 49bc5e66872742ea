import type { Command } from "commander";
import type { DagqClient, PurgeProgress } from "../../client/index.js";
import { canAsk, confirm } from "../confirm.js";
import type { EndpointFlags } from "../endpoint.js";
import { ExitCode } from "../exitCode.js";
import { interruption } from "../interruption.js";
import { LiveArea } from "../render/liveArea.js";
import { clientCommand, runWithClient } from "./clientCommand.js";

const POLL_MS = 500;
const PLAIN_EVERY_MS = 2000;

interface PurgeFlags extends EndpointFlags {
  readonly terminal: boolean;
  readonly all: boolean;
  readonly drainQueues: boolean;
  readonly yes: boolean;
}

/** `dagq purge ID | --terminal | --all`: deletes workflows' state, index rows and inboxes. */
export function purgeCommand(): Command {
  return clientCommand("purge", "delete one workflow, every finished one, or all of them")
    .argument("[id]", "the workflow to delete")
    .option("--terminal", "every completed, failed or cancelled workflow", false)
    .option("--all", "every workflow, running ones included", false)
    .option(
      "--drain-queues",
      "with --terminal/--all: also empty the task and completion queues",
      false,
    )
    .option("-y, --yes", "do not ask for confirmation", false)
    .action(async (id: string | undefined, flags: PurgeFlags) => {
      const chosen = [id !== undefined, flags.terminal, flags.all].filter(Boolean).length;
      const usage =
        chosen !== 1
          ? "give one of: a workflow id, --terminal, --all"
          : flags.drainQueues && id !== undefined
            ? "--drain-queues goes with --terminal or --all"
            : null;
      if (usage) {
        process.stderr.write(`dagq: purge: ${usage}\n`);
        process.exitCode = ExitCode.usage;
        return;
      }
      await runWithClient(flags, async (client) => {
        if (id !== undefined) {
          await client.delete(id);
          process.stdout.write(`purged ${id}\n`);
          return ExitCode.ok;
        }
        return purgeMany(client, flags.all ? "all" : "terminal", flags);
      });
    });
}

async function purgeMany(
  client: DagqClient,
  scope: "terminal" | "all",
  flags: PurgeFlags,
): Promise<number> {
  if (!flags.yes) {
    if (!canAsk()) {
      process.stderr.write(`dagq: purge --${scope} needs --yes when not run at a terminal\n`);
      return ExitCode.usage;
    }
    const what =
      scope === "all" ? "EVERY workflow, running ones included," : "every finished workflow";
    const queues = flags.drainQueues ? " and empty its task and completion queues" : "";
    if (!(await confirm(`Purge ${what} at ${client.url}${queues}?`))) {
      process.stderr.write("dagq: nothing purged\n");
      return ExitCode.workflowFailed;
    }
  }
  const started = await client.purge({ scope, drainQueues: flags.drainQueues });
  const done = await follow(client, started);
  if (done === null) {
    process.stderr.write(`dagq: stopped waiting; purge job ${started.job} carries on\n`);
    return ExitCode.interrupted;
  }
  const drained =
    done.drained === false ? "; queues NOT drained: some workflows are running or pending" : "";
  process.stdout.write(
    `purge ${done.job}: done, ${done.purged} workflow(s) purged (${scope})${drained}\n`,
  );
  return ExitCode.ok;
}

/** Polls the job until it is done, with progress on stderr; null on Ctrl-C. */
async function follow(client: DagqClient, job: PurgeProgress): Promise<PurgeProgress | null> {
  const stderr = process.stderr;
  const area = stderr.isTTY === true ? new LiveArea(stderr) : null;
  const ctrlC = interruption();
  let lastPlainAt = Date.now();
  let p = job;
  try {
    while (!p.done) {
      await ctrlC.sleep(POLL_MS);
      p = await client.purgeStatus(p.job, { signal: ctrlC.signal });
      const line = `purge ${p.job}: ${p.purged} workflow(s) purged so far`;
      if (area) area.render([line]);
      else if (Date.now() - lastPlainAt >= PLAIN_EVERY_MS) {
        lastPlainAt = Date.now();
        stderr.write(`${line}\n`);
      }
    }
    return p;
  } catch (e) {
    if (ctrlC.signal.aborted) return null;
    throw e;
  } finally {
    area?.stop();
    ctrlC.dispose();
  }
}

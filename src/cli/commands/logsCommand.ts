import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import {
  DEFAULT_LOCAL_LOGS,
  hasLocalRun,
  localAttempts,
  localLogPath,
  localResultPath,
  readLocalLog,
} from "../../local/localLogs.js";
import { ClientExitCode } from "../clientFailure.js";
import type { EndpointFlags } from "../endpoint.js";
import { ExitCode } from "../exitCode.js";
import { interruption } from "../interruption.js";
import { positiveInt } from "../optionParsers.js";
import { type LogView, logLines } from "../render/logLines.js";
import { clientCommand, runWithClient } from "./clientCommand.js";

interface LogsFlags extends EndpointFlags {
  readonly attempt?: number;
  readonly follow: boolean;
  readonly stderr: boolean;
  readonly timestamps: boolean;
  /** true: the default folder; a string: that folder. */
  readonly local?: string | true;
}

/**
 * `dagq logs ID TASK`: one attempt's stdout and stderr (the current attempt by default), from
 * the deployment, or from run-local's folder (`--local`, or by itself when the default folder
 * holds that workflow). `--follow` prints new lines as they come until the attempt ends.
 */
export function logsCommand(): Command {
  return clientCommand("logs", "print a task's log: its stdout and stderr")
    .argument("<id>", "workflow id")
    .argument("<task>", "task name, e.g. train/rf")
    .option("-a, --attempt <n>", "which attempt (default: the current one)", positiveInt)
    .option("-f, --follow", "keep printing new lines until the attempt ends", false)
    .option("--stderr", "only stderr", false)
    .option("-t, --timestamps", "show each line's time and stream (O stdout, E stderr)", false)
    .option(
      "--local [dir]",
      `read run-local's logs (default folder ${DEFAULT_LOCAL_LOGS}, used by itself when it holds the workflow)`,
    )
    .action(async (id: string, task: string, flags: LogsFlags) => {
      const view: LogView = {
        stderrOnly: flags.stderr,
        timestamps: flags.timestamps,
        safe: process.stdout.isTTY === true,
      };
      const dir = typeof flags.local === "string" ? flags.local : DEFAULT_LOCAL_LOGS;
      if (flags.local !== undefined || hasLocalRun(dir, id)) {
        process.exitCode = await localLogs(dir, id, task, flags, view);
        return;
      }
      await runWithClient(flags, async (client) => {
        const ctrlC = interruption();
        let shown = null as { attempt: number; exists: boolean } | null;
        try {
          const q = {
            ...(flags.attempt === undefined ? {} : { attempt: flags.attempt }),
            signal: ctrlC.signal,
          };
          const pieces = flags.follow
            ? client.followLog(id, task, q)
            : (async function* () {
                // Without --follow: whatever is there now, in pieces when it is long.
                let offset = 0;
                for (;;) {
                  const piece = await client.log(id, task, { ...q, offset });
                  yield piece;
                  if (piece.next === offset || piece.complete) return;
                  offset = piece.next;
                }
              })();
          for await (const piece of pieces) {
            shown = { attempt: piece.attempt, exists: (shown?.exists ?? false) || piece.exists };
            process.stdout.write(logLines(piece.text, view));
            if (!shown.exists && piece.complete) break;
          }
        } catch (e) {
          if (!ctrlC.signal.aborted) throw e;
          return ExitCode.interrupted;
        } finally {
          ctrlC.dispose();
        }
        if (shown && !shown.exists)
          process.stderr.write(
            `dagq: ${task} attempt ${shown.attempt} has no log (it printed nothing, or has not started)\n`,
          );
        return ExitCode.ok;
      });
    });
}

async function localLogs(
  dir: string,
  id: string,
  task: string,
  flags: LogsFlags,
  view: LogView,
): Promise<number> {
  if (!hasLocalRun(dir, id)) {
    process.stderr.write(`dagq: no run-local logs of ${id} in ${dir}\n`);
    return ClientExitCode.notFound;
  }
  const attempts = await localAttempts(dir, id, task);
  const attempt = flags.attempt ?? attempts.at(-1) ?? 1;
  const path = localLogPath(dir, id, task, attempt);
  const ctrlC = interruption();
  try {
    let offset = 0;
    for (;;) {
      const ended = await runEnded(dir, id);
      const data = await readLocalLog(path, offset);
      if (data) {
        process.stdout.write(logLines(data.toString("utf8"), view));
        offset += data.length;
      }
      if (!flags.follow || ended || ctrlC.signal.aborted) {
        if (offset === 0)
          process.stderr.write(
            `dagq: ${task} attempt ${attempt} has no log in ${dir} (it printed nothing, or has not started)\n`,
          );
        return ctrlC.signal.aborted ? ExitCode.interrupted : ExitCode.ok;
      }
      await ctrlC.sleep(500);
    }
  } finally {
    ctrlC.dispose();
  }
}

async function runEnded(dir: string, id: string): Promise<boolean> {
  return readFile(localResultPath(dir, id)).then(
    () => true,
    () => false,
  );
}

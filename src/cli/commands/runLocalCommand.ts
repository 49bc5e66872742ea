import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { loadDefinitionFile } from "../../definitionFile.js";
import { localResultPath } from "../../local/localLogs.js";
import { runLocal } from "../../local/runner.js";
import { killAllShellTasks } from "../../worker/shellTask.js";
import { ExitCode } from "../exitCode.js";
import { paintFor } from "../render/paint.js";
import { createProgress } from "../render/progress.js";
import { safeJson } from "../render/safeText.js";
import { summaryReport } from "../render/summaryReport.js";

export interface RunLocalFlags {
  /** The folder for task logs, or false with --no-logs. */
  readonly logs: string | false;
  readonly concurrency: number;
  readonly maxInFlight?: number;
  readonly json: boolean;
  readonly passEnv: readonly string[];
}

const EXIT_ON_SIGNAL = { SIGINT: ExitCode.interrupted, SIGTERM: ExitCode.terminated } as const;
type StopSignal = keyof typeof EXIT_ON_SIGNAL;

/**
 * `dagq run-local FILE`: runs the workflow in this process. The first SIGINT/SIGTERM cancels
 * it through the core (running tasks are killed, the rest cancelled) and still prints the
 * summary; a second one kills every task process group at once and exits.
 */
export async function runLocalCommand(file: string, flags: RunLocalFlags): Promise<ExitCode> {
  const def = loadDefinitionFile(file);
  const stderr = process.stderr;
  const paint = paintFor(stderr);
  const progress = createProgress(stderr, def.definition.name, def.size, paint);
  const abort = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const onSignal = (signal: StopSignal) => {
    if (stoppedBy !== undefined) {
      killAllShellTasks();
      process.exit(EXIT_ON_SIGNAL[signal]);
    }
    stoppedBy = signal;
    progress.note(`dagq: ${signal}: cancelling; send it again to kill the tasks and exit at once`);
    abort.abort(`interrupted by ${signal}`);
  };
  const onSigint = () => onSignal("SIGINT");
  const onSigterm = () => onSignal("SIGTERM");
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  const startedAt = Date.now();
  progress.start(startedAt);
  try {
    const result = await runLocal(def, {
      concurrency: flags.concurrency,
      passEnv: flags.passEnv,
      ...(flags.maxInFlight === undefined ? {} : { maxInFlight: flags.maxInFlight }),
      signal: abort.signal,
      onProgress: (summary) => progress.update(summary),
      ...(flags.logs === false ? {} : { logDir: flags.logs }),
    });
    progress.stop();
    if (flags.logs !== false) {
      // Tells `dagq logs --follow` the run is over, and which attempts each task had.
      const path = localResultPath(flags.logs, result.id);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, JSON.stringify(result));
    }
    stderr.write(summaryReport(def.definition.name, result, Date.now() - startedAt, paint));
    if (flags.json) process.stdout.write(`${safeJson(result, 2)}\n`);
    if (result.status === "completed") return ExitCode.ok;
    if (result.status === "failed") return ExitCode.workflowFailed;
    return stoppedBy === undefined ? ExitCode.workflowFailed : EXIT_ON_SIGNAL[stoppedBy];
  } finally {
    progress.stop();
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
  }
}

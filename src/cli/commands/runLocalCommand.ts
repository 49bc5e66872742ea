import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import {
  type CompiledWorkflow,
  DagqError,
  ErrorCode,
  findTask,
  type Json,
  type RerunRequest,
  type RunState,
  restore,
} from "../../core/index.js";
import { loadDefinitionFile } from "../../definitionFile.js";
import { localResultPath } from "../../local/localLogs.js";
import { type LocalOptions, runLocal } from "../../local/runner.js";
import { readStateFile, writeStateFile } from "../../local/stateFile.js";
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
  /** Parameter values in place of the definition's defaults. */
  readonly param: Readonly<Record<string, Json>>;
  /** Where to save the run's state when it ends (or is interrupted), to resume it later. */
  readonly saveState?: string;
  /** A state saved by an earlier run of this definition: rerun from there. */
  readonly resume?: string;
  /** With resume: what to rerun (rerun's choice: by default every task that did not succeed). */
  readonly task: readonly string[];
  readonly prefix?: string;
  readonly failed?: boolean;
  readonly downstream?: boolean;
}

const EXIT_ON_SIGNAL = { SIGINT: ExitCode.interrupted, SIGTERM: ExitCode.terminated } as const;
type StopSignal = keyof typeof EXIT_ON_SIGNAL;

/**
 * `dagq run-local FILE`: runs the workflow in this process. The first SIGINT/SIGTERM cancels
 * it through the core (running tasks are killed, the rest cancelled) and still prints the
 * summary; a second one kills every task process group at once and exits.
 */
export async function runLocalCommand(file: string, flags: RunLocalFlags): Promise<ExitCode> {
  const def = loadDefinitionFile(file, { params: flags.param });
  const resume = resumeOption(def, flags);
  // The run, once it exists: saved on the way out, however the way out goes.
  let current: RunState | undefined;
  const save = () => {
    if (flags.saveState !== undefined && current) writeStateFile(flags.saveState, current);
  };
  const stderr = process.stderr;
  const paint = paintFor(stderr);
  const progress = createProgress(stderr, def.definition.name, def.size, paint);
  const abort = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const onSignal = (signal: StopSignal) => {
    if (stoppedBy !== undefined) {
      killAllShellTasks();
      save();
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
      ...(resume ? { resume } : {}),
      ...(flags.logs === false ? {} : { logDir: flags.logs }),
      onProgress: (summary, run) => {
        current = run;
        progress.update(summary);
      },
    });
    save();
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

/** `--resume FILE` and what to rerun in it; the rerun flags without it are a usage error. */
function resumeOption(def: CompiledWorkflow, flags: RunLocalFlags): LocalOptions["resume"] {
  const chooses =
    flags.task.length > 0 || flags.prefix !== undefined || flags.failed || flags.downstream;
  if (flags.resume === undefined) {
    if (chooses)
      throw new DagqError(
        ErrorCode.INVALID_DEFINITION,
        "--task, --prefix, --failed and --downstream choose what --resume reruns: give --resume FILE",
      );
    return undefined;
  }
  const saved = readStateFile(flags.resume, def);
  // Names of instances of maps (`train[2]`) are found in the saved state: they are not in the file.
  const run = restore(def, saved.id, saved.snapshot);
  const unknown = flags.task.filter((name) => findTask(run, name) === undefined);
  if (unknown.length > 0)
    throw new DagqError(
      ErrorCode.UNKNOWN_TASK,
      `no task ${unknown.map((t) => `"${t}"`).join(", ")} in ${def.definition.name}`,
    );
  const rerun: RerunRequest = {
    ...(flags.task.length > 0 ? { tasks: flags.task.map((name) => findTask(run, name)!) } : {}),
    ...(flags.prefix !== undefined ? { prefix: flags.prefix } : {}),
    ...(flags.failed ? { failed: true } : {}),
    ...(flags.downstream ? { downstream: true } : {}),
  };
  return { saved, rerun };
}

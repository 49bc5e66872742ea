import { Command } from "commander";
import { loadDefinitionFile } from "../../definitionFile.js";
import { readHostJson } from "../../host/hostJson.js";
import { killAllShellTasks } from "../../worker/shellTask.js";
import { ExitCode } from "../exitCode.js";
import { positiveInt } from "../optionParsers.js";
import { paintFor } from "../render/paint.js";
import { createProgress } from "../render/progress.js";
import { safeJson } from "../render/safeText.js";
import { summaryReport } from "../render/summaryReport.js";
import { defaultHostJson } from "./hostCommand.js";

/** `dagq dev FILE`: the serverless path end to end on this machine, on the embedded default. */
export function devCommand(): Command {
  return new Command("dev")
    .description(
      "run a workflow through the serverless path here: Azurite, the local functions host and workers",
    )
    .argument("<file>", "workflow definition (.yaml, .yml or .json)")
    .option("-w, --workers <n>", "worker processes to start", positiveInt, 2)
    .option("-c, --concurrency <n>", "tasks each worker runs at once", positiveInt, 4)
    .option("--json", "print the result as JSON on stdout (as run-local does)", false)
    .option("-v, --verbose", "print what starts and stops", false)
    .action(
      async (
        file: string,
        flags: { workers: number; concurrency: number; json: boolean; verbose: boolean },
      ) => {
        process.exitCode = await runDev(file, flags);
      },
    );
}

async function runDev(
  file: string,
  flags: { workers: number; concurrency: number; json: boolean; verbose: boolean },
): Promise<ExitCode> {
  const def = loadDefinitionFile(file);
  const stderr = process.stderr;
  const { azuriteMain } = await import("../../azure/azurite.js");
  try {
    azuriteMain(); // an optional peer dependency: say how to add it before anything starts
  } catch (e) {
    stderr.write(`dagq: dev: ${(e as Error).message}\n`);
    return ExitCode.unavailable;
  }
  const paint = paintFor(stderr);
  const progress = createProgress(stderr, def.definition.name, def.size, paint);
  const settings = await readHostJson(defaultHostJson());
  // Poll the completion queue often: a dev run is short, and the 2 s idle backoff would show.
  const hostJson = { ...settings, queues: { ...settings.queues, maxPollingIntervalMs: 250 } };
  const abort = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) {
      killAllShellTasks();
      process.exit(ExitCode.interrupted);
    }
    interrupted = true;
    progress.note("dagq: Ctrl-C: cancelling the workflow; press it again to exit at once");
    abort.abort("interrupted by Ctrl-C");
  };
  process.on("SIGINT", onSigint);
  let startedAt = Date.now();
  // Loaded here, not at the top: Azurite's harness and the Azure SDKs would slow every command.
  const { devRun } = await import("../../dev/devRun.js");
  try {
    const result = await devRun(def, {
      workers: flags.workers,
      concurrency: flags.concurrency,
      hostJson,
      signal: abort.signal,
      onProgress: (s) => progress.update(s),
      onSubmitted: (_id, at) => {
        startedAt = at;
        progress.start(at);
      },
      onDashboard: (url) => progress.note(`dagq dev: dashboard ${url}`),
      ...(flags.verbose ? { log: (line: string) => progress.note(`dagq dev: ${line}`) } : {}),
    });
    progress.stop();
    stderr.write(summaryReport(def.definition.name, result, Date.now() - startedAt, paint));
    if (flags.json) process.stdout.write(`${safeJson(result, 2)}\n`);
    if (result.status === "completed") return ExitCode.ok;
    return interrupted ? ExitCode.interrupted : ExitCode.workflowFailed;
  } finally {
    progress.stop();
    process.off("SIGINT", onSigint);
  }
}

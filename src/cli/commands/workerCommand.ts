import { Command } from "commander";
import { lazyDefaultCredential } from "../../azure/lazyCredential.js";
import { StatsTelemetry } from "../../observability/telemetry.js";
import { isServiceBusTarget } from "../../storage/serviceBusTarget.js";
import { DEFAULT_LOG_LIMITS } from "../../worker/attemptLog.js";
import { commandConfig } from "../commandConfig.js";
import { ExitCode } from "../exitCode.js";
import { passEnv, positiveInt } from "../optionParsers.js";

interface WorkerFlags {
  readonly queue: string[];
  readonly concurrency: number;
  readonly visibility: number;
  readonly prefix?: string;
  readonly verbose: boolean;
  readonly passEnv: string[];
  readonly logs: boolean;
  readonly logBytes: number;
  readonly heartbeat: number;
}

/** `dagq worker`: runs tasks from a deployment's task queues, anywhere the storage is reachable. */
export function workerCommand(): Command {
  return new Command("worker")
    .description(
      "run tasks from task queues (storage in DagqStorage, or DagqStorage__accountName with Entra ID)",
    )
    .option(
      "-q, --queue <name>",
      "logical queue (repeatable), or sb://namespace/queue",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option("-c, --concurrency <n>", "tasks run at once, per queue", positiveInt, 4)
    .option(
      "--visibility <s>",
      "how long a taken task stays hidden from other workers, renewed while it runs",
      positiveInt,
      60,
    )
    .option("--prefix <prefix>", "deployment prefix (overrides DAGQ_PREFIX)")
    .option("-v, --verbose", "log every task", false)
    .option(
      "--pass-env <name>",
      "let tasks see this variable of the worker's (repeatable; PREFIX* for many); never the storage settings",
      passEnv,
      [] as string[],
    )
    .option(
      "--log-bytes <n>",
      "of each attempt's stdout+stderr, keep this many bytes from the start and as many from the end",
      positiveInt,
      DEFAULT_LOG_LIMITS.headBytes,
    )
    .option("--no-logs", "keep no task logs (failure reasons still carry the end of stderr)")
    .option("--heartbeat <s>", "seconds between heartbeats in the workers table", positiveInt, 10)
    .action(async (flags: WorkerFlags) => {
      process.exitCode = await runWorker(flags);
    });
}

async function runWorker(flags: WorkerFlags): Promise<ExitCode> {
  const config = commandConfig("worker");
  if (!config) return ExitCode.usage;
  // Loaded here, not at the top: the Azure SDKs would slow every other command's start. The
  // Service Bus SDK only for sb:// queues (a worker's start-up time).
  const [{ connectFromConfig, identityCredential }, { startWorkerGroup }] = await Promise.all([
    import("../../azure/connectFromConfig.js"),
    import("../../worker/workerGroup.js"),
  ]);
  const prefix = flags.prefix ?? config.DAGQ_PREFIX;
  // One identity for storage and sb:// queues, so one token cache.
  const credential = identityCredential(config);
  const storage = connectFromConfig({ ...config, DAGQ_PREFIX: prefix }, credential);
  const queues = flags.queue.length > 0 ? flags.queue : ["default"];
  const serviceBus = queues.some(isServiceBusTarget)
    ? await import("../../azure/serviceBusTaskSource.js")
    : null;
  // The storage identity, as the coordinator's sends to sb:// use it; the default chain on a
  // connection string. One for every sb:// queue: it caches their tokens.
  const serviceBusCredential = credential ?? lazyDefaultCredential();
  const telemetry = new StatsTelemetry((level, message) => {
    if (level !== "debug" || flags.verbose) process.stderr.write(`${level.padEnd(5)} ${message}\n`);
  });
  const serviceBusSource = (target: string) => {
    if (!serviceBus) throw new Error(`${target}: not a Service Bus queue`);
    return new serviceBus.ServiceBusTaskSource(target, serviceBusCredential);
  };
  const group = await startWorkerGroup({
    storage,
    prefix,
    queues,
    concurrency: flags.concurrency,
    visibilityS: flags.visibility,
    passEnv: flags.passEnv,
    logs: flags.logs
      ? { ...DEFAULT_LOG_LIMITS, headBytes: flags.logBytes, tailBytes: flags.logBytes }
      : null,
    heartbeatS: flags.heartbeat,
    telemetry,
    serviceBusSource,
  });
  const workers = group.workers;
  process.stderr.write(
    `dagq worker: ${queues.join(", ")} (prefix ${prefix}), ${flags.concurrency} task(s) at once per queue; Ctrl-C stops\n`,
  );
  const report = setInterval(() => {
    const s = workers.reduce(
      (acc, w) => ({
        completed: acc.completed + w.worker.stats.completed,
        failed: acc.failed + w.worker.stats.failed,
      }),
      { completed: 0, failed: 0 },
    );
    if (flags.verbose)
      process.stderr.write(`info  tasks completed ${s.completed}, failed ${s.failed}\n`);
  }, 10_000);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      // A second signal: give up on the grace period.
      process.once(signal, () => process.exit(ExitCode.interrupted));
      process.stderr.write(
        `dagq worker: ${signal}: finishing running tasks (Ctrl-C again to exit at once)\n`,
      );
      resolve();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  clearInterval(report);
  await group.stop();
  await storage.close();
  return ExitCode.ok;
}

/**
 * `npm run chaos -- --tasks N --host-kills K --worker-kills K --storage-restarts K [--seed S]`:
 * one chaos run (see runChaos.ts), its summary on stdout; exits 1 on any loss, double
 * application or state difference, 2 on a usage error.
 */
import { Command, InvalidArgumentError } from "commander";
import { MIN_CHAOS_TASKS } from "./chaosWorkflow.js";
import { chaosReport } from "./report.js";
import { DEFAULT_OPTIONS, runChaos } from "./runChaos.js";

const count = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new InvalidArgumentError(`expected an integer ≥ ${min}`);
  return n;
};

const d = DEFAULT_OPTIONS;
const program = new Command("chaos")
  .description("kill dagq's host, workers and storage at random moments; compare with run-local")
  .option("--tasks <n>", "tasks in the workflow file", count(MIN_CHAOS_TASKS), d.tasks)
  .option("--workflows <n>", "submissions of the file", count(1), d.workflows)
  .option("--host-kills <k>", "SIGKILLs of the host", count(0), d.kills.host)
  .option("--worker-kills <k>", "SIGKILLs of a worker", count(0), d.kills.worker)
  .option("--storage-restarts <k>", "restarts of Azurite", count(0), d.kills.storage)
  .option("--seed <s>", "the kill plan's seed (default: random)", count(0))
  .option("--workers <n>", "worker processes", count(1), d.workers)
  .option("--concurrency <n>", "tasks at once per worker", count(1), d.workerConcurrency)
  .option(
    "--stall-limit <s>",
    "give up after this long with no task finishing",
    count(10),
    d.stallLimitS,
  )
  .option("--keep", "keep the run's folder even when it passed", false)
  .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2));
program.parse();
const f = program.opts<{
  tasks: number;
  workflows: number;
  hostKills: number;
  workerKills: number;
  storageRestarts: number;
  seed?: number;
  workers: number;
  concurrency: number;
  stallLimit: number;
  keep: boolean;
}>();

const seed = f.seed ?? Math.floor(Math.random() * 1_000_000);
const result = await runChaos({
  tasks: f.tasks,
  workflows: f.workflows,
  kills: { host: f.hostKills, worker: f.workerKills, storage: f.storageRestarts },
  seed,
  workers: f.workers,
  workerConcurrency: f.concurrency,
  stallLimitS: f.stallLimit,
  keep: f.keep,
  log: (line) => process.stderr.write(`chaos: ${line}\n`),
});
process.stdout.write(chaosReport(result));
process.exitCode = result.ok ? 0 : 1;

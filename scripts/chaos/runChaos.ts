/**
 * One chaos run: the reference result from `run-local`, then the same file submitted to a
 * `dagq host` over Azurite on disk with three `dagq worker`s, while the plan's kills happen at
 * random moments; then the final states against the reference and the execution log.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { DagqClient, type TaskView } from "../../src/client/index.js";
import { builtCli, repoFile } from "./builtCli.js";
import { chaosWorkflow, LOG_VARIABLE } from "./chaosWorkflow.js";
import { Cluster } from "./cluster.js";
import { readExecutionLog } from "./executionLog.js";
import { type Kill, type KillKind, killPlan } from "./killPlan.js";
import { localReference } from "./localReference.js";
import { ProgressWatch, type Sample } from "./progressWatch.js";
import { type FinalWorkflow, type Verdict, verdict } from "./verdict.js";

export interface ChaosOptions {
  /** Tasks in the workflow file. */
  readonly tasks: number;
  /** How many times the file is submitted: workflows whose reports travel together. */
  readonly workflows: number;
  readonly kills: Readonly<Record<KillKind, number>>;
  readonly seed: number;
  readonly workers: number;
  readonly workerConcurrency: number;
  /** With no task finishing for this long, the run stops and counts what is unfinished as lost. */
  readonly stallLimitS: number;
  /** Keep the run's folder (logs, Azurite's data) even when the run passed. */
  readonly keep: boolean;
  readonly log: (line: string) => void;
}

export const DEFAULT_OPTIONS: Omit<ChaosOptions, "log"> = {
  tasks: 300,
  workflows: 1,
  kills: { host: 1, worker: 1, storage: 1 },
  seed: 1,
  workers: 3,
  workerConcurrency: 4,
  stallLimitS: 120,
  keep: false,
};

/**
 * What the processes run with. A dead host's messages come back after the message hold and
 * its workflows' leases lapse after the lease: both shortened from Azure's 10 min and 30 s so
 * that a run takes minutes. The sweeps run every 5 s (their defaults, 30 s and 5 min, would
 * turn each host kill into a wait for the orphan sweep).
 */
export const CHAOS_SETTINGS = {
  messageHoldS: 10,
  visibilityS: 5,
  hostSettings: {
    DAGQ_LEASE_SECONDS: "15",
    DAGQ_SWEEP_RUNNING_SCHEDULE: "*/5 * * * * *",
    DAGQ_SWEEP_ORPHANS_SCHEDULE: "*/5 * * * * *",
  },
} as const;

export interface KillRecord extends Kill {
  /** Since the submission. */
  readonly atMs: number;
  readonly finishedBefore: number;
  /** From the kill to the first read showing more tasks finished; null if none came. */
  readonly stallMs: number | null;
}

export interface ChaosResult {
  readonly options: Omit<ChaosOptions, "log">;
  readonly plan: readonly Kill[];
  readonly kills: readonly KillRecord[];
  readonly verdict: Verdict;
  /** From the submission to the last workflow's end (or the give-up). */
  readonly runMs: number;
  readonly reads: {
    readonly failed: number;
    readonly serverErrors: number;
    readonly longestFailingMs: number;
  };
  readonly dir: string;
  readonly ok: boolean;
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const cli = builtCli();
  const dir = await mkdtemp(join(tmpdir(), "dagq-chaos-"));
  const { log, ...options } = opts;
  const def = chaosWorkflow(opts.tasks);
  const file = join(dir, "chaos.yaml");
  const text = stringify(def, { lineWidth: 0 });
  await writeFile(file, text);
  const startedLocal = Date.now();
  const expected = await localReference(cli, file, join(dir, "local.log"));
  log(`run-local: ${expected.status} in ${((Date.now() - startedLocal) / 1000).toFixed(1)} s`);

  const plan = killPlan(opts.kills, opts.seed);
  const key = randomBytes(18).toString("base64url");
  const executions = join(dir, "executions.log");
  const cluster = await Cluster.start({
    dir,
    cli,
    hostJson: repoFile("host.json"),
    prefix: "chaos",
    key,
    workers: opts.workers,
    workerConcurrency: opts.workerConcurrency,
    messageHoldS: CHAOS_SETTINGS.messageHoldS,
    visibilityS: CHAOS_SETTINGS.visibilityS,
    hostSettings: CHAOS_SETTINGS.hostSettings,
    taskEnv: { [LOG_VARIABLE]: executions },
  });
  let watch: ProgressWatch | undefined;
  let ok = false;
  try {
    const client = new DagqClient({ url: cluster.url, key, retries: 5 });
    const ids: string[] = [];
    for (let i = 0; i < opts.workflows; i++) ids.push((await client.submit(text)).id);
    const submittedAt = Date.now();
    log(`submitted ${ids.length} workflow(s) of ${def.tasks.length} tasks: ${ids.join(" ")}`);
    watch = new ProgressWatch(cluster.url, key, ids);
    watch.start();
    const total = ids.length * def.tasks.length;
    const stallLimitMs = opts.stallLimitS * 1000;
    const kills: KillRecord[] = [];
    for (const kill of plan) {
      const target = Math.ceil(kill.atFraction * total);
      const reached = await watch.until((s) => s.allEnded || s.finished >= target, stallLimitMs);
      if (!reached || reached.allEnded) break;
      await new Promise((r) => setTimeout(r, kill.jitterMs));
      const before = (await watch.sample()) ?? watch.latest;
      const at = Date.now();
      await perform(cluster, kill);
      const after = await watch.until(
        (s) => s.at > at && (s.allEnded || s.finished > before.finished),
        stallLimitMs,
      );
      const record = {
        ...kill,
        atMs: at - submittedAt,
        finishedBefore: before.finished,
        stallMs: after ? after.at - at : null,
      };
      kills.push(record);
      log(
        `${kill.kind} ${kill.kind === "storage" ? "restarted" : "killed"} at ${before.finished}/${total} finished: ` +
          (after ? `progress again after ${(record.stallMs! / 1000).toFixed(1)} s` : "no progress"),
      );
      if (!after) break;
    }
    const end = await untilEnded(watch, stallLimitMs);
    const runMs = (end?.at ?? Date.now()) - submittedAt;
    log(end ? `ended after ${(runMs / 1000).toFixed(1)} s` : "gave up: no progress");
    await watch.stop();
    const finals = await Promise.all(ids.map((id) => finalState(client, id)));
    await cluster.stop();
    const result = verdict(def, expected, finals, readExecutionLog(executions));
    ok =
      end !== null &&
      result.lost.length === 0 &&
      result.doubleApplied.length === 0 &&
      result.stateDiffs.length === 0;
    return {
      options,
      plan,
      kills,
      verdict: result,
      runMs,
      reads: {
        failed: watch.failures.length,
        serverErrors: watch.failures.filter((f) => f.status !== null && f.status >= 500).length,
        longestFailingMs: watch.longestFailingMs,
      },
      dir,
      ok,
    };
  } finally {
    await watch?.stop();
    await cluster.stop().catch(() => {});
    if (ok && !opts.keep) await rm(dir, { recursive: true, force: true });
  }
}

async function perform(cluster: Cluster, kill: Kill): Promise<void> {
  switch (kill.kind) {
    case "host":
      return cluster.killHost();
    case "worker":
      return cluster.killWorker(kill.worker);
    case "storage":
      return cluster.restartStorage(kill.downMs);
  }
}

/** Waits for every workflow to end, as long as tasks keep finishing; null once they stop. */
async function untilEnded(watch: ProgressWatch, stallLimitMs: number): Promise<Sample | null> {
  for (;;) {
    const seen = watch.latest.finished;
    const s = await watch.until((x) => x.allEnded || x.finished > seen, stallLimitMs);
    if (!s || s.allEnded) return s;
  }
}

async function finalState(client: DagqClient, id: string): Promise<FinalWorkflow> {
  const status = await client.status(id, { detail: true });
  const tasks: TaskView[] = [];
  for await (const t of client.tasksAll(id, { pageSize: 1000 })) tasks.push(t);
  return { id, status: status.status, tasks };
}

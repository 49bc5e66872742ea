import { randomBytes } from "node:crypto";
import { type Azurite, startAzurite } from "../azure/azurite.js";
import { connectStorage } from "../azure/connect.js";
import { DagqClient } from "../client/index.js";
import { readConfig } from "../config.js";
import type { CompiledWorkflow, Json, Summary } from "../core/index.js";
import { dashboardUrl } from "../host/dashboardUrl.js";
import type { HostSettings } from "../host/hostJson.js";
import { startLocalHost } from "../host/localHost.js";
import type { LocalResult, LocalTaskResult } from "../local/localResult.js";
import { StatsTelemetry } from "../observability/telemetry.js";
import { isServiceBusTarget } from "../storage/serviceBusTarget.js";
import { startWorkerGroup, type WorkerGroup } from "../worker/workerGroup.js";

export interface DevOptions {
  readonly workers: number;
  /** Tasks each worker runs at once. */
  readonly concurrency: number;
  readonly hostJson: HostSettings;
  readonly onProgress?: (summary: Summary) => void;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
  /** Poll interval for the workflow's status. */
  readonly pollMs?: number;
  /** Told the dashboard's URL (with the key) once the workflow is submitted. */
  readonly onDashboard?: (url: string) => void;
  /** Told when the workflow was accepted: the moment its clock, rate and ETA start from. */
  readonly onSubmitted?: (id: string, at: number) => void;
}

/** The queues the workflow's tasks use, in first-use order: dev starts workers on each. */
export function queuesOf(def: CompiledWorkflow): string[] {
  return [...new Set(def.tasks.map((t) => t.queue))];
}

/**
 * `dagq dev`: the whole serverless path on this machine. Starts Azurite (loopback, free ports,
 * throwaway data), the local functions host over it, and `workers` workers; submits the workflow
 * through the HTTP API as a client would; follows it until it ends; returns the same result
 * object as `run-local`, then stops everything it started.
 */
export async function devRun(def: CompiledWorkflow, opts: DevOptions): Promise<LocalResult> {
  const log = opts.log ?? (() => {});
  const queues = queuesOf(def);
  const remote = queues.filter(isServiceBusTarget);
  if (remote.length > 0)
    throw new Error(
      `dev runs storage queues only; ${remote.join(", ")} is a Service Bus queue (use dagq host and dagq worker against a real namespace)`,
    );
  const stack: Array<() => Promise<void>> = [];
  try {
    const azurite: Azurite = await startAzurite();
    stack.push(() => azurite.stop());
    log(`azurite: ${azurite.connectionString.replace(/AccountKey=[^;]+/, "AccountKey=…")}`);
    const prefix = "dev";
    const key = randomBytes(18).toString("base64url");
    const config = readConfig({ DagqStorage: azurite.connectionString, DAGQ_PREFIX: prefix });
    const host = await startLocalHost({
      config,
      hostJson: opts.hostJson,
      keys: { function: [key] },
      statsEveryMs: 0,
      log: (level, message) => {
        if (level === "warn" || level === "error") log(`host ${level}: ${message}`);
      },
    });
    stack.push(() => host.stop());
    log(`functions host: ${host.url}/api`);
    const storage = connectStorage({
      connectionString: azurite.connectionString,
      container: `${prefix}-workflows`,
    });
    const workers: WorkerGroup[] = [];
    stack.push(async () => void (await Promise.all(workers.map((w) => w.stop()))));
    for (let k = 0; k < opts.workers; k++) {
      const telemetry = new StatsTelemetry((level, message) => {
        if (level !== "debug" && level !== "info") log(`worker ${k + 1} ${level}: ${message}`);
      });
      workers.push(
        await startWorkerGroup({
          storage,
          prefix,
          queues,
          concurrency: opts.concurrency,
          pollMaxMs: 200,
          signalPollMs: 1000,
          shutdownGraceMs: 2000,
          id: `dev-worker-${k + 1}`,
          telemetry,
        }),
      );
    }
    log(
      `${opts.workers} worker(s) on ${queues.join(", ")}, ${opts.concurrency} task(s) at once each per queue`,
    );
    return await follow(host.url, key, def, opts);
  } finally {
    for (const stop of stack.reverse()) await stop().catch(() => {});
  }
}

async function follow(
  hostUrl: string,
  key: string,
  def: CompiledWorkflow,
  opts: DevOptions,
): Promise<LocalResult> {
  const client = new DagqClient({ url: `${hostUrl}/api`, key });
  const { id } = await client.submit(def.definition);
  opts.onSubmitted?.(id, Date.now());
  opts.onDashboard?.(dashboardUrl(hostUrl, key));
  let cancelled = false;
  let status: Awaited<ReturnType<DagqClient["status"]>>;
  for (;;) {
    if (opts.signal?.aborted && !cancelled) {
      cancelled = true;
      await client.cancel(id, String(opts.signal.reason ?? "interrupted"));
    }
    status = await client.status(id, { detail: true });
    // The API's status carries what the progress display reads of a Summary (counts, total).
    opts.onProgress?.(status as unknown as Summary);
    if (
      status.status === "completed" ||
      status.status === "failed" ||
      status.status === "cancelled"
    )
      break;
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 300));
  }
  const byName = new Map<string, LocalTaskResult>();
  for await (const t of client.tasksAll(id, { pageSize: 5000 })) {
    byName.set(t.name, {
      status: t.status,
      attempts: t.attempts,
      output: t.output as Json,
      ...(t.reason === null ? {} : { reason: t.reason }),
    });
  }
  // Definition order, then the instances of maps map by map, as run-local prints it.
  const tasks = Object.fromEntries(def.tasks.map((t) => [t.name, byName.get(t.name)!]));
  for (const t of def.tasks)
    for (let k = 0; byName.has(`${t.name}[${k}]`); k++)
      tasks[`${t.name}[${k}]`] = byName.get(`${t.name}[${k}]`)!;
  return { id, status: status.status as LocalResult["status"], tasks };
}

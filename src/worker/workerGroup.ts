import { silentTelemetry } from "../observability/telemetry.js";
import { layout } from "../storage/layout.js";
import { type Heartbeat, startHeartbeat } from "./heartbeat.js";
import { type RunningWorker, type StartWorkerOptions, startWorker } from "./startWorker.js";
import { DEFAULT_WORKER_OPTIONS } from "./worker.js";

export interface WorkerGroupOptions extends Omit<StartWorkerOptions, "queue"> {
  readonly queues: readonly string[];
  /** Seconds between heartbeats in the workers table (default 10). */
  readonly heartbeatS?: number;
}

export interface WorkerGroup {
  readonly workers: readonly RunningWorker[];
  /** Tasks running now, across the queues. */
  running(): number;
  stop(): Promise<void>;
}

/**
 * One worker process's set: a worker per queue under one id, registered once in the workers
 * table with a heartbeat (`dagq worker`, `dagq dev`).
 */
export async function startWorkerGroup(opts: WorkerGroupOptions): Promise<WorkerGroup> {
  const { queues, heartbeatS, ...rest } = opts;
  const id = opts.id ?? DEFAULT_WORKER_OPTIONS.id;
  const workers = queues.map((queue) => startWorker({ ...rest, id, queue }));
  const running = () => workers.reduce((n, w) => n + w.worker.runningTasks, 0);
  let heartbeat: Heartbeat | null = null;
  try {
    heartbeat = await startHeartbeat({
      tables: opts.storage.tables,
      table: layout(opts.prefix).workersTable,
      id,
      queues,
      concurrency: opts.concurrency ?? DEFAULT_WORKER_OPTIONS.concurrency,
      running,
      everyS: heartbeatS ?? 10,
      telemetry: opts.telemetry ?? silentTelemetry,
    });
  } catch (e) {
    await Promise.all(workers.map((w) => w.stop()));
    throw e;
  }
  return {
    workers,
    running,
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await heartbeat?.stop();
    },
  };
}

import { hostname } from "node:os";
import type { Telemetry } from "../observability/telemetry.js";
import type { TableStore } from "../storage/ports.js";
import { toWorkerEntity, type WorkerRecord } from "../storage/workerRecord.js";
import { dagqVersion } from "../version.js";

export interface HeartbeatOptions {
  readonly tables: TableStore;
  readonly table: string;
  readonly id: string;
  readonly queues: readonly string[];
  readonly concurrency: number;
  /** Tasks running now, across the worker's queues. */
  readonly running: () => number;
  readonly everyS: number;
  readonly telemetry: Telemetry;
  readonly clock?: () => number;
}

export interface Heartbeat {
  /** Writes the row once more, marked stopped. */
  stop(): Promise<void>;
}

/**
 * Registers a worker in the workers table and keeps its row fresh. A failed write is logged
 * and tried again at the next beat: the registry is for people and the doctor, never a reason
 * for a worker to stop running tasks.
 */
export async function startHeartbeat(opts: HeartbeatOptions): Promise<Heartbeat> {
  const clock = opts.clock ?? Date.now;
  const startedAt = clock();
  const record = (stoppedAt: number): WorkerRecord => ({
    id: opts.id,
    host: hostname(),
    pid: process.pid,
    queues: [...opts.queues],
    concurrency: opts.concurrency,
    running: opts.running(),
    version: dagqVersion(),
    startedAt,
    lastSeen: clock(),
    heartbeatS: opts.everyS,
    stoppedAt,
  });
  const beat = async (stoppedAt = 0) => {
    try {
      await opts.tables.upsert(opts.table, toWorkerEntity(record(stoppedAt)));
    } catch (e) {
      opts.telemetry.log("warn", `worker registry (${opts.table}): ${String(e)}`);
    }
  };
  try {
    await opts.tables.ensure(opts.table);
  } catch (e) {
    opts.telemetry.log("warn", `worker registry (${opts.table}): ${String(e)}`);
  }
  await beat();
  let last = Promise.resolve();
  const timer = setInterval(() => {
    last = beat();
  }, opts.everyS * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await last;
      await beat(clock());
    },
  };
}

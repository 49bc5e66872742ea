import type { TableStore } from "../storage/ports.js";
import {
  fromWorkerEntity,
  isLive,
  WORKERS_PARTITION,
  type WorkerRecord,
} from "../storage/workerRecord.js";
import type { Engine } from "./context.js";

/** Lost workers are listed this long after their last heartbeat; their rows go a day later. */
export const LOST_SHOWN_MS = 60 * 60_000;
const FORGOTTEN_MS = 24 * 60 * 60_000;

export interface WorkerView extends WorkerRecord {
  readonly live: boolean;
}

/**
 * The workers table read for people and the doctor: live workers and those lost (or stopped)
 * within the last hour, by id. Rows older than a day are deleted on the way, so the table
 * stays the size of the fleet.
 */
export async function listWorkers(engine: Engine): Promise<WorkerView[]> {
  const now = engine.clock();
  const out: WorkerView[] = [];
  const stale: string[] = [];
  for await (const e of engine.storage.tables.query(engine.names.workersTable, {
    partitionKey: WORKERS_PARTITION,
  })) {
    const w = fromWorkerEntity(e);
    if (w === null) continue;
    if (now - w.lastSeen > FORGOTTEN_MS) stale.push(e.rowKey);
    else if (isLive(w, now) || now - w.lastSeen <= LOST_SHOWN_MS)
      out.push({ ...w, live: isLive(w, now) });
  }
  if (stale.length > 0) {
    await engine.storage.tables
      .deleteBatch(engine.names.workersTable, WORKERS_PARTITION, stale.slice(0, 100))
      .catch(() => {});
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** What live registered workers can take from one queue. */
export interface QueueCapacity {
  /** The fewest slots one of them has: the size of a pack none of them must split. */
  readonly smallestWorker: number;
}

/** The capacity of live registered workers, per queue they serve. */
export async function liveCapacityByQueue(
  tables: TableStore,
  table: string,
  now: number,
): Promise<Map<string, QueueCapacity>> {
  const out = new Map<string, QueueCapacity>();
  for await (const e of tables.query(table, { partitionKey: WORKERS_PARTITION })) {
    const w = fromWorkerEntity(e);
    if (w === null || !isLive(w, now)) continue;
    for (const q of w.queues) {
      const c = out.get(q);
      out.set(q, {
        smallestWorker: Math.min(c?.smallestWorker ?? w.concurrency, w.concurrency),
      });
    }
  }
  return out;
}

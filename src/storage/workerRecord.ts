import { z } from "zod";
import type { Entity } from "./ports.js";

/**
 * A worker's row in the `<prefix>workers` table: who it is, what it serves, and its heartbeat.
 * One row per `dagq worker` process (all its queues), written at start, every `heartbeatS`
 * seconds, and once more when it stops. Readers (`dagq workers`, the doctor) call a worker
 * live while its last heartbeat is recent and it has not said it stopped.
 */
export const WORKERS_PARTITION = "worker";

export const WorkerRecordSchema = z.object({
  id: z.string().min(1).max(200),
  host: z.string().max(255),
  pid: z.int(),
  /** Logical queue names (`default`, `gpu`) or `sb://` targets. */
  queues: z.array(z.string()),
  /** Tasks it runs at once, per queue. */
  concurrency: z.int().min(0),
  running: z.int().min(0),
  version: z.string().max(100),
  startedAt: z.number(),
  lastSeen: z.number(),
  heartbeatS: z.number().positive(),
  /** 0 while it runs; when it stopped, after a clean shutdown. */
  stoppedAt: z.number(),
});
export type WorkerRecord = z.infer<typeof WorkerRecordSchema>;

/** A heartbeat this many intervals old means the worker is gone (killed, or cut off). */
export const MISSED_HEARTBEATS = 3;

export function isLive(w: WorkerRecord, now: number): boolean {
  return w.stoppedAt === 0 && now - w.lastSeen <= MISSED_HEARTBEATS * w.heartbeatS * 1000;
}

export function toWorkerEntity(w: WorkerRecord): Entity {
  return {
    partitionKey: WORKERS_PARTITION,
    rowKey: w.id,
    ...w,
    queues: JSON.stringify(w.queues),
  };
}

/** The record a row holds, or null for a row this version cannot read (skipped, not fatal). */
export function fromWorkerEntity(e: Entity): WorkerRecord | null {
  let queues: unknown;
  try {
    queues = JSON.parse(String(e.queues));
  } catch {
    return null;
  }
  const parsed = WorkerRecordSchema.safeParse({ ...e, queues });
  return parsed.success ? parsed.data : null;
}

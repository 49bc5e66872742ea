import { timedOut } from "../core/index.js";
import { allShards, isPoisonQueue } from "../storage/layout.js";
import type { Engine } from "./context.js";
import type { IndexRow } from "./workflowIndex.js";

export interface SweepReport {
  readonly examined: number;
  readonly visited: number;
  readonly timedOut: number;
  readonly busy: number;
  readonly gone: number;
}

/**
 * The running-workflow sweep (a timer, by shard): fails attempts past their timeout, re-dispatches
 * tasks dispatched long ago that no worker started, and tops up flow-control windows that a crash
 * left unfilled. It skips a workflow whose index row has not changed since the last sweep unless
 * its wake-up time has come, and one whose lease another instance holds (that instance is at work).
 * Idempotent: a doubled or missed tick only moves work earlier or later.
 */
export async function sweepRunning(engine: Engine, shards = allShards()): Promise<SweepReport> {
  const now = engine.clock();
  const emptyQueues = await emptyTaskQueues(engine);
  const report = { examined: 0, visited: 0, timedOut: 0, busy: 0, gone: 0 };
  await forEachRow(engine, shards, "running", async (row) => {
    report.examined++;
    const seen = engine.sweepSeen.get(row.id);
    const due = row.wakeAt !== null && row.wakeAt <= now;
    if (!due && seen !== undefined && seen === row.timestamp) return;
    report.visited++;
    const outcome = await engine.coordinator.apply(row.id, [], (run, at) => {
      const events = timedOut(run, at);
      report.timedOut += events.length;
      const queues = new Set(run.def.tasks.map((t) => t.queue));
      const repairableQueues = new Set(
        [...queues].filter((q) => emptyQueues.has(engine.names.taskQueue(q))),
      );
      return { events, repairableQueues };
    });
    if (outcome === "busy") report.busy++;
    if (outcome === "gone") report.gone++;
    if (row.timestamp !== undefined) engine.sweepSeen.set(row.id, row.timestamp);
  });
  engine.telemetry.count("sweep.timed_out", report.timedOut);
  engine.telemetry.count("sweep.visited", report.visited);

  return report;
}

/**
 * Storage task queues holding no message, visible or not. Ready-repair re-dispatches only into
 * these: a stale task whose queue still holds messages may simply be waiting its turn, and a
 * second message would make it run twice without any crash.
 */
async function emptyTaskQueues(engine: Engine): Promise<Set<string>> {
  const names = await engine.storage.queues.list(`${engine.names.prefix}-tasks-`);
  const depths = await Promise.all(
    names.map(async (q) => [q, await engine.storage.queues.depth(q)] as const),
  );
  return new Set(depths.filter(([q, d]) => d === 0 && !isPoisonQueue(q)).map(([q]) => q));
}

/** Runs `fn` over the index rows of the given shards, shards in parallel with bounded concurrency. */
export async function forEachRow(
  engine: Engine,
  shards: readonly string[],
  status: IndexRow["status"] | undefined,
  fn: (row: IndexRow) => Promise<void>,
): Promise<void> {
  const queue = [...shards];
  const worker = async () => {
    for (let shard = queue.shift(); shard !== undefined; shard = queue.shift()) {
      for await (const row of engine.index.shard(shard, status)) {
        try {
          await fn(row);
        } catch (e) {
          engine.telemetry.log("warn", `sweep: workflow ${row.id}: ${String(e)}`);
          engine.telemetry.count("sweep.errors");
        }
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(engine.config.sweepConcurrency, shards.length) }, worker),
  );
}

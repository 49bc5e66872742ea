import type { CompiledWorkflow, RunState } from "../core/index.js";
import type { Layout } from "../storage/layout.js";
import type { QueueStore } from "../storage/ports.js";
import { isServiceBusTarget } from "../storage/serviceBusTarget.js";

/**
 * Flow control per task queue, across workflows: a cycle dispatches into a storage queue only
 * while the queue holds fewer than `maxDepth` messages. Depths are read at most every `ttlMs`
 * per queue and instance (one cheap property read), and raised locally by each dispatch in
 * between, so an instance never overshoots by more than what other instances sent since the
 * last read. Held tasks wait first in line; the running sweep tops them up once the queue has
 * drained (the workflow's wake-up time is "now" while it has ready tasks and window room).
 * Service Bus targets are not capped here.
 */
export class QueueBudget {
  private readonly depths = new Map<string, { depth: number; at: number }>();
  private readonly queuesOf = new WeakMap<CompiledWorkflow, readonly string[]>();

  constructor(
    private readonly queues: QueueStore,
    private readonly names: Layout,
    private readonly maxDepth: number,
    private readonly clock: () => number,
    private readonly ttlMs = 2000,
  ) {}

  /**
   * Room left in each storage queue `run` dispatches into, by the definition's queue name, for
   * the reducer (`ApplyOptions.queueRoom`); undefined when queues are not capped.
   */
  async roomFor(run: RunState): Promise<ReadonlyMap<string, number> | undefined> {
    if (this.maxDepth === 0) return undefined;
    const now = this.clock();
    const room = new Map<string, number>();
    await Promise.all(
      this.distinctQueues(run.def).map(async (queue) => {
        const target = this.names.taskQueue(queue);
        if (isServiceBusTarget(target)) return; // not capped here
        let entry = this.depths.get(target);
        if (!entry || entry.at <= now - this.ttlMs) {
          // A queue that does not exist yet is empty: the task sink creates it on first send.
          entry = { depth: await this.queues.depth(target).catch(() => 0), at: now };
          this.depths.set(target, entry);
        }
        room.set(queue, Math.max(0, this.maxDepth - entry.depth));
      }),
    );
    return room;
  }

  /** What a transition dispatched (`Transition.roomUsed`) raises the depths known here. */
  used(roomUsed: ReadonlyMap<string, number>): void {
    for (const [queue, n] of roomUsed) {
      const entry = this.depths.get(this.names.taskQueue(queue));
      if (entry) entry.depth += n;
    }
  }

  private distinctQueues(def: CompiledWorkflow): readonly string[] {
    let q = this.queuesOf.get(def);
    if (!q) {
      q = [...new Set(def.tasks.map((spec) => spec.queue))];
      this.queuesOf.set(def, q);
    }
    return q;
  }
}

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
  private readonly targets = new WeakMap<CompiledWorkflow, readonly string[]>();

  constructor(
    private readonly queues: QueueStore,
    private readonly names: Layout,
    private readonly maxDepth: number,
    private readonly clock: () => number,
    private readonly ttlMs = 2000,
  ) {}

  /** The dispatch predicate for one cycle of `run`, or undefined when queues are not capped. */
  async forRun(run: RunState): Promise<((task: number) => boolean) | undefined> {
    if (this.maxDepth === 0) return undefined;
    const targets = this.targetsOf(run.def);
    const now = this.clock();
    const stale = [...new Set(targets)].filter(
      (q) => !isServiceBusTarget(q) && !((this.depths.get(q)?.at ?? -Infinity) > now - this.ttlMs),
    );
    await Promise.all(
      stale.map(async (q) => {
        // A queue that does not exist yet is empty: the task sink creates it on first send.
        const depth = await this.queues.depth(q).catch(() => 0);
        this.depths.set(q, { depth, at: now });
      }),
    );
    return (task) => {
      const entry = this.depths.get(targets[task]!);
      if (!entry) return true; // Service Bus
      if (entry.depth >= this.maxDepth) return false;
      entry.depth++;
      return true;
    };
  }

  private targetsOf(def: CompiledWorkflow): readonly string[] {
    let t = this.targets.get(def);
    if (!t) {
      t = def.tasks.map((spec) => this.names.taskQueue(spec.queue));
      this.targets.set(def, t);
    }
    return t;
  }
}

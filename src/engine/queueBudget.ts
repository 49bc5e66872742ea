import type { CompiledWorkflow, RunState } from "../core/index.js";
import type { Layout } from "../storage/layout.js";
import type { QueueStore } from "../storage/ports.js";
import { isServiceBusTarget } from "../storage/serviceBusTarget.js";

/**
 * Flow control per task queue, across workflows: a cycle dispatches into a storage queue only
 * while the queue holds fewer messages than its window. The window is `maxDepth`, or, when
 * live workers that registered themselves serve the queue, WINDOW_PER_SLOT messages per slot
 * they have (at least MIN_WINDOW): a queue kept that shallow still never leaves a slot idle,
 * and the emulator's (and Azure's) cost per operation grows with the messages a queue holds;
 * measured on a 5,000-task fan-out with 16 slots, a window of 64 ran 111–115 tasks/s against
 * 71–92 uncapped, with the emulator's CPU per task at 4.1–4.5 ms against 7.0–9.2.
 *
 * Depths are read at most every `ttlMs` per queue and instance (one cheap property read),
 * raised locally by each dispatch and lowered by each ended task's report in between, so an
 * instance never overshoots by more than what other instances sent since the last read. Held
 * tasks wait first in line; the next cycle, or the running sweep, tops them up (the workflow's
 * wake-up time is "now" while it has ready tasks and window room). Service Bus targets are not
 * capped here. With `maxDepth` 0 nothing is capped.
 */
export const WINDOW_PER_SLOT = 4;
export const MIN_WINDOW = 32;

/** Live registered workers' slots per logical queue (`default`, `gpu`). */
export type SlotsByQueue = () => Promise<ReadonlyMap<string, number>>;

export class QueueBudget {
  private readonly depths = new Map<string, { depth: number; at: number }>();
  private readonly queuesOf = new WeakMap<CompiledWorkflow, readonly string[]>();
  private slotCache: { slots: ReadonlyMap<string, number>; at: number } | null = null;
  /**
   * Workflows whose cycle used up a queue's room, by queue: they may hold ready tasks and have
   * no event of their own to bring them back (a workflow whose roots were held), so room freed
   * by other workflows' reports wakes them. The running sweep stays the fallback.
   */
  private readonly waiting = new Map<string, Set<string>>();
  /** Starts a cycle of a workflow (set by the engine once the coordinator exists). */
  wake: (workflowId: string) => void = () => {};

  constructor(
    private readonly queues: QueueStore,
    private readonly names: Layout,
    private readonly maxDepth: number,
    private readonly clock: () => number,
    private readonly slots: SlotsByQueue = async () => new Map(),
    private readonly ttlMs = 2000,
    private readonly slotsTtlMs = 5000,
  ) {}

  /**
   * Room left in each storage queue `run` dispatches into, by the definition's queue name, for
   * the reducer (`ApplyOptions.queueRoom`); undefined when queues are not capped.
   */
  async roomFor(run: RunState): Promise<ReadonlyMap<string, number> | undefined> {
    if (this.maxDepth === 0) return undefined;
    const now = this.clock();
    const slots = await this.liveSlots(now);
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
        room.set(queue, Math.max(0, this.window(slots.get(queue)) - entry.depth));
      }),
    );
    return room;
  }

  /**
   * Tasks that ended lower the depths known here: their worker deletes the task message once
   * the report is sent. Without this, a capped queue would get only `maxDepth` messages per
   * depth read (every `ttlMs`), however fast the workers drain it.
   */
  freed(run: RunState, ended: readonly string[]): void {
    if (this.maxDepth === 0) return;
    for (const task of ended) {
      const i = run.def.index.get(task);
      if (i === undefined) continue;
      const target = this.names.taskQueue(run.def.tasks[i]!.queue);
      const entry = this.depths.get(target);
      if (entry) entry.depth = Math.max(0, entry.depth - 1);
      this.wakeOne(target, run.id);
    }
  }

  /** One waiter of the queue per freed message, oldest first, not the workflow freeing it. */
  private wakeOne(target: string, freeing: string): void {
    const waiters = this.waiting.get(target);
    if (!waiters) return;
    for (const id of waiters) {
      if (id === freeing) continue;
      waiters.delete(id);
      this.wake(id);
      return;
    }
  }

  /**
   * After a cycle of `id` given `room`: while it still holds ready tasks, a queue whose room it
   * used up may be what holds them, so the workflow waits for room there.
   */
  settled(
    id: string,
    room: ReadonlyMap<string, number> | undefined,
    used: ReadonlyMap<string, number>,
    holdsReady: boolean,
  ): void {
    if (!room) return;
    for (const [queue, n] of room) {
      const target = this.names.taskQueue(queue);
      const waiters = this.waiting.get(target);
      if (holdsReady && (used.get(queue) ?? 0) >= n) {
        if (waiters) waiters.add(id);
        else this.waiting.set(target, new Set([id]));
      } else waiters?.delete(id);
    }
  }

  /** What a transition dispatched (`Transition.roomUsed`) raises the depths known here. */
  used(roomUsed: ReadonlyMap<string, number>): void {
    for (const [queue, n] of roomUsed) {
      const entry = this.depths.get(this.names.taskQueue(queue));
      if (entry) entry.depth += n;
    }
  }

  private window(slots: number | undefined): number {
    if (!slots) return this.maxDepth;
    return Math.min(this.maxDepth, Math.max(MIN_WINDOW, WINDOW_PER_SLOT * slots));
  }

  /** Read at most every slotsTtlMs; a failed read keeps the last answer (or none). */
  private async liveSlots(now: number): Promise<ReadonlyMap<string, number>> {
    if (this.slotCache && now - this.slotCache.at < this.slotsTtlMs) return this.slotCache.slots;
    const slots = await this.slots().catch(() => this.slotCache?.slots ?? new Map());
    this.slotCache = { slots, at: now };
    return slots;
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

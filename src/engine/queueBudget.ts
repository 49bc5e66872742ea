import type { CompiledWorkflow, RunState } from "../core/index.js";
import type { Layout } from "../storage/layout.js";
import type { QueueStore } from "../storage/ports.js";
import { isServiceBusTarget } from "../storage/serviceBusTarget.js";
import type { QueueCapacity } from "./workers.js";

/**
 * Flow control per task queue, across workflows: a cycle dispatches into a storage queue only
 * while the queue holds fewer tasks than `maxDepth`.
 *
 * Not sized by the workers: a window of 4 tasks per live registered slot was tried (issue 15).
 * Before packs it helped fan-outs (5k with 16 slots: 111–115 tasks/s against 71–92 uncapped,
 * the emulator's CPU per task 4.1–4.5 ms against 7.0–9.2); with packs, fan-outs ran the same
 * with or without it (121–126 tasks/s), and 1,500 small workflows submitted while they ran
 * never finished within 240 s (all in 245 s without): workflows submitted later took the room
 * that older held ones waited for. A window that shallow needs a fair line across workflows.
 *
 * Live registered workers size packs (`packSize`). Depths count tasks, but a read counts each
 * message once (a lower bound: with packs, a queue may hold more tasks than its window, about
 * as many messages at most); they are read at most every `ttlMs` per queue and instance,
 * raised locally by each dispatch and lowered by each ended task's report in between, so an
 * instance never overshoots by more than what other instances sent since the last read. Held
 * tasks wait first in line; the next cycle, or the running sweep, tops them up (the workflow's
 * wake-up time is "now" while it has ready tasks and window room). Service Bus targets are not
 * capped here. With `maxDepth` 0 nothing is capped.
 */

/** Live registered workers' capacity per logical queue (`default`, `gpu`). */
export type CapacityByQueue = () => Promise<ReadonlyMap<string, QueueCapacity>>;

export class QueueBudget {
  /** Per queue: tasks known to be in it, and when that was read. */
  private readonly depths = new Map<string, { depth: number; at: number }>();
  private readonly queuesOf = new WeakMap<CompiledWorkflow, readonly string[]>();
  private capacityCache: { capacity: ReadonlyMap<string, QueueCapacity>; at: number } | null = null;
  /**
   * Workflows whose cycle used up a queue's room, by queue, oldest first: they may hold ready
   * tasks and have no event of their own to bring them back (a workflow whose roots were held),
   * so room left after other workflows' cycles wakes them. The running sweep stays the fallback.
   */
  private readonly waiting = new Map<string, Set<string>>();
  /** Starts a cycle of a workflow (set by the engine once the coordinator exists). */
  wake: (workflowId: string) => void = () => {};

  constructor(
    private readonly queues: QueueStore,
    private readonly names: Layout,
    private readonly maxDepth: number,
    private readonly clock: () => number,
    private readonly capacity: CapacityByQueue = async () => new Map(),
    /** The most tasks in one message; 1: no packs (see protocol/taskPack.ts). */
    private readonly maxPack = 1,
    private readonly ttlMs = 2000,
    private readonly capacityTtlMs = 5000,
  ) {}

  /**
   * How many tasks to pack into one message for `queue`: as many as the smallest live
   * registered worker serving it has slots (a pack it would have to split costs a send back),
   * at most `maxPack`; 1 while no registered worker serves it (workers that do not register,
   * like the minimal Python one, read packs too, but nothing says how many they take).
   */
  async packSize(queue: string): Promise<number> {
    if (this.maxPack <= 1) return 1;
    return this.packOf((await this.liveCapacity(this.clock())).get(queue));
  }

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
          // A pack is read as one task: never more than the queue holds. Counted full, a pack
          // whose tasks had all been reported but not yet deleted (or the remnant of a pack a
          // worker split) would hold a workflow back with no report left to free the room.
          entry = { depth: await this.queues.depth(target).catch(() => 0), at: now };
          this.depths.set(target, entry);
        }
        room.set(queue, Math.max(0, this.maxDepth - entry.depth));
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
    }
  }

  /**
   * After a cycle of `id` given `room`: while it still holds ready tasks, a queue whose room it
   * used up may be what holds them, so the workflow waits for room there. Room still left once
   * the cycle has taken its share (what its reports freed, less what it dispatched) wakes as
   * many waiters, oldest first. Waking one per freed task instead, before the freeing workflow
   * had dispatched its own next tasks into that room, woke cycles that found no room, stayed
   * held and went to the back of the line: 10,000 small workflows submitted while they ran
   * spent the emulator on such cycles, and the oldest waited on (the run stalled at 369).
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
      const entry = this.depths.get(target);
      if (entry) this.wakeUpTo(target, id, this.maxDepth - entry.depth);
    }
  }

  /** Up to `n` waiters of the queue, oldest first, not `settling` (its cycle just ran). */
  private wakeUpTo(target: string, settling: string, n: number): void {
    const waiters = this.waiting.get(target);
    if (!waiters || n <= 0) return;
    for (const id of waiters) {
      if (n <= 0) return;
      if (id === settling) continue;
      waiters.delete(id);
      this.wake(id);
      n--;
    }
  }

  /** What a transition dispatched (`Transition.roomUsed`) raises the depths known here. */
  used(roomUsed: ReadonlyMap<string, number>): void {
    for (const [queue, n] of roomUsed) {
      const entry = this.depths.get(this.names.taskQueue(queue));
      if (entry) entry.depth += n;
    }
  }

  private packOf(c: QueueCapacity | undefined): number {
    return c && this.maxPack > 1 ? Math.max(1, Math.min(this.maxPack, c.smallestWorker)) : 1;
  }

  /** Read at most every capacityTtlMs; a failed read keeps the last answer (or none). */
  private async liveCapacity(now: number): Promise<ReadonlyMap<string, QueueCapacity>> {
    const cached = this.capacityCache;
    if (cached && now - cached.at < this.capacityTtlMs) return cached.capacity;
    const capacity = await this.capacity().catch(() => cached?.capacity ?? new Map());
    this.capacityCache = { capacity, at: now };
    return capacity;
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

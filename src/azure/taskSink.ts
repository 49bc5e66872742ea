/**
 * Task sinks: where dispatched task messages go. A target is either a storage queue name or
 * `sb://<namespace>/<queue>` for a Service Bus queue; RoutingTaskSink picks by that prefix.
 */
import type { QueueStore, SendOptions, TaskSink } from "../storage/ports.js";
import { isServiceBusTarget } from "../storage/serviceBusTarget.js";
import { forEachLimit } from "./forEachLimit.js";

/**
 * Sends to storage queues through a QueueStore, many messages in flight at once. Each queue is
 * ensured once per sink: task queues are named by user definitions, so the first dispatch to a
 * new one must not fail for want of the queue.
 */
export class QueueTaskSink implements TaskSink {
  private readonly ensured = new Map<string, Promise<void>>();

  constructor(
    private readonly queues: QueueStore,
    private readonly parallel = 32,
  ) {}

  async send(target: string, texts: readonly string[], opts: SendOptions = {}): Promise<void> {
    if (isServiceBusTarget(target)) throw new Error(`not a storage queue: ${target}`);
    if (texts.length === 0) return;
    await this.ensure(target);
    await forEachLimit(texts, this.parallel, (text) => this.queues.send(target, text, opts));
  }

  private ensure(queue: string): Promise<void> {
    let pending = this.ensured.get(queue);
    if (!pending) {
      pending = this.queues.ensure(queue);
      this.ensured.set(queue, pending);
      pending.catch(() => this.ensured.delete(queue)); // try again on the next send
    }
    return pending;
  }
}

/** Storage-queue targets to one sink, `sb://` targets to the other. */
export class RoutingTaskSink implements TaskSink {
  constructor(
    private readonly storage: TaskSink,
    private readonly serviceBus?: TaskSink,
  ) {}

  send(target: string, texts: readonly string[], opts?: SendOptions) {
    if (!isServiceBusTarget(target)) return this.storage.send(target, texts, opts);
    if (!this.serviceBus) {
      return Promise.reject(new Error(`no Service Bus sink configured for ${target}`));
    }
    return this.serviceBus.send(target, texts, opts);
  }
}

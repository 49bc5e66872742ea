import { sendToPoison } from "../protocol/poison.js";
import type { QueueMessage, QueueStore } from "../storage/ports.js";

/** One received task message, with what a worker may do about it. */
export interface Delivery {
  readonly text: string;
  readonly dequeueCount: number;
  /** Keeps the message hidden from other workers for `visibilityS` more seconds. */
  extend(visibilityS: number): Promise<void>;
  /** Deletes the message: the task's completion is safely on the completion queue. */
  complete(): Promise<void>;
  /** Gives the message back at once, for another worker (shutdown). */
  abandon(): Promise<void>;
  /** Sets a message that can never be run aside, with the reason (poison queue, dead letter). */
  poison(reason: string): Promise<void>;
}

/** Where task messages come from: a storage queue, or a Service Bus queue. */
export interface TaskSource {
  readonly name: string;
  receive(max: number, visibilityS: number): Promise<Delivery[]>;
  /** Sends a message to the same queue: the tasks of a pack this worker has no room for. */
  requeue(text: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Task messages from an Azure Storage queue. Renewing a message's invisibility changes its pop
 * receipt, so each delivery tracks the latest one; a delivery whose message is gone (its pop
 * receipt went stale because the visibility lapsed and another worker took it) stops renewing.
 */
export class StorageQueueSource implements TaskSource {
  constructor(
    private readonly queues: QueueStore,
    readonly name: string,
  ) {}

  private ensured = false;

  async receive(max: number, visibilityS: number): Promise<Delivery[]> {
    // A queue no task was sent to yet does not exist: made here, or every poll would fail
    // (and warn) until the first task for it is dispatched.
    // Best effort, once: on Azure a worker's role may be scoped to existing queues, without the
    // right to create one; its receive then says what is wrong.
    if (!this.ensured) {
      this.ensured = true;
      await this.queues.ensure(this.name).catch(() => {});
    }
    const msgs = await this.queues.receive(this.name, Math.min(max, 32), visibilityS);
    return msgs.map((m) => this.delivery(m));
  }

  async requeue(text: string): Promise<void> {
    await this.queues.send(this.name, text);
  }

  async close(): Promise<void> {}

  private delivery(first: QueueMessage): Delivery {
    let msg: QueueMessage | null = first;
    const queues = this.queues;
    const queue = this.name;
    // One operation at a time: a renewal in flight changes the pop receipt, and a delete sent
    // with the old one would fail and leave the message to run again.
    let chain: Promise<unknown> = Promise.resolve();
    const serial = (op: () => Promise<void>): Promise<void> => {
      const next = chain.then(op, op);
      chain = next.catch(() => {});
      return next;
    };
    return {
      text: first.text,
      dequeueCount: first.dequeueCount,
      extend: (visibilityS) =>
        serial(async () => {
          if (msg) msg = await queues.release(queue, msg, visibilityS);
        }),
      complete: () =>
        serial(async () => {
          if (msg) await queues.delete(queue, msg);
          msg = null;
        }),
      abandon: () =>
        serial(async () => {
          if (msg) await queues.release(queue, msg, 0);
          msg = null;
        }),
      poison: (reason) =>
        serial(async () => {
          await sendToPoison(
            queues,
            { sourceQueue: queue, message: first.text, reason },
            Date.now(),
          );
          if (msg) await queues.delete(queue, msg);
          msg = null;
        }),
    };
  }
}

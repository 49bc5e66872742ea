/**
 * QueueStore in memory with Azure Storage queue semantics: a received message stays invisible
 * for its visibility timeout and comes back with a higher dequeueCount; each receive or release
 * issues a new pop receipt and invalidates the old one; `delayS` hides a new message; depth
 * counts invisible messages too. Time is the injected clock.
 */
import {
  MAX_QUEUE_MESSAGE_BYTES,
  type QueueMessage,
  type QueueStore,
  type SendOptions,
} from "../storage/ports.js";
import { isValidContainerOrQueueName } from "./storageNames.js";

interface Stored {
  readonly id: string;
  readonly text: string;
  readonly insertedOn: number;
  visibleAt: number;
  dequeueCount: number;
  popReceipt: string;
}

const MAX_VISIBILITY_S = 7 * 24 * 3600;

function checkSeconds(what: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min || value > MAX_VISIBILITY_S) {
    throw new RangeError(
      `${what} must be an integer from ${min} to ${MAX_VISIBILITY_S}, got ${value}`,
    );
  }
}

export class MemoryQueueStore implements QueueStore {
  private readonly queues = new Map<string, Stored[]>();
  private nextId = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  async ensure(queue: string): Promise<void> {
    if (!isValidContainerOrQueueName(queue)) throw new Error(`InvalidResourceName: ${queue}`);
    this.ensureRaw(queue);
  }

  /**
   * Creates a queue under any name, without Azure's naming rules: the memory task sink keeps
   * `sb://` targets here so tests can read what was sent to Service Bus.
   */
  ensureRaw(queue: string): void {
    if (!this.queues.has(queue)) this.queues.set(queue, []);
  }

  private queue(name: string): Stored[] {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`QueueNotFound: ${name}`);
    return queue;
  }

  async send(queue: string, text: string, opts: SendOptions = {}): Promise<void> {
    const delayS = opts.delayS ?? 0;
    checkSeconds("delayS", delayS, 0);
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_QUEUE_MESSAGE_BYTES)
      throw new Error(`RequestBodyTooLarge: ${bytes} bytes, over ${MAX_QUEUE_MESSAGE_BYTES}`);
    const now = this.clock();
    this.nextId += 1;
    this.queue(queue).push({
      id: `m${this.nextId}`,
      text,
      insertedOn: now,
      visibleAt: now + delayS * 1000,
      dequeueCount: 0,
      popReceipt: "",
    });
  }

  async receive(queue: string, max: number, visibilityS: number): Promise<QueueMessage[]> {
    if (!Number.isInteger(max) || max < 1 || max > 32) {
      throw new RangeError(`max must be an integer from 1 to 32, got ${max}`);
    }
    checkSeconds("visibilityS", visibilityS, 1);
    const now = this.clock();
    const out: QueueMessage[] = [];
    for (const msg of this.queue(queue)) {
      if (out.length >= max) break;
      if (msg.visibleAt > now) continue;
      msg.dequeueCount += 1;
      msg.popReceipt = crypto.randomUUID();
      msg.visibleAt = now + visibilityS * 1000;
      out.push({
        id: msg.id,
        popReceipt: msg.popReceipt,
        text: msg.text,
        dequeueCount: msg.dequeueCount,
        insertedOn: msg.insertedOn,
      });
    }
    return out;
  }

  async delete(queue: string, msg: QueueMessage): Promise<boolean> {
    const messages = this.queue(queue);
    const at = messages.findIndex((m) => m.id === msg.id && m.popReceipt === msg.popReceipt);
    if (at < 0) return false;
    messages.splice(at, 1);
    return true;
  }

  async release(
    queue: string,
    msg: QueueMessage,
    visibilityS: number,
  ): Promise<QueueMessage | null> {
    checkSeconds("visibilityS", visibilityS, 0);
    const stored = this.queue(queue).find(
      (m) => m.id === msg.id && m.popReceipt === msg.popReceipt,
    );
    if (!stored) return null; // gone, or received again by someone else: not ours to release
    stored.visibleAt = this.clock() + visibilityS * 1000;
    stored.popReceipt = crypto.randomUUID();
    return { ...msg, popReceipt: stored.popReceipt };
  }

  async depth(queue: string): Promise<number> {
    return this.queue(queue).length;
  }

  async clear(queue: string): Promise<void> {
    this.queue(queue).length = 0;
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.queues.keys()].filter((name) => name.startsWith(prefix)).sort();
  }
}

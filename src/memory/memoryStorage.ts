/**
 * The whole Storage bundle in memory, on one clock, for fast engine tests and the local runner.
 * Task messages land in memory queues: storage-queue targets in the queue of that name (created
 * on first send, as the Azure sink does), `sb://` targets in a queue named after the whole
 * target, so a test can `receive("sb://ns/q", ...)` what was sent to Service Bus.
 */
import type { SendOptions, Storage, TaskSink } from "../storage/ports.js";
import { isServiceBusTarget } from "../storage/serviceBusTarget.js";
import { MemoryBlobStore } from "./memoryBlobStore.js";
import { MemoryQueueStore } from "./memoryQueueStore.js";
import { MemoryTableStore } from "./memoryTableStore.js";

export class MemoryTaskSink implements TaskSink {
  constructor(private readonly queues: MemoryQueueStore) {}

  async send(target: string, texts: readonly string[], opts: SendOptions = {}): Promise<void> {
    if (isServiceBusTarget(target)) this.queues.ensureRaw(target);
    else await this.queues.ensure(target);
    for (const text of texts) await this.queues.send(target, text, opts);
  }
}

export interface MemoryStorage extends Storage {
  readonly blobs: MemoryBlobStore;
  readonly queues: MemoryQueueStore;
  readonly tables: MemoryTableStore;
  readonly tasks: MemoryTaskSink;
}

export function memoryStorage(clock: () => number = Date.now): MemoryStorage {
  const queues = new MemoryQueueStore(clock);
  return {
    blobs: new MemoryBlobStore(clock),
    queues,
    tables: new MemoryTableStore(clock),
    tasks: new MemoryTaskSink(queues),
  };
}

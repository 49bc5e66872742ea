import { describe, expect, it } from "vitest";
import { MemoryQueueStore } from "../../src/memory/memoryQueueStore.js";
import type { QueueStore } from "../../src/storage/ports.js";
import { StorageQueueSource } from "../../src/worker/taskSource.js";

describe("StorageQueueSource deliveries", () => {
  it("a delete issued while a renewal is in flight uses the renewed pop receipt", async () => {
    const inner = new MemoryQueueStore();
    // A renewal's answer takes a while, as over a network: the delete must wait for the new receipt.
    const slow: QueueStore = Object.assign(Object.create(inner) as QueueStore, {
      release: async (...args: Parameters<QueueStore["release"]>) => {
        const renewed = await inner.release(...args); // the server has changed the receipt...
        await new Promise((r) => setTimeout(r, 50)); // ...and the answer is still on its way
        return renewed;
      },
    });
    await inner.ensure("tasks");
    await inner.send("tasks", "task");
    const source = new StorageQueueSource(slow, "tasks");
    const [d] = await source.receive(1, 60);
    const renewing = d!.extend(60);
    await d!.complete();
    await renewing;
    expect(await inner.depth("tasks")).toBe(0);
  });

  it("poison sets the message aside with the reason and deletes it", async () => {
    const queues = new MemoryQueueStore();
    await queues.ensure("tasks");
    await queues.send("tasks", "not json");
    const [d] = await new StorageQueueSource(queues, "tasks").receive(1, 60);
    await d!.poison("not a task message");
    expect(await queues.depth("tasks")).toBe(0);
    const [p] = await queues.receive("tasks-poison", 1, 60);
    const record = JSON.parse(p!.text);
    expect(record).toEqual({
      reason: "not a task message",
      source_queue: "tasks",
      message: "not json",
      at: new Date(record.at).toISOString(),
    });
  });

  it("poison keeps a task message of nearly 64 KiB of multi-byte text within the queue limit", async () => {
    const queues = new MemoryQueueStore();
    await queues.ensure("tasks");
    const text = "😀".repeat(16_380); // 65,520 bytes of UTF-8 in 32,760 UTF-16 units
    await queues.send("tasks", text);
    const [d] = await new StorageQueueSource(queues, "tasks").receive(1, 60);
    await d!.poison("not a task message");
    expect(await queues.depth("tasks")).toBe(0);
    const [p] = await queues.receive("tasks-poison", 1, 60);
    expect(new TextEncoder().encode(p!.text).length).toBeLessThanOrEqual(65_536);
    const record = JSON.parse(p!.text);
    expect(record.truncated).toBe(true);
    expect(text.startsWith(record.message)).toBe(true);
  });
});

/**
 * The storage-queue task sink over both queue adapters, and connectStorage wired to Azurite
 * end to end. (Routing and the Service Bus sink: test/unit/taskSink.test.ts.)
 */
import { QueueServiceClient } from "@azure/storage-queue";
import { describe, expect, it } from "vitest";
import { connectStorage } from "../../src/azure/connect.js";
import { AzureQueueStore } from "../../src/azure/queueStore.js";
import { QueueTaskSink } from "../../src/azure/taskSink.js";
import { MemoryQueueStore } from "../../src/memory/memoryQueueStore.js";
import type { QueueStore } from "../../src/storage/ports.js";
import { azuriteConnectionString } from "../support/azurite.js";
import { uniqueName, uniqueTableName } from "../support/names.js";
import { bytes, collect, text } from "./assertions.js";

const adapters: Array<[string, () => QueueStore]> = [
  ["memory", () => new MemoryQueueStore()],
  [
    "azure (Azurite)",
    () => new AzureQueueStore(QueueServiceClient.fromConnectionString(azuriteConnectionString())),
  ],
];

describe.each(adapters)("QueueTaskSink: %s", (_name, makeQueues) => {
  it("creates the target queue on first send and delivers every message", async () => {
    const queues = makeQueues();
    const sink = new QueueTaskSink(queues, 8);
    const q = uniqueName();
    const texts = Array.from({ length: 40 }, (_, i) => `task-${i}`);
    await sink.send(q, texts);
    await sink.send(q, []);
    expect(await queues.depth(q)).toBe(40);
    const got: string[] = [];
    for (let round = 0; round < 3; round++) {
      got.push(...(await queues.receive(q, 32, 30)).map((m) => m.text));
    }
    expect(got.sort()).toEqual([...texts].sort());
  });

  it("honours delayS and refuses sb:// targets", async () => {
    const queues = makeQueues();
    const sink = new QueueTaskSink(queues);
    const q = uniqueName();
    await sink.send(q, ["later"], { delayS: 60 });
    expect(await queues.depth(q)).toBe(1);
    expect(await queues.receive(q, 32, 30)).toEqual([]);
    await expect(sink.send("sb://acme/q", ["x"])).rejects.toThrow(/not a storage queue/);
  });
});

describe("connectStorage with an Azurite connection string", () => {
  it("wires blobs, queues, tables and the task sink", async () => {
    const storage = connectStorage({
      connectionString: azuriteConnectionString(),
      container: uniqueName(),
    });
    try {
      await storage.blobs.ensure();
      await storage.blobs.create("wf/1/state.json", bytes("{}"));
      expect(await collect(storage.blobs.list("wf/"))).toEqual(["wf/1/state.json"]);
      const read = await storage.blobs.read("wf/1/state.json");
      expect(read && text(read.data)).toBe("{}");

      const table = uniqueTableName();
      await storage.tables.ensure(table);
      await storage.tables.upsert(table, {
        partitionKey: "wf",
        rowKey: "train/rf",
        status: "ready",
      });
      expect((await storage.tables.get(table, "wf", "train/rf"))?.status).toBe("ready");

      const q = uniqueName();
      await storage.tasks.send(q, ["t1"]);
      expect((await storage.queues.receive(q, 1, 30))[0]?.text).toBe("t1");
    } finally {
      await storage.close();
    }
  });
});

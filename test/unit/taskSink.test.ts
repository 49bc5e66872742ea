import type { ServiceBusMessage, ServiceBusMessageBatch } from "@azure/service-bus";
import { describe, expect, it } from "vitest";
import { isHttp } from "../../src/azure/connect.js";
import {
  groupBySize,
  type SenderLike,
  type ServiceBusClientLike,
  ServiceBusTaskSink,
} from "../../src/azure/serviceBusTaskSink.js";
import { RoutingTaskSink } from "../../src/azure/taskSink.js";
import { memoryStorage } from "../../src/memory/memoryStorage.js";
import type { TaskSink } from "../../src/storage/ports.js";
import { parseServiceBusTarget } from "../../src/storage/serviceBusTarget.js";

class RecordingSink implements TaskSink {
  readonly sent: Array<{ target: string; texts: readonly string[]; delayS?: number }> = [];
  async send(target: string, texts: readonly string[], opts?: { readonly delayS?: number }) {
    this.sent.push({ target, texts, delayS: opts?.delayS });
  }
}

describe("Service Bus targets", () => {
  it("parses sb://namespace/queue, completing a short namespace", () => {
    expect(parseServiceBusTarget("sb://acme/tasks")).toEqual({
      namespace: "acme.servicebus.windows.net",
      queue: "tasks",
    });
    expect(parseServiceBusTarget("sb://acme.servicebus.usgovcloudapi.net/gpu/large")).toEqual({
      namespace: "acme.servicebus.usgovcloudapi.net",
      queue: "gpu/large",
    });
  });

  it("rejects malformed targets", () => {
    for (const bad of ["sb://", "sb://acme", "sb://acme/", "tasks", "http://acme/tasks"]) {
      expect(() => parseServiceBusTarget(bad), bad).toThrow(/not a Service Bus target/);
    }
  });
});

describe("RoutingTaskSink", () => {
  it("sends sb:// targets to Service Bus and the rest to storage queues", async () => {
    const storage = new RecordingSink();
    const serviceBus = new RecordingSink();
    const sink = new RoutingTaskSink(storage, serviceBus);
    await sink.send("tasks-gpu", ["a"], { delayS: 5 });
    await sink.send("sb://acme/tasks", ["b", "c"]);
    expect(storage.sent).toEqual([{ target: "tasks-gpu", texts: ["a"], delayS: 5 }]);
    expect(serviceBus.sent).toEqual([
      { target: "sb://acme/tasks", texts: ["b", "c"], delayS: undefined },
    ]);
  });

  it("refuses sb:// targets when no Service Bus sink is configured", async () => {
    await expect(
      new RoutingTaskSink(new RecordingSink()).send("sb://acme/q", ["x"]),
    ).rejects.toThrow(/no Service Bus sink/);
  });
});

/** A fake SDK: batches hold at most `perBatch` messages; everything sent is recorded. */
function fakeServiceBus(perBatch: number) {
  const log: string[] = [];
  const sent: string[][] = [];
  const scheduled: Array<{ bodies: string[]; at: Date }> = [];
  const makeBatch = (): ServiceBusMessageBatch => {
    const messages: ServiceBusMessage[] = [];
    return {
      get count() {
        return messages.length;
      },
      tryAddMessage(message: ServiceBusMessage) {
        if (messages.length >= perBatch || String(message.body).length > 100) return false;
        messages.push(message);
        return true;
      },
      _messages: messages,
    } as unknown as ServiceBusMessageBatch;
  };
  const makeClient = (namespace: string): ServiceBusClientLike => {
    log.push(`client ${namespace}`);
    return {
      createSender(queue: string): SenderLike {
        log.push(`sender ${namespace}/${queue}`);
        return {
          createMessageBatch: async () => makeBatch(),
          sendMessages: async (batch) => {
            const messages = (batch as unknown as { _messages: ServiceBusMessage[] })._messages;
            sent.push(messages.map((m) => String(m.body)));
          },
          scheduleMessages: async (messages, at) => {
            const list = Array.isArray(messages) ? messages : [messages];
            scheduled.push({ bodies: list.map((m) => String(m.body)), at });
            return [];
          },
          close: async () => {
            log.push(`close sender ${queue}`);
          },
        };
      },
      close: async () => {
        log.push(`close client ${namespace}`);
      },
    };
  };
  return { log, sent, scheduled, makeClient };
}

describe("ServiceBusTaskSink (fake SDK; the real SDK path is untested without a namespace)", () => {
  const credential = () => ({ getToken: async () => null });

  it("packs messages into as few batches as fit, in order", async () => {
    const fake = fakeServiceBus(3);
    const sink = new ServiceBusTaskSink(credential, fake.makeClient);
    await sink.send("sb://acme/tasks", ["1", "2", "3", "4", "5", "6", "7"]);
    expect(fake.sent).toEqual([["1", "2", "3"], ["4", "5", "6"], ["7"]]);
  });

  it("schedules delayed messages at now + delay", async () => {
    const fake = fakeServiceBus(3);
    const sink = new ServiceBusTaskSink(credential, fake.makeClient, () => 1_000_000);
    await sink.send("sb://acme/tasks", ["a", "b"], { delayS: 30 });
    expect(fake.scheduled).toEqual([{ bodies: ["a", "b"], at: new Date(1_030_000) }]);
    expect(fake.sent).toEqual([]);
  });

  it("keeps one client per namespace and one sender per queue, and closes them", async () => {
    const fake = fakeServiceBus(10);
    const sink = new ServiceBusTaskSink(credential, fake.makeClient);
    await sink.send("sb://acme/a", ["1"]);
    await sink.send("sb://acme/a", ["2"]);
    await sink.send("sb://acme/b", ["3"]);
    await sink.send("sb://other/a", ["4"]);
    await sink.close();
    expect(fake.log).toEqual([
      "client acme.servicebus.windows.net",
      "sender acme.servicebus.windows.net/a",
      "sender acme.servicebus.windows.net/b",
      "client other.servicebus.windows.net",
      "sender other.servicebus.windows.net/a",
      "close sender a",
      "close sender b",
      "close sender a",
      "close client acme.servicebus.windows.net",
      "close client other.servicebus.windows.net",
    ]);
  });

  it("fails on a message too large for an empty batch", async () => {
    const fake = fakeServiceBus(3);
    const sink = new ServiceBusTaskSink(credential, fake.makeClient);
    await expect(sink.send("sb://acme/q", ["ok", "x".repeat(200)])).rejects.toThrow(/too large/);
  });

  it("groups scheduled messages by size, at least one per group", () => {
    const bodies = ["aaaa", "bbbb", "cc", "dddddddddd", "e"].map((body) => ({ body }));
    expect(groupBySize(bodies, 8).map((g) => g.map((m) => m.body).join(""))).toEqual([
      "aaaabbbb",
      "cc",
      "dddddddddd",
      "e",
    ]);
  });
});

describe("memory task sink", () => {
  it("delivers storage targets to their queue and sb:// targets to a queue named after them", async () => {
    const storage = memoryStorage();
    await storage.tasks.send("tasks", ["a", "b"]);
    await storage.tasks.send("sb://acme/gpu", ["c"], { delayS: 10 });
    expect((await storage.queues.receive("tasks", 32, 30)).map((m) => m.text)).toEqual(["a", "b"]);
    expect(await storage.queues.depth("sb://acme/gpu")).toBe(1);
    expect(await storage.queues.receive("sb://acme/gpu", 32, 30)).toEqual([]);
    await expect(storage.tasks.send("Bad_Name", ["x"])).rejects.toThrow(/InvalidResourceName/);
  });
});

describe("connection strings", () => {
  it("knows when the table endpoint is plain http", () => {
    expect(isHttp("UseDevelopmentStorage=true")).toBe(true);
    expect(isHttp("DefaultEndpointsProtocol=http;AccountName=a;AccountKey=k")).toBe(true);
    expect(isHttp("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k")).toBe(false);
    expect(
      isHttp("DefaultEndpointsProtocol=https;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;"),
    ).toBe(true);
    expect(isHttp("AccountName=a;TableEndpoint=https://a.table.core.windows.net")).toBe(false);
  });
});

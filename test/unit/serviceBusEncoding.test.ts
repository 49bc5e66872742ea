/**
 * Service Bus task messages as a worker in any language receives them (issue 11, item 9),
 * encoded by the SDK's own code: `toRheaMessage` with its `defaultDataTransformer` (what
 * `sendMessages` and `tryAddMessage` run), then rhea's AMQP 1.0 encoder to wire bytes, decoded
 * back as a generic AMQP client would. docs/protocol.md promises the body is the task JSON.
 */
import type { ServiceBusReceivedMessage, ServiceBusReceiver } from "@azure/service-bus";
// The SDK's internals (no package "exports" hides them): the encoder its sender uses.
import { defaultDataTransformer } from "@azure/service-bus/dist-esm/src/dataTransformer.js";
import { toRheaMessage } from "@azure/service-bus/dist-esm/src/serviceBusMessage.js";
import { message as amqp } from "rhea-promise";
import { describe, expect, it } from "vitest";
import { taskMessage } from "../../src/azure/serviceBusTaskSink.js";
import { RECEIVER_OPTIONS, taskDelivery } from "../../src/azure/serviceBusTaskSource.js";

/** The data section (AMQP type 0x75) of a message after the SDK encoded it and it crossed the wire. */
function onTheWire(msg: object): { typecode: number; content: Buffer; contentType: unknown } {
  const rhea = toRheaMessage(msg, defaultDataTransformer);
  const decoded = amqp.decode(amqp.encode(rhea)) as unknown as {
    body: { typecode: number; content: Buffer };
    content_type?: unknown;
  };
  return { ...decoded.body, contentType: decoded.content_type };
}

const TASK = JSON.stringify({ kind: "task", workflow: "wf-1", task: "prep/ü", attempt: 1 });

describe("Service Bus task messages", () => {
  it("carry the task JSON's UTF-8 bytes as the data section, content type application/json", () => {
    const wire = onTheWire(taskMessage(TASK));
    expect(wire.typecode).toBe(0x75);
    expect(wire.content.equals(Buffer.from(TASK, "utf8"))).toBe(true);
    expect(String(wire.contentType)).toBe("application/json");
    // A string body, as dagq used to send, arrives JSON-encoded a second time: a quoted string.
    const old = onTheWire({ body: TASK, contentType: "text/plain" });
    expect(old.content.toString("utf8")).toBe(JSON.stringify(TASK));
  });

  it("reach dagq worker as the same text, with Azure's 1-based delivery count", async () => {
    const settled: string[] = [];
    const receiver = {
      renewMessageLock: async () => new Date(),
      completeMessage: async () => void settled.push("complete"),
      abandonMessage: async () => void settled.push("abandon"),
      deadLetterMessage: async () => void settled.push("dead-letter"),
    } as unknown as ServiceBusReceiver;
    // skipParsingBodyAsJson: the body is handed over as the bytes sent.
    expect(RECEIVER_OPTIONS).toEqual({ receiveMode: "peekLock", skipParsingBodyAsJson: true });
    const first = {
      body: Buffer.from(TASK, "utf8"),
      deliveryCount: 0,
    } as ServiceBusReceivedMessage;
    const d = taskDelivery(first, receiver);
    expect(d.text).toBe(TASK);
    expect(d.dequeueCount).toBe(1); // the SDK's 0 is AMQP's "delivered before: none"
    expect(taskDelivery({ ...first, deliveryCount: 4 }, receiver).dequeueCount).toBe(5);
    // A message an older dagq sent (a JSON string literal) still runs.
    const legacy = {
      body: Buffer.from(JSON.stringify(TASK)),
      deliveryCount: 0,
    } as ServiceBusReceivedMessage;
    expect(taskDelivery(legacy, receiver).text).toBe(TASK);
    await d.complete();
    expect(settled).toEqual(["complete"]);
  });
});

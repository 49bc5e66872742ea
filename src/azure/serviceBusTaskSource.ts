/**
 * Task messages from a Service Bus queue (`sb://<namespace>/<queue>`), for `dagq worker`, over
 * the real @azure/service-bus SDK in peek-lock mode: the lock plays the part of a storage
 * message's invisibility (renewed while the task runs), completing the message deletes it, and
 * abandoning it hands it to another worker. Service Bus dead-letters a message after its
 * queue's max delivery count, the counterpart of the storage poison queue.
 *
 * UNTESTED against a live namespace: no Service Bus emulator is reachable from this machine.
 */
import {
  ServiceBusClient,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
  type ServiceBusSender,
  type TokenCredential,
} from "@azure/service-bus";
import { parseServiceBusTarget } from "../storage/serviceBusTarget.js";
import type { Delivery, TaskSource } from "../worker/taskSource.js";
import { taskMessage } from "./serviceBusTaskSink.js";

export class ServiceBusTaskSource implements TaskSource {
  private readonly client: ServiceBusClient;
  private readonly receiver: ServiceBusReceiver;
  private sender: ServiceBusSender | null = null;
  private readonly queue: string;

  constructor(
    readonly name: string,
    credential: TokenCredential,
  ) {
    const { namespace, queue } = parseServiceBusTarget(name);
    this.client = new ServiceBusClient(namespace, credential);
    this.queue = queue;
    this.receiver = this.client.createReceiver(queue, RECEIVER_OPTIONS);
  }

  async receive(max: number): Promise<Delivery[]> {
    const msgs = await this.receiver.receiveMessages(max, { maxWaitTimeInMs: 1000 });
    return msgs.map((m) => this.delivery(m));
  }

  /** As the coordinator sends: the text's UTF-8 bytes as the body. */
  async requeue(text: string): Promise<void> {
    this.sender ??= this.client.createSender(this.queue);
    await this.sender.sendMessages(taskMessage(text));
  }

  async close(): Promise<void> {
    await this.sender?.close();
    await this.receiver.close();
    await this.client.close();
  }

  private delivery(m: ServiceBusReceivedMessage): Delivery {
    return taskDelivery(m, this.receiver);
  }
}

/**
 * Peek-lock, and the body as the bytes that were sent: without `skipParsingBodyAsJson` the SDK
 * JSON-parses a data section into an object, and the task text is what the worker validates.
 */
export const RECEIVER_OPTIONS = { receiveMode: "peekLock", skipParsingBodyAsJson: true } as const;

type Settler = Pick<
  ServiceBusReceiver,
  "renewMessageLock" | "completeMessage" | "abandonMessage" | "deadLetterMessage"
>;

/** A received Service Bus message as the worker's Delivery. */
export function taskDelivery(m: ServiceBusReceivedMessage, receiver: Settler): Delivery {
  return {
    text: bodyText(m.body),
    // The SDK's deliveryCount is AMQP's: deliveries before this one (0 the first time). Azure
    // (the portal, dead-lettering at MaxDeliveryCount) and storage's dequeueCount count from 1.
    dequeueCount: (m.deliveryCount ?? 0) + 1,
    // The lock duration is the queue's setting; renewing restarts it whatever we ask for.
    extend: async () => void (await receiver.renewMessageLock(m)),
    complete: () => receiver.completeMessage(m),
    abandon: () => receiver.abandonMessage(m),
    poison: (reason) =>
      receiver.deadLetterMessage(m, {
        deadLetterReason: "malformed task message",
        deadLetterErrorDescription: reason.slice(0, 1024),
      }),
  };
}

/**
 * The task text of a body: bytes (how dagq sends, and any other language would) as UTF-8. A body
 * that is a JSON string literal is what an older dagq sent (a string the SDK JSON-encoded once
 * more), so it is unwrapped once, and messages already in a queue still run.
 */
function bodyText(body: unknown): string {
  const text =
    body instanceof Uint8Array
      ? Buffer.from(body).toString("utf8")
      : typeof body === "string"
        ? body
        : JSON.stringify(body);
  if (!text.startsWith('"')) return text;
  try {
    const inner: unknown = JSON.parse(text);
    return typeof inner === "string" ? inner : text;
  } catch {
    return text;
  }
}

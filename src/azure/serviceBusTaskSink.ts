/**
 * TaskSink for `sb://<namespace>/<queue>` targets, over the real @azure/service-bus SDK with an
 * Entra ID credential (managed identity in Azure). One client per namespace and one sender per
 * queue are kept for the life of the sink: AMQP links are expensive to open.
 *
 * Messages are packed into as few sends as the namespace's size limit allows (createMessageBatch);
 * delayed messages are scheduled, in groups kept well under the limit.
 *
 * UNTESTED against a live namespace: no Service Bus emulator is reachable from this machine.
 * The packing and routing logic is unit-tested with a fake client (test/unit/taskSink.test.ts).
 */
import type { ServiceBusMessage, ServiceBusSender, TokenCredential } from "@azure/service-bus";
import { ServiceBusClient } from "@azure/service-bus";
import type { SendOptions, TaskSink } from "../storage/ports.js";
import { parseServiceBusTarget } from "../storage/serviceBusTarget.js";

/** The parts of the SDK the sink uses, so tests can pass a fake. */
export type SenderLike = Pick<
  ServiceBusSender,
  "createMessageBatch" | "sendMessages" | "scheduleMessages" | "close"
>;
export interface ServiceBusClientLike {
  createSender(queue: string): SenderLike;
  close(): Promise<void>;
}

/**
 * A task message as Service Bus carries it: the JSON text's UTF-8 bytes as the AMQP data section,
 * content type `application/json`. The SDK JSON-encodes any body that is not bytes, so a string
 * body would arrive as a quoted JSON string (`"{\"kind\":...}"`) in a worker written in any other
 * language; bytes go through as they are (docs/protocol.md).
 */
export function taskMessage(text: string): ServiceBusMessage {
  return { body: Buffer.from(text, "utf8"), contentType: "application/json" };
}

/** Scheduled messages go in one request each group; stay well under the 256 KB Standard limit. */
const SCHEDULE_GROUP_BYTES = 192 * 1024;

export class ServiceBusTaskSink implements TaskSink {
  private readonly clients = new Map<string, ServiceBusClientLike>();
  private readonly senders = new Map<string, SenderLike>();

  constructor(
    /** Called once per namespace, so a default credential is only built when needed. */
    private readonly credential: () => TokenCredential,
    private readonly makeClient: (
      namespace: string,
      credential: TokenCredential,
    ) => ServiceBusClientLike = (namespace, credential) =>
      new ServiceBusClient(namespace, credential),
    private readonly now: () => number = Date.now,
  ) {}

  async send(target: string, texts: readonly string[], opts: SendOptions = {}): Promise<void> {
    if (texts.length === 0) return;
    const sender = this.sender(target);
    const messages = texts.map(taskMessage);
    const delayS = opts.delayS ?? 0;
    if (delayS > 0) {
      const at = new Date(this.now() + delayS * 1000);
      for (const group of groupBySize(messages)) await sender.scheduleMessages(group, at);
      return;
    }
    let batch = await sender.createMessageBatch();
    for (const message of messages) {
      if (batch.tryAddMessage(message)) continue;
      if (batch.count === 0) throw new Error(`a task message is too large for ${target}`);
      await sender.sendMessages(batch);
      batch = await sender.createMessageBatch();
      if (!batch.tryAddMessage(message))
        throw new Error(`a task message is too large for ${target}`);
    }
    if (batch.count > 0) await sender.sendMessages(batch);
  }

  private sender(target: string): SenderLike {
    let sender = this.senders.get(target);
    if (sender) return sender;
    const { namespace, queue } = parseServiceBusTarget(target);
    let client = this.clients.get(namespace);
    if (!client) {
      client = this.makeClient(namespace, this.credential());
      this.clients.set(namespace, client);
    }
    sender = client.createSender(queue);
    this.senders.set(target, sender);
    return sender;
  }

  /** Closes every sender and client (AMQP connections keep the process alive otherwise). */
  async close(): Promise<void> {
    const senders = [...this.senders.values()];
    const clients = [...this.clients.values()];
    this.senders.clear();
    this.clients.clear();
    await Promise.allSettled(senders.map((s) => s.close()));
    await Promise.allSettled(clients.map((c) => c.close()));
  }
}

/** Groups messages so each group's bodies total at most SCHEDULE_GROUP_BYTES (at least one each). */
export function groupBySize(
  messages: readonly ServiceBusMessage[],
  maxBytes = SCHEDULE_GROUP_BYTES,
): ServiceBusMessage[][] {
  const groups: ServiceBusMessage[][] = [];
  let current: ServiceBusMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const body: unknown = message.body;
    const size =
      body instanceof Uint8Array ? body.byteLength : Buffer.byteLength(String(body), "utf8");
    if (current.length > 0 && bytes + size > maxBytes) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
